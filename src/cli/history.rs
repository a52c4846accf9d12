//! `upwiz history`: every run on this database, from the journal.

use std::path::Path;

use serde_json::json;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::engine::{history, report};

pub fn history(config: Option<&Path>, t: &Target, json_out: bool) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let product = input.package.product.name.clone();
    let runs = history::history(session.db(), &product)?;
    if json_out {
        let v = json!({
            "product": product,
            "database": input.spec.redacted(),
            "runs": runs,
        });
        print::out_object(v);
        return Ok(exit::OK);
    }
    print::out(&format!(
        "Runs on {} database {} ({product}):",
        input.spec.rdbms,
        input.spec.redacted()
    ));
    if runs.is_empty() {
        print::out("  none: upwiz has not run on this database");
    }
    for r in &runs {
        print::out("");
        print::out(&format!(
            "  {} {} -> {}: {}{}",
            r.run_id,
            r.from,
            r.to,
            r.state,
            r.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ));
        print::out(&format!(
            "    by {} on {} (pid {}), started {}, ended {}, took {}",
            r.user.as_deref().unwrap_or("?"),
            r.host.as_deref().unwrap_or("?"),
            r.pid.map_or_else(|| "?".into(), |p| p.to_string()),
            r.started_at,
            r.finished_at.as_deref().unwrap_or("-"),
            r.seconds.map_or_else(|| "-".into(), |s| format!("{s:.1}s"))
        ));
        for s in &r.steps {
            print::out(&format!(
                "    {} {:>8} {}{}",
                s.finished_at,
                report::secs(s.seconds),
                s.key,
                s.checksum
                    .as_deref()
                    .map(|c| format!("  sha256 {c}"))
                    .unwrap_or_default()
            ));
            // An adoption's detail is its reason and the differences it let pass.
            if let Some(d) = s.detail.as_deref().filter(|_| s.key.starts_with("adopt/")) {
                print::out(&format!("      {d}"));
            }
        }
        for (key, index, state) in &r.unfinished_statements {
            print::out(&format!(
                "    {key} statement {}: {state} (the step did not complete)",
                index + 1
            ));
        }
    }
    Ok(exit::OK)
}
