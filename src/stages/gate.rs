//! The stage gate: a stage is upgraded to a version only once the stage before it
//! completed the same upgrade with the same package. The evidence is the previous
//! stage's journal (read over a connection to it) or the report it wrote
//! (`upwiz report --json`), for a stage that cannot be reached from here.

use serde_json::Value as Json;

use super::marks;
use crate::db::{Database, DbError};
use crate::engine::history;

/// What the evidence says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The previous stage's run `run_id` completed the upgrade to the target with
    /// this very package.
    Passed { run_id: String },
    /// Why not, as a sentence about the previous stage ("test is at 10.0 ...").
    Refused(String),
}

/// What one completed run of the previous stage shows.
struct Completed {
    run_id: String,
    to: String,
    sha: Option<String>,
}

/// The verdict from the previous stage's journal. `prev` names that stage,
/// `installed` is the version it is at (as detected), `sha` this package's checksum.
pub fn from_journal(
    db: &mut dyn Database,
    prev: &str,
    installed: Option<&str>,
    product: &str,
    sha: &str,
    target: &str,
) -> Result<Verdict, DbError> {
    let runs = history::history(db, product)?;
    let mut completed = Vec::new();
    for r in runs.iter().filter(|r| r.state == "completed") {
        completed.push(Completed {
            run_id: r.run_id.clone(),
            to: r.to.clone(),
            sha: marks::of(db, &r.run_id)?.map(|m| m.package_sha256),
        });
    }
    let at = match installed {
        Some(v) => format!("{prev} is at {v}"),
        None => format!("{prev} has no installed version upwiz can detect"),
    };
    let last = runs.last().map(|r| {
        let when = r.finished_at.as_deref().unwrap_or(r.started_at.as_str());
        let state = r.state.replace('_', " ");
        format!(" (its last run, {}, {state} at {when})", r.route_words())
    });
    Ok(judge(
        &completed,
        sha,
        target,
        &at,
        &last.unwrap_or_default(),
        prev,
    ))
}

/// The verdict from the report the previous stage's run wrote (`upwiz report --json`).
pub fn from_report(report: &Json, prev: &str, product: &str, sha: &str, target: &str) -> Verdict {
    let s = |v: &Json| v.as_str().map(str::to_string);
    let Some(run) = report.get("run") else {
        return Verdict::Refused(format!(
            "the report given for {prev} is not the output of 'upwiz report --json' (it has no run)"
        ));
    };
    if report.get("product").and_then(Json::as_str) != Some(product) {
        return Verdict::Refused(format!(
            "the report given for {prev} is about {}, not {product}",
            report
                .get("product")
                .and_then(Json::as_str)
                .unwrap_or("no product")
        ));
    }
    let package = report.get("package").filter(|p| !p.is_null());
    if let Some(env) = package
        .and_then(|p| p.get("environment"))
        .and_then(Json::as_str)
    {
        if env != prev {
            return Verdict::Refused(format!(
                "the report given is of environment '{env}', not of {prev}, the stage before"
            ));
        }
    }
    let state = run.get("state").and_then(s).unwrap_or_default();
    let to = run.get("to").and_then(s).unwrap_or_default();
    let run_id = run.get("run_id").and_then(s).unwrap_or_default();
    let at = format!(
        "the report of {prev} shows run {run_id} ({} -> {to}) {state}",
        run.get("from").and_then(s).unwrap_or_default()
    );
    if state != "completed" {
        return Verdict::Refused(at);
    }
    let completed = [Completed {
        run_id,
        to,
        sha: package.and_then(|p| p.get("package_sha256")).and_then(s),
    }];
    judge(&completed, sha, target, &at, "", prev)
}

fn judge(
    completed: &[Completed],
    sha: &str,
    target: &str,
    at: &str,
    last: &str,
    prev: &str,
) -> Verdict {
    let to_target: Vec<_> = completed.iter().filter(|c| c.to == target).collect();
    if let Some(c) = to_target.iter().find(|c| c.sha.as_deref() == Some(sha)) {
        return Verdict::Passed {
            run_id: c.run_id.clone(),
        };
    }
    let short = super::checksum::short;
    match to_target.last() {
        None => Verdict::Refused(format!(
            "{at}{last} and has not completed an upgrade to {target}"
        )),
        Some(c) => match &c.sha {
            Some(other) => Verdict::Refused(format!(
                "{prev} completed the upgrade to {target} (run {}) with a different package (checksum {}, this one {}): a script or the manifest changed since",
                c.run_id,
                short(other),
                short(sha)
            )),
            None => Verdict::Refused(format!(
                "{prev} completed the upgrade to {target} (run {}), but its journal has no package checksum (upwiz recorded none then), so it cannot show it was this package",
                c.run_id
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(product: &str, state: &str, to: &str, sha: &str, env: &str) -> Json {
        json!({
            "product": product,
            "run": {"run_id": "r1", "from": "1.0", "to": to, "state": state},
            "package": {"package_sha256": sha, "environment": env},
        })
    }

    #[test]
    fn a_report_opens_the_gate_only_for_the_same_product_target_package_and_stage() {
        let ok = report("P", "completed", "2.0", "abc", "test");
        assert_eq!(
            from_report(&ok, "test", "P", "abc", "2.0"),
            Verdict::Passed {
                run_id: "r1".into()
            }
        );
        for (r, why) in [
            (report("Q", "completed", "2.0", "abc", "test"), "is about Q"),
            (report("P", "failed", "2.0", "abc", "test"), "failed"),
            (
                report("P", "completed", "1.5", "abc", "test"),
                "has not completed an upgrade to 2.0",
            ),
            (
                report("P", "completed", "2.0", "def", "test"),
                "with a different package",
            ),
            (
                report("P", "completed", "2.0", "abc", "dev"),
                "of environment 'dev'",
            ),
            (json!({"product": "P"}), "has no run"),
        ] {
            match from_report(&r, "test", "P", "abc", "2.0") {
                Verdict::Refused(m) => assert!(m.contains(why), "{m}"),
                v => panic!("{v:?} for {r}"),
            }
        }
    }
}
