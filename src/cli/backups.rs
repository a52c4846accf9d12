//! `upwiz backups`: the backups upwiz made of this database, from the journal.

use std::path::Path;

use serde_json::json;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::engine::history;

pub fn backups(config: Option<&Path>, t: &Target, json_out: bool) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let product = input.package.product.name.clone();
    let list = history::backups(session.db(), &product)?;
    if json_out {
        let v = json!({
            "product": product,
            "database": input.spec.redacted(),
            "backups": list,
        });
        print::out_object(v);
        return Ok(exit::OK);
    }
    print::out(&format!(
        "Backups of {} database {} ({product}):",
        input.spec.rdbms,
        input.spec.redacted()
    ));
    if list.is_empty() {
        print::out("  none: upwiz has made no backup of this database");
    }
    for b in &list {
        print::out(&format!(
            "  {} taken {} by run {}",
            b.version, b.taken_at, b.run_id
        ));
        print::out(&format!(
            "    {}{}",
            b.path.display(),
            if b.present {
                ""
            } else {
                " (missing: the file is no longer there)"
            }
        ));
        print::out(&format!(
            "    size {}  sha256 {}",
            b.bytes
                .map_or_else(|| "unknown".into(), |n| format!("{n} bytes")),
            b.sha256.as_deref().unwrap_or("not recorded")
        ));
        print::out(&format!(
            "    verified: {}",
            b.verified.as_deref().unwrap_or("not recorded")
        ));
    }
    Ok(exit::OK)
}
