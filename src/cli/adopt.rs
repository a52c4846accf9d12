//! `upwiz adopt --version V`: takes over a database installed by other means, after
//! checking its tables against the columns the package declares for V.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::said::Said;
use crate::db::DbErrorKind;
use crate::engine::adopt::{self, AdoptError};
use crate::engine::{LockFailure, LockOwner};
use crate::package::VersionStore;

pub struct AdoptArgs {
    pub version: String,
    pub ignore_differences: bool,
    pub reason: Option<String>,
    pub yes: bool,
    pub json: bool,
}

pub fn run(config: Option<&Path>, t: &Target, a: AdoptArgs) -> Result<i32, BadInput> {
    let mut said = Said::new(a.json);
    said.set("adopted", false);
    let reason = a
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if a.ignore_differences && reason.is_none() {
        return Err(BadInput(
            "--ignore-differences needs --reason \"...\": why the database may differ from the package is recorded in the journal; nothing was changed".into(),
        ));
    }
    let mut input = resolve(config, t, None)?;
    let package = input.package.clone();
    let mut session = input.connect()?;
    said.set("product", &package.product.name);
    said.set("database", input.spec.redacted());
    let checked = match adopt::check(session.db(), &package, &a.version) {
        Ok(c) => c,
        Err(e) => return Ok(failed(said, e)),
    };
    said.set("version", checked.version.as_str());
    said.set(
        "declared_by",
        checked.declared_by.as_ref().map(|v| v.to_string()),
    );
    let differences: Vec<String> = checked.differences.iter().map(|d| d.to_string()).collect();
    said.set("differences", &differences);
    let kept = match package.version_store {
        VersionStore::Upwiz => "in upwiz's table upwiz_versions",
        VersionStore::Queries => "with the package's [version] record query",
    };
    said.line(format!(
        "Adopt {} database {} as {} {}: upwiz records the version {kept} and journals the adoption; no product table is changed.",
        input.spec.rdbms,
        input.spec.redacted(),
        package.product.name,
        checked.version
    ));
    match (&checked.declared_by, differences.is_empty()) {
        (None, _) => said.line(format!(
            "The package declares no columns at or below {}, so the tables were not checked.",
            checked.version
        )),
        (Some(by), true) => said.line(format!(
            "The tables have every column the package declares for {} (release {by}).",
            checked.version
        )),
        (Some(_), false) if !a.ignore_differences => {
            said.error(adopt::refusal(&checked));
            return Ok(said.finish(exit::BAD_INPUT));
        }
        (Some(_), false) => said.line(format!(
            "Differences ignored (--ignore-differences): {}.",
            differences.join(", ")
        )),
    }
    if !a.yes {
        match confirmed(a.json) {
            Ok(true) => {}
            Ok(false) => {
                said.error("not confirmed; nothing was changed".into());
                return Ok(said.finish(exit::BAD_INPUT));
            }
            Err(msg) => {
                said.error(msg);
                return Ok(said.finish(exit::BAD_INPUT));
            }
        }
    }
    let mut locked = match session.lock(LockOwner::me(&format!("adopt-{}", std::process::id()))) {
        Ok(l) => l,
        Err(LockFailure::Held(owner)) => {
            said.error(format!(
                "refused: another upgrade of this database is running ({owner}); nothing was changed"
            ));
            return Ok(said.finish(exit::LOCKED));
        }
        Err(LockFailure::Busy(e)) => {
            said.error(format!("refused: {e}; nothing was changed"));
            return Ok(said.finish(exit::LOCKED));
        }
        Err(e) => {
            said.error(format!("adopt failed: {e}"));
            return Ok(said.finish(exit::STEP_FAILED));
        }
    };
    match adopt::adopt(
        &mut locked,
        &package,
        checked.version.as_str(),
        a.ignore_differences,
        reason.as_deref(),
    ) {
        Ok(done) => {
            said.set("adopted", true);
            said.set("run_id", &done.run_id);
            said.set("ignored", &done.ignored);
            said.set("reason", &done.reason);
            said.line(format!(
                "Adopted: {} is now at {} {}; recorded as run {} (see upwiz history). Upgrade it with upwiz plan and upwiz run.",
                input.spec.redacted(),
                package.product.name,
                done.version,
                done.run_id
            ));
            Ok(said.finish(exit::OK))
        }
        Err(e) => Ok(failed(said, e)),
    }
}

fn failed(mut said: Said, e: AdoptError) -> i32 {
    match e {
        AdoptError::Refused(msg) => {
            said.error(format!("refused: {msg}"));
            said.finish(exit::BAD_INPUT)
        }
        AdoptError::Db(e) if e.kind == DbErrorKind::Locked => {
            said.error(format!("refused: {e}; nothing was changed"));
            said.finish(exit::LOCKED)
        }
        AdoptError::Db(e) => {
            said.error(format!("adopt failed: {e}; nothing was changed"));
            said.finish(exit::STEP_FAILED)
        }
    }
}

/// Without --yes: y/N on a terminal; without one (or with --json, read by a script),
/// a refusal that says to add --yes.
fn confirmed(json: bool) -> Result<bool, String> {
    if json || !std::io::stdin().is_terminal() {
        return Err("adopt without a terminal needs --yes to confirm; nothing was changed".into());
    }
    let _ = write!(std::io::stderr(), "Record this version? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
