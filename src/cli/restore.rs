//! `upwiz restore`: a verified backup back into the database, or into another for
//! inspection, under the lock; says first what will be replaced.

use std::path::{Path, PathBuf};

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::said::Said;
use crate::db::{ConnectSpec, ConnectTarget, DbErrorKind};
use crate::engine::ways_out::{self, RestoreError};
use crate::engine::{describe_violation, LockFailure, LockOwner, Session};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    backup: Option<PathBuf>,
    into: Option<String>,
    reason: Option<String>,
    yes: bool,
    json: bool,
) -> Result<i32, BadInput> {
    let mut said = Said::new(json);
    let mut input = resolve(config, t, None)?;
    let package = input.package.clone();
    let mut source = input.connect()?;
    let chosen = match &backup {
        Some(file) => ways_out::parse_name(file, Some(&package)).ok_or_else(|| {
            BadInput(format!(
                "{} is not named as upwiz names its backups (<name>-<version>-<database id>-<run id>.<ext>); nothing was changed",
                file.display()
            ))
        })?,
        None => ways_out::default_backup(
            source.db(),
            &package,
            &input.spec,
            &input.settings.dirs.backup_dir,
        )
        .map_err(refused)?,
    };
    let target_spec = match &into {
        Some(c) => ConnectSpec::parse(
            input.spec.rdbms,
            c,
            input.spec.user.clone(),
            input.spec.password.clone(),
        )?
        .with_limits(input.settings.limits),
        None => input.spec.clone(),
    };
    ways_out::check_backup(&chosen, &target_spec, &input.spec, into.is_some()).map_err(refused)?;
    // A SQLite file to restore into for inspection is created, but only once confirmed.
    let new_file = match &target_spec.target {
        ConnectTarget::Sqlite { path } if into.is_some() && !path.exists() => Some(path.clone()),
        _ => None,
    };
    let mut target = match (&into, &new_file) {
        (None, _) => Some(source),
        (Some(_), Some(_)) => None,
        (Some(_), None) => {
            drop(source);
            Some(Session::connect(&target_spec, package.clone())?)
        }
    };
    let now = match target.as_mut() {
        None => "a new file".to_string(),
        Some(t) => t
            .inspect()
            .ok()
            .and_then(|i| i.installed)
            .map_or("no installed version".to_string(), |v| {
                format!("version {v}")
            }),
    };
    let replaced = format!(
        "{} database {} ({now})",
        target_spec.rdbms,
        target_spec.redacted()
    );
    said.line(format!(
        "Restore {} (version {}, taken by run {}) into {replaced}.",
        chosen.path.display(),
        chosen.version,
        chosen.run_id
    ));
    said.line(format!(
        "Everything in {} is replaced by the backup: every table, its rows and the upgrade journal.",
        target_spec.redacted()
    ));
    said.set("backup", &chosen.path);
    said.set("backup_version", &chosen.version);
    said.set("database", target_spec.redacted());
    said.set("replaced", &replaced);
    said.set("restored", false);
    if !yes {
        said.line("Nothing was changed: run again with --yes to restore.".into());
        return Ok(said.finish(exit::BAD_INPUT));
    }
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "not given".to_string());
    let target = match target {
        Some(t) => t,
        None => {
            if let Some(path) = &new_file {
                std::fs::File::create(path)
                    .map_err(|e| BadInput(format!("cannot create {}: {e}", path.display())))?;
            }
            Session::connect(&target_spec, package.clone())?
        }
    };
    let mut locked = match target.lock(LockOwner::me(&format!("restore-{}", std::process::id()))) {
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
            said.error(format!("restore failed: {e}"));
            return Ok(said.finish(exit::STEP_FAILED));
        }
    };
    match ways_out::restore(&mut locked, &package, &chosen, &replaced, &reason) {
        Ok(done) => {
            said.set("restored", true);
            said.set("version", &done.version);
            said.set("closed_runs", &done.closed_runs);
            said.set(
                "violations",
                done.violations
                    .iter()
                    .map(describe_violation)
                    .collect::<Vec<_>>(),
            );
            ways_out::forget_mirror(&input.settings.dirs.state_dir, &target_spec, None);
            said.line(format!(
                "Restored: {} now reads as version {} (backup checked: {}).",
                target_spec.redacted(),
                done.version,
                done.verified
            ));
            if !done.closed_runs.is_empty() {
                said.line(format!(
                    "Closed as restored: run {}; the next run starts from {}.",
                    done.closed_runs.join(", "),
                    done.version
                ));
            }
            if done.violations.is_empty() {
                said.line("Violations: none.".into());
            } else {
                said.line(format!("Violations: {}", done.violations.len()));
                for v in done.violations.iter().take(20) {
                    said.line(format!("  {}", describe_violation(v)));
                }
            }
            Ok(said.finish(exit::OK))
        }
        Err(RestoreError::Refused(msg)) => Err(BadInput(msg)),
        Err(RestoreError::Db(e)) if e.kind == DbErrorKind::Locked => {
            said.error(format!("restore failed: {e}"));
            Ok(said.finish(exit::LOCKED))
        }
        Err(e) => {
            said.error(format!("restore failed: {e}"));
            Ok(said.finish(exit::STEP_FAILED))
        }
    }
}

fn refused(e: RestoreError) -> BadInput {
    BadInput(format!("{e}; nothing was changed"))
}
