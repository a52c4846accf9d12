//! `upwiz adopt`: takes over a database installed by other means by recording the
//! version it is at. Checked first (read only): the version is a release, the database
//! has no version yet, and its tables have the columns the package declares for that
//! version. Then, under the lock, the version and a run of its own commit together.

use std::collections::BTreeMap;

use serde::Serialize;

use super::journal::{Journal, RunRecord, RunState, WHOLE_STEP};
use super::lock::LockOwner;
use super::log::now_iso;
use super::prepare::{detect_version, DetectError};
use super::session::LockedSession;
use super::versions_table::{version_write, How};
use crate::db::{Database, DbError};
use crate::package::{Package, Version, VersionStore};
use crate::plan::resolve_target;

/// Why a database cannot be adopted; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// Bad input or a refusal: exit 2.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Db(#[from] DbError),
}

/// A difference between the package's declared columns and the live database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub table: String,
    /// None when the whole table is missing.
    pub column: Option<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            None => write!(f, "table {} is missing", self.table),
            Some(c) => write!(f, "column {}.{c} is missing", self.table),
        }
    }
}

/// What adopting would do, found without changing anything.
#[derive(Debug, Clone)]
pub struct AdoptCheck {
    pub version: Version,
    /// The release whose `[release.columns]` was compared; None when no release at or
    /// below the version declares columns.
    pub declared_by: Option<Version>,
    pub differences: Vec<Difference>,
}

/// An adoption recorded in the journal.
#[derive(Debug, Clone, Serialize)]
pub struct Adopted {
    pub run_id: String,
    pub version: String,
    /// The differences the operator chose to ignore.
    pub ignored: Vec<String>,
    pub reason: Option<String>,
}

/// The declaration in force at `version`: that of the newest release at or below it
/// that declares columns, as a whole (as the violation report reads it).
fn declared_as_of<'p>(
    package: &'p Package,
    version: &Version,
) -> Option<(&'p Version, &'p BTreeMap<String, Vec<String>>)> {
    package
        .releases
        .iter()
        .rev()
        .find(|r| &r.version <= version && !r.columns.is_empty())
        .map(|r| (&r.version, &r.columns))
}

