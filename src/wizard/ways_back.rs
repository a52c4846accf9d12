//! What the wizard offers around the upgrade: the runs on record (History), the
//! pre-upgrade backup put back after a failed run (Restore), and the summary the
//! terminal keeps once the wizard has closed. The blocking parts run on workers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::worker::plain;
use crate::db::ConnectSpec;
use crate::engine::history::RunHistory;
use crate::engine::ways_out::{self, RestoreError};
use crate::engine::{self, LockFailure, LockOwner, Outcome, RunReport, Session};
use crate::package::Package;
use crate::paths::Dirs;

/// Said with every restore the wizard records in the journal.
pub const RESTORE_REASON: &str = "restored from the wizard after the upgrade failed";

/// Every run of the product in this database, newest first, one compact line each:
/// "2026-11-29 19:36  9.0 -> 11.0  failed  12.3s  alice@db01".
pub fn history(package: &Arc<Package>, spec: &ConnectSpec) -> Result<Vec<String>, String> {
    let mut session =
        Session::connect(spec, package.clone()).map_err(|e| plain(&e.to_string(), spec))?;
    let runs = engine::history::history(session.db(), &package.product.name)
        .map_err(|e| plain(&e.message, spec))?;
    Ok(runs
        .iter()
        .rev()
        .map(|r| plain(&history_line(r), spec))
        .collect())
}

fn history_line(r: &RunHistory) -> String {
    let when = match (r.started_at.get(..10), r.started_at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => r.started_at.clone(),
    };
    let took = engine::report::secs(r.seconds);
    let who = match (&r.user, &r.host) {
        (Some(u), Some(h)) => format!("  {u}@{h}"),
        (None, Some(h)) => format!("  {h}"),
        _ => String::new(),
    };
    format!("{when}  {} -> {}  {}  {took}{who}", r.from, r.to, r.state)
}

/// What a restore from the Result screen did, in words for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreDone {
    pub version: String,
    pub backup: PathBuf,
    pub message: String,
}

/// Restores the pre-upgrade backup (`backup`, or the one the journal names for the
/// last run) into the database `spec` names, under the lock, as `upwiz restore` does;
/// records it in the journal so that a later run starts from the restored version.
pub fn restore(
    package: &Arc<Package>,
    spec: &ConnectSpec,
    dirs: &Dirs,
    backup: Option<&Path>,
) -> Result<RestoreDone, String> {
    let say = |e: &dyn std::fmt::Display| plain(&format!("{e}; nothing was changed"), spec);
    let mut session =
        Session::connect(spec, package.clone()).map_err(|e| plain(&e.to_string(), spec))?;
    let chosen = match backup.and_then(|b| ways_out::parse_name(b, Some(package))) {
        Some(b) => b,
        None => ways_out::default_backup(session.db(), package, spec, &dirs.backup_dir)
            .map_err(|e| say(&e))?,
    };
    ways_out::check_backup(&chosen, spec, spec, false).map_err(|e| say(&e))?;
    let now = session
        .inspect()
        .ok()
        .and_then(|i| i.installed)
        .map_or("no installed version".to_string(), |v| {
            format!("version {v}")
        });
    let replaced = format!("{} database {} ({now})", spec.rdbms, spec.redacted());
    let owner = LockOwner::me(&format!("restore-{}", std::process::id()));
    let mut locked = session.lock(owner).map_err(|e| match e {
        LockFailure::Held(owner) => plain(
            &format!("another upgrade of this database is running ({owner}); nothing was changed"),
            spec,
        ),
        other => say(&other),
    })?;
    let done = ways_out::restore(&mut locked, package, &chosen, &replaced, RESTORE_REASON)
        .map_err(|e| match e {
            RestoreError::Refused(m) => say(&m),
            other => plain(&format!("the restore failed: {other}"), spec),
        })?;
    drop(locked);
    ways_out::forget_mirror(&dirs.state_dir, spec, None);
    let mut message = format!(
        "Restored: the database reads as version {} again (backup checked: {}).",
        done.version, done.verified
    );
    if !done.violations.is_empty() {
        message.push_str(&format!(
            " It has {} violation(s); 'upwiz status' lists them.",
            done.violations.len()
        ));
    }
    Ok(RestoreDone {
        version: plain(&done.version, spec),
        backup: chosen.path,
        message: plain(&message, spec),
    })
}

