//! `upwiz restore`: puts a verified backup back into the database (or, for inspection,
//! into another one) under the upgrade lock, checks the version it finds against the
//! backup's, and records the restore in the journal so that the next run starts from
//! the restored version.

use std::path::{Path, PathBuf};

use super::journal::{Journal, RepairRecord, RunState};
use super::lock;
use super::log::now_iso;
use super::prepare::detect_version;
use super::process;
use super::session::LockedSession;
use crate::db::{ConnectSpec, Database, DbError, Violation};
use crate::package::{Package, Version};
use crate::rdbms::Rdbms;

/// What a backup's file name says: `<name>-<version>-<database id>-<run id>[-n].<ext>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupName {
    pub path: PathBuf,
    /// The product version the database was at when the backup was taken.
    pub version: String,
    /// `state_file::database_id` of the database it was taken of.
    pub database_id: String,
    pub run_id: String,
}

/// The file extension `backup` gives each RDBMS's backups.
pub fn extension(rdbms: Rdbms) -> &'static str {
    match rdbms {
        Rdbms::Sqlite => "sqlite",
        Rdbms::Postgres => "pgdump",
        Rdbms::Mysql => "sql",
    }
}

/// Reads a backup's file name; None when it is not one upwiz wrote. `package`
/// settles a version written with a dash.
pub fn parse_name(path: &Path, package: Option<&Package>) -> Option<BackupName> {
    let file = path.file_name()?.to_str()?;
    let stem = ["sqlite", "pgdump", "sql"]
        .iter()
        .find_map(|ext| file.strip_suffix(&format!(".{ext}")))?;
    let parts: Vec<&str> = stem.split('-').collect();
    let is_id = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let is_stamp = |s: &str| s.len() == 19 && s.ends_with('Z') && s.as_bytes()[8] == b'T';
    let at =
        (2..parts.len().saturating_sub(2)).find(|&i| is_id(parts[i]) && is_stamp(parts[i + 1]))?;
    let known = |v: &str| {
        package.is_some_and(|p| {
            v.parse::<Version>()
                .ok()
                .is_some_and(|v| p.release(&v).is_some() || p.newest() == &v)
        })
    };
    let version = (1..at)
        .map(|j| parts[j..at].join("-"))
        .find(|v| known(v))
        .unwrap_or_else(|| parts[at - 1].to_string());
    Some(BackupName {
        path: path.to_path_buf(),
        version,
        database_id: parts[at].to_string(),
        run_id: format!("{}-{}", parts[at + 1], parts[at + 2]),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Nothing to restore, or not this backup here; nothing was changed (exit 2).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Db(#[from] DbError),
    /// Restored, but the database does not read as the backup's version.
    #[error("the restore finished, but the database reads as version {found}, not {expected} as the backup's name says; check the backup and 'upwiz status' before running an upgrade")]
    WrongVersion { expected: String, found: String },
}

/// The pre-upgrade backup of the product's last run: the first its journal names (or,
/// for a run that stopped before recording it, the file in `backup_dir` named after
/// its run and start version).
pub fn default_backup(
    db: &mut dyn Database,
    package: &Package,
    spec: &ConnectSpec,
    backup_dir: &Path,
) -> Result<BackupName, RestoreError> {
    let product = &package.product.name;
    let Some(run) = Journal::new(db).last_run(product)? else {
        return Err(RestoreError::Refused(format!(
            "this database has no upgrade run of {product} on record, so there is no pre-upgrade backup to restore; name one with --backup FILE"
        )));
    };
    let recorded = Journal::new(db).backups_of(&run.run_id)?;
    let from_journal = recorded
        .iter()
        .map(|(_, detail)| super::history::backup_path(detail))
        .filter_map(|p| parse_name(&p, Some(package)))
        .find(|b| b.version == run.from && b.path.is_file());
    if let Some(b) = from_journal {
        return Ok(b);
    }
    let id = super::state_file::database_id(spec);
    let mut found: Vec<BackupName> = std::fs::read_dir(backup_dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| parse_name(&e.path(), Some(package)))
                .filter(|b| b.run_id == run.run_id && b.database_id == id && b.version == run.from)
                .collect()
        })
        .unwrap_or_default();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.into_iter().next().ok_or_else(|| {
        RestoreError::Refused(format!(
            "no backup of the last run {} ({} -> {}) was found in {}; name one with --backup FILE",
            run.run_id,
            run.from,
            run.to,
            backup_dir.display()
        ))
    })
}

/// Checks that `backup` may go into the database `spec` names: its kind fits the RDBMS
/// and, unless it goes `into` another database for inspection, it was taken of this one.
pub fn check_backup(
    backup: &BackupName,
    spec: &ConnectSpec,
    source: &ConnectSpec,
    into: bool,
) -> Result<(), RestoreError> {
    if !backup.path.is_file() {
        return Err(RestoreError::Refused(format!(
            "the backup {} does not exist",
            backup.path.display()
        )));
    }
    let ext = extension(spec.rdbms);
    if backup.path.extension().and_then(|e| e.to_str()) != Some(ext) {
        return Err(RestoreError::Refused(format!(
            "{} is not a {} backup (those end in .{ext})",
            backup.path.display(),
            spec.rdbms
        )));
    }
    let id = super::state_file::database_id(source);
    if !into && backup.database_id != id {
        return Err(RestoreError::Refused(format!(
            "the backup {} was taken of another database (id {}, this one is {id}); restore it into a database for inspection with --into",
            backup.path.display(),
            backup.database_id
        )));
    }
    Ok(())
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The version the database reads as now: the backup's.
    pub version: String,
    /// How the backup was checked before it went in.
    pub verified: String,
    /// Runs closed as restored: the next run starts afresh from `version`.
    pub closed_runs: Vec<String>,
    /// Violations found in the restored database.
    pub violations: Vec<Violation>,
    pub record: RepairRecord,
}

/// Restores `backup` into the locked database, replacing everything in it, then puts
/// the lock and the journal right: the restored owner record becomes this session's
/// again, and every unfinished run of the product is closed as restored.
pub fn restore(
    locked: &mut LockedSession,
    package: &Package,
    backup: &BackupName,
    replaced: &str,
    reason: &str,
) -> Result<Restored, RestoreError> {
    let product = package.product.name.clone();
    let me = locked.owner().clone();
    let before: Vec<String> = Journal::new(locked.db())
        .product_runs(&product)?
        .iter()
        .map(|r| {
            format!(
                "{} ({} -> {}, {})",
                r.run_id,
                r.from,
                r.to,
                r.state.as_str()
            )
        })
        .collect();
    // Checked before anything changes: a damaged backup is refused with the database
    // as it was.
    locked.db().verify_backup(&backup.path).map_err(|e| {
        match e.message.contains("nothing was restored") {
            true => RestoreError::Refused(e.message),
            false => RestoreError::Refused(format!("{}; nothing was restored", e.message)),
        }
    })?;
    let verified = locked.db().restore(&backup.path)?;
    let db = locked.db();
    Journal::new(db).ensure_tables()?;
    lock::reclaim(db, &me)?;
    let mut closed_runs = Vec::new();
    for run in Journal::new(db).product_runs(&product)? {
        if !run.state.is_closed() {
            Journal::new(db).set_state(
                &run.run_id,
                RunState::Restored,
                Some(&format!(
                    "the database was restored from {} (version {})",
                    backup.path.display(),
                    backup.version
                )),
            )?;
            closed_runs.push(run.run_id);
        }
    }
    let record = RepairRecord {
        at: now_iso(),
        action: "restore".into(),
        product: Some(product),
        run_id: Some(backup.run_id.clone()),
        detail: format!(
            "restored {} (version {}) over {replaced}; runs on record before: {}",
            backup.path.display(),
            backup.version,
            if before.is_empty() {
                "none".to_string()
            } else {
                before.join(", ")
            }
        ),
        reason: reason.to_string(),
        host: process::host_name(),
        user: process::user_name(),
    };
    Journal::new(db).record_repair(&record)?;
    let found = detect_version(db, package).map_err(|e| {
        RestoreError::Db(DbError::new(
            crate::db::DbErrorKind::Io,
            format!("the restore finished, but the version cannot be read: {e}"),
        ))
    })?;
    let same = match (found.parse::<Version>(), backup.version.parse::<Version>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => found == backup.version,
    };
    if !same {
        return Err(RestoreError::WrongVersion {
            expected: backup.version.clone(),
            found,
        });
    }
    let violations = found
        .parse::<Version>()
        .ok()
        .and_then(|v| super::checks::violations(db, package, &v).ok())
        .unwrap_or_default();
    Ok(Restored {
        version: found,
        verified,
        closed_runs,
        violations,
        record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_name_gives_version_database_and_run() {
        let b = parse_name(
            Path::new("/b/app-9.0-0123456789abcdef-20261129T201500123Z-4242.sqlite"),
            None,
        )
        .unwrap();
        assert_eq!(b.version, "9.0");
        assert_eq!(b.database_id, "0123456789abcdef");
        assert_eq!(b.run_id, "20261129T201500123Z-4242");
        let b = parse_name(
            Path::new("my-app-10.1-0123456789abcdef-20261129T201500123Z-1-2.pgdump"),
            None,
        )
        .unwrap();
        assert_eq!(b.version, "10.1");
        assert!(parse_name(Path::new("notes.sql"), None).is_none());
        assert!(parse_name(Path::new("a-b-c-d-e.sqlite"), None).is_none());
    }
}
