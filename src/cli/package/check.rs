//! `upwiz package check DIR`: every problem of a package, without a database.

use std::path::Path;

use serde_json::json;

use crate::authoring::check;
use crate::cli::exit;
use crate::cli::input::BadInput;
use crate::cli::print;

pub fn run(dir: &Path, json: bool) -> Result<i32, BadInput> {
    let report = check::check(dir).map_err(|e| BadInput(e.to_string()))?;
    let code = if report.problems.is_empty() {
        exit::OK
    } else {
        exit::STEP_FAILED
    };
    if json {
        print::out_object(json!({
            "ok": report.problems.is_empty(),
            "package": dir.display().to_string(),
            "releases": report.releases,
            "scripts": report.scripts,
            "routes": report.routes,
            "problems": report.problems,
        }));
        return Ok(code);
    }
    for p in &report.problems {
        print::out(&p.to_string());
    }
    if report.problems.is_empty() {
        print::out(&format!(
            "package OK: {} releases, {} scripts, {} routes checked",
            report.releases, report.scripts, report.routes
        ));
    } else {
        let n = report.problems.len();
        print::out(&format!(
            "{n} problem{} found in {}",
            if n == 1 { "" } else { "s" },
            dir.display()
        ));
    }
    Ok(code)
}