/// Removes the database's backups beyond `keep` after a wizard run, as a headless run
/// does; says which, or why it could not.
pub fn prune(dirs: &Dirs, spec: &ConnectSpec, keep: usize) -> Vec<String> {
    if !dirs.backup_dir.is_dir() {
        return Vec::new();
    }
    match ways_out::prune_backups(&dirs.backup_dir, spec, keep) {
        Ok(removed) => removed
            .iter()
            .map(|p| {
                format!(
                    "Removed the old backup {} (backups_keep = {keep}).",
                    p.display()
                )
            })
            .collect(),
        Err(e) => vec![format!(
            "warning: old backups in {} could not be removed (backups_keep = {keep}): {e}",
            dirs.backup_dir.display()
        )],
    }
}

/// What the terminal keeps after the wizard closed on a run: the outcome, the
/// versions, the backups, the report and log, and what to do next. `restored` is a
/// restore done from the Result screen since.
pub fn farewell(report: &RunReport, after: &[String], restored: Option<&str>) -> Vec<String> {
    let s = &report.summary;
    let mut out = Vec::new();
    let outcome = match &report.outcome {
        Outcome::Completed => "completed successfully".to_string(),
        Outcome::NothingToDo => "had nothing to do".to_string(),
        Outcome::CompletedWithFailedItems { failed } => {
            format!("completed, but {} item(s) failed", failed.len())
        }
        Outcome::Failed { step, error } => format!("FAILED at '{step}': {error}"),
        Outcome::Interrupted { .. } => "was stopped at a safe point".to_string(),
        Outcome::Locked { owner } => format!("did not start: another upgrade is running ({owner})"),
        Outcome::Busy { reason } => format!("did not start: {reason}"),
        Outcome::BadInput { error } => format!("could not start: {error}"),
    };
    out.push(format!("upwiz: the upgrade of {} {outcome}", s.product));
    if let (Some(from), Some(to)) = (&s.from, &s.to) {
        let at = s
            .reached
            .as_deref()
            .map(|r| format!(" (the database is at {r})"))
            .unwrap_or_default();
        out.push(format!("  versions: {from} -> {to}{at}"));
    }
    for b in &s.backups {
        out.push(format!("  backup: {}", b.display()));
    }
    for r in &s.reports {
        out.push(format!("  report: {}", r.display()));
    }
    if let Some(l) = &s.log_path {
        out.push(format!("  log: {}", l.display()));
    }
    if let Some(r) = restored {
        out.push(format!("  {r}"));
    }
    let next = match &report.outcome {
        Outcome::Completed | Outcome::NothingToDo => None,
        Outcome::CompletedWithFailedItems { .. } => {
            Some("fix the failed items and run upwiz again: it retries only those.")
        }
        Outcome::Failed { .. } if restored.is_some() => {
            Some("fix the cause, then run upwiz again: it upgrades the restored database afresh.")
        }
        Outcome::Failed { .. } => Some(
            "fix the cause and run upwiz again: it continues where it left off (or 'upwiz restore' puts the pre-upgrade backup back).",
        ),
        Outcome::Interrupted { .. } => Some("run upwiz again: it continues where it left off."),
        Outcome::Locked { .. } => {
            Some("wait for the other upgrade to finish ('upwiz status --follow').")
        }
        Outcome::Busy { .. } | Outcome::BadInput { .. } => {
            Some("nothing was changed; fix the cause and run upwiz again.")
        }
    };
    if let Some(n) = next {
        out.push(format!("  next: {n}"));
    }
    let completed = matches!(
        report.outcome,
        Outcome::Completed | Outcome::CompletedWithFailedItems { .. }
    );
    if completed && !after.is_empty() {
        out.push("  after the upgrade:".to_string());
        out.extend(
            after
                .iter()
                .enumerate()
                .map(|(i, a)| format!("    {}. {a}", i + 1)),
        );
    }
    out.into_iter()
        .map(|l| crate::text::clean(&l).into_owned())
        .collect()
}