/// Declared tables and columns the database lacks; column names compare without case.
fn differences(
    db: &mut dyn Database,
    declared: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<Difference>, DbError> {
    let mut out = Vec::new();
    for (table, want) in declared {
        let have: Vec<String> = db
            .columns(table)?
            .iter()
            .map(|c| c.to_lowercase())
            .collect();
        if have.is_empty() {
            out.push(Difference {
                table: table.clone(),
                column: None,
            });
            continue;
        }
        for c in want {
            if !have.contains(&c.to_lowercase()) {
                out.push(Difference {
                    table: table.clone(),
                    column: Some(c.clone()),
                });
            }
        }
    }
    Ok(out)
}

/// Everything that decides whether `version` may be adopted, read only.
pub fn check(
    db: &mut dyn Database,
    package: &Package,
    version: &str,
) -> Result<AdoptCheck, AdoptError> {
    let version = resolve_target(package, Some(version))
        .map_err(|e| AdoptError::Refused(format!("--version {version}: {e}")))?;
    match detect_version(db, package) {
        Ok(found) => {
            let how = match package.version_store {
                VersionStore::Upwiz => "upwiz already keeps version",
                VersionStore::Queries => "the package's [version] detect already reads version",
            };
            return Err(AdoptError::Refused(format!(
                "this database is not versionless: {how} {found} for {}; adopting is for databases with no version: use 'upwiz plan' and 'upwiz run' to upgrade it",
                package.product.name
            )));
        }
        Err(DetectError::Locked(e)) => return Err(AdoptError::Db(e)),
        Err(e @ (DetectError::Ambiguous { .. } | DetectError::NoQuery(_))) => {
            return Err(AdoptError::Refused(e.to_string()))
        }
        Err(_) => {}
    }
    if let Some(run) = Journal::new(db).unfinished_run(&package.product.name)? {
        return Err(AdoptError::Refused(format!(
            "run {} ({} -> {}) of {} did not finish in this database; finish or abandon it first (upwiz status, upwiz repair)",
            run.run_id, run.from, run.to, package.product.name
        )));
    }
    let (declared_by, differences) = match declared_as_of(package, &version) {
        Some((by, declared)) => (Some(by.clone()), differences(db, declared)?),
        None => (None, Vec::new()),
    };
    Ok(AdoptCheck {
        version,
        declared_by,
        differences,
    })
}

/// Records the adoption under the lock: checks again (the database may have changed
/// since it was shown), then the version, a completed run `adopt-...` and its step,
/// in one transaction. `reason` is required when differences are ignored.
pub fn adopt(
    locked: &mut LockedSession,
    package: &Package,
    version: &str,
    ignore_differences: bool,
    reason: Option<&str>,
) -> Result<Adopted, AdoptError> {
    let checked = check(locked.db(), package, version)?;
    if !checked.differences.is_empty() && !ignore_differences {
        return Err(AdoptError::Refused(refusal(&checked)));
    }
    let version = checked.version.to_string();
    let db = locked.db();
    let write =
        version_write(package, db.rdbms(), &version, How::Adopted).map_err(AdoptError::Refused)?;
    let ignored: Vec<String> = checked.differences.iter().map(|d| d.to_string()).collect();
    let run_id = format!("adopt-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ"));
    let mut detail = format!("adopted at {version}, installed by other means");
    if !ignored.is_empty() {
        detail.push_str(&format!("; differences ignored: {}", ignored.join(", ")));
    }
    if let Some(r) = reason {
        detail.push_str(&format!("; reason: {r}"));
    }
    let rec = RunRecord {
        run_id: run_id.clone(),
        product: Some(package.product.name.clone()),
        from: "none".into(),
        to: version.clone(),
        state: RunState::Completed,
        started_at: now_iso(),
        error: None,
    };
    let me = LockOwner::me(&run_id);
    db.begin()?;
    let r = (|| {
        write.apply(db)?;
        let mut j = Journal::new(db);
        j.start_run(&rec, &me.host, me.pid, &me.user)?;
        j.record(
            &run_id,
            &format!("adopt/{version}"),
            WHOLE_STEP,
            None,
            Some(&detail),
        )?;
        j.set_state(&run_id, RunState::Completed, None)?;
        Ok::<_, DbError>(())
    })();
    if let Err(e) = r {
        let _ = db.rollback();
        return Err(e.into());
    }
    // A record query that changed no row (an UPDATE of an empty version table) would
    // leave a run saying adopted and a database still without a version.
    match detect_version(db, package) {
        Ok(found) if found.parse::<Version>().is_ok_and(|v| v == checked.version) => {}
        other => {
            let _ = db.rollback();
            let now = match other {
                Ok(v) => format!("reads {v}"),
                Err(e) => e.to_string(),
            };
            return Err(AdoptError::Refused(format!(
                "after [version] record wrote {version}, [version] detect still does not read it ({now}); the record query probably updates a row that does not exist: add the version row by hand as the product expects, then upgrade; nothing was changed"
            )));
        }
    }
    db.commit()?;
    Ok(Adopted {
        run_id,
        version,
        ignored,
        reason: reason.map(str::to_string),
    })
}

/// The refusal for differences: each listed, and the way past them.
pub fn refusal(checked: &AdoptCheck) -> String {
    let by = checked
        .declared_by
        .as_ref()
        .map_or(String::new(), |v| format!(" (declared by release {v})"));
    format!(
        "the database does not have the columns the package declares for {}{by}: {}; check that it really is at {}, or adopt anyway with --ignore-differences --reason \"...\"; nothing was changed",
        checked.version,
        checked
            .differences
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        checked.version
    )
}
