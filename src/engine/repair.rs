//! The recorded ways out of a stuck state (`upwiz repair`): close a failed or
//! interrupted run as abandoned, or accept the changed checksum of an applied script.
//! Each is stated before it is done and recorded with the operator's reason.

use super::journal::{Journal, RepairRecord, RunState};
use super::log::now_iso;
use super::process;
use crate::db::{Database, DbError};
use crate::package::{read_script, Package};
use crate::plan::{KeyOf, StepKey};

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// Close the product's unfinished run: the next run plans afresh.
    AbandonRun,
    /// Hold an applied script to its checksum as it is now. The script is named by its
    /// step key (`script/9.1/01_emails`), `release/name`, its name alone, or its file.
    AcceptChecksum(String),
}

/// A repair decided and described, not yet done.
#[derive(Debug, Clone)]
pub struct RepairPlan {
    pub repair: Repair,
    /// What will be done, in the operator's words.
    pub description: String,
    run_id: Option<String>,
    step_key: Option<String>,
    checksum: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// Nothing to do or not allowed; nothing was changed (exit 2).
    #[error("{0}")]
    Refused(String),
    #[error("the journal could not be read or written: {0}")]
    Db(#[from] DbError),
}

/// Decides what `repair` would do to `package`'s product in `db`; changes nothing.
pub fn plan(
    db: &mut dyn Database,
    package: &Package,
    repair: &Repair,
) -> Result<RepairPlan, RepairError> {
    let product = &package.product.name;
    let mut journal = Journal::new(db);
    if !journal.exists()? {
        return Err(RepairError::Refused(format!(
            "this database has no upwiz journal: no run of {product} ever started here, so there is nothing to repair"
        )));
    }
    match repair {
        Repair::AbandonRun => {
            let Some(run) = journal.unfinished_run(product)? else {
                return Err(RepairError::Refused(format!(
                    "{product} has no failed or interrupted run to abandon; 'upwiz status' shows the state"
                )));
            };
            Ok(RepairPlan {
                repair: repair.clone(),
                description: format!(
                    "mark the {} run {} ({} -> {}, started {}) abandoned: it will never be continued, and the next run plans afresh from the version detected then; what it changed stays in the database",
                    run.state.as_str(),
                    run.run_id,
                    run.from,
                    run.to,
                    run.started_at
                ),
                run_id: Some(run.run_id),
                step_key: None,
                checksum: None,
            })
        }
        Repair::AcceptChecksum(script) => {
            let rdbms = db.rdbms();
            let applied = Journal::new(db).applied_scripts(product)?;
            let mut found: Option<(String, String, String, std::path::PathBuf)> = None;
            for (key, was) in applied {
                let Ok(parsed) = key.parse::<StepKey>() else {
                    continue;
                };
                let KeyOf::Script { release, name } = parsed.of() else {
                    continue;
                };
                let Some(path) = package
                    .release(release)
                    .and_then(|r| r.scripts.iter().find(|s| &s.name == name))
                    .and_then(|s| s.files.get(rdbms))
                else {
                    continue;
                };
                if !names(script, &key, &release.to_string(), name, path) {
                    continue;
                }
                let now = read_script(path, rdbms)
                    .map_err(|e| RepairError::Refused(e.to_string()))?
                    .checksum;
                if now != was {
                    found = Some((key, was, now, path.clone()));
                    break;
                }
                found.get_or_insert((key, was.clone(), was, path.clone()));
            }
            let Some((key, was, now, path)) = found else {
                return Err(RepairError::Refused(format!(
                    "no applied script of {product} is named '{script}'; name it as 'upwiz plan --sql' and the error that stopped the run do (e.g. script/9.1/01_emails or 9.1/01_emails)"
                )));
            };
            if was == now {
                return Err(RepairError::Refused(format!(
                    "the script {key} ({}) has the checksum it was applied with; there is nothing to accept",
                    path.display()
                )));
            }
            Ok(RepairPlan {
                repair: repair.clone(),
                description: format!(
                    "accept the changed script {key} ({}): it was applied with checksum {was} and is now {now}; upwiz will hold it to the new checksum and not run it again",
                    path.display()
                ),
                run_id: None,
                step_key: Some(key),
                checksum: Some(now),
            })
        }
    }
}

/// Whether what the operator typed names this script.
fn names(given: &str, key: &str, release: &str, name: &str, path: &std::path::Path) -> bool {
    let given = given.trim();
    if given == key || given == format!("{release}/{name}") || given == name {
        return true;
    }
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    canonical(std::path::Path::new(given)).is_some_and(|g| Some(g) == canonical(path))
}

/// Does `plan` (made again under the lock by the caller) and records it with `reason`.
pub fn apply(
    db: &mut dyn Database,
    package: &Package,
    plan: &RepairPlan,
    reason: &str,
) -> Result<RepairRecord, RepairError> {
    let product = package.product.name.clone();
    let mut journal = Journal::new(db);
    journal.ensure_tables()?;
    let (action, detail) = match &plan.repair {
        Repair::AbandonRun => {
            let run_id = plan.run_id.as_deref().unwrap_or_default();
            journal.set_state(
                run_id,
                RunState::Abandoned,
                Some(&format!("abandoned by the operator: {reason}")),
            )?;
            ("abandon-run", plan.description.clone())
        }
        Repair::AcceptChecksum(_) => {
            let key = plan.step_key.as_deref().unwrap_or_default();
            let checksum = plan.checksum.as_deref().unwrap_or_default();
            journal.accept_checksum(&product, key, checksum)?;
            ("accept-checksum", plan.description.clone())
        }
    };
    let record = RepairRecord {
        at: now_iso(),
        action: action.into(),
        product: Some(product),
        run_id: plan.run_id.clone(),
        detail,
        reason: reason.to_string(),
        host: process::host_name(),
        user: process::user_name(),
    };
    journal.record_repair(&record)?;
    Ok(record)
}

/// Removes the state-file mirror of the database `spec` names when it mirrors one of
/// `closed` (runs the operator closed; None: any, the database was replaced):
/// otherwise the wizard, which reads the mirror before it connects, would offer to
/// continue a run that no longer exists.
pub fn forget_mirror(
    state_dir: &std::path::Path,
    spec: &crate::db::ConnectSpec,
    closed: Option<&[String]>,
) {
    let path = super::state_file::path_for(state_dir, spec);
    let mirrored = super::state_file::read(&path);
    if mirrored.is_some_and(|s| closed.is_none_or(|c| c.contains(&s.run_id))) {
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use crate::db::{ConnectSpec, OpenMode};
    use crate::engine::journal::{Journal, RepairRecord};
    use crate::rdbms::Rdbms;

    #[test]
    fn a_journal_from_before_repairs_gets_their_table_and_reads_empty_until_then() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ConnectSpec::parse(
            Rdbms::Sqlite,
            &dir.path().join("old.db").display().to_string(),
            None,
            None,
        )
        .unwrap();
        let mut db = crate::db::open(&spec, OpenMode::Create).unwrap();
        Journal::new(db.as_mut()).ensure_tables().unwrap();
        db.execute("DROP TABLE upwiz_repairs").unwrap();
        assert!(Journal::new(db.as_mut()).repairs("p").unwrap().is_empty());
        Journal::new(db.as_mut()).ensure_tables().unwrap();
        let r = RepairRecord {
            at: "2026-11-29T20:00:00Z".into(),
            action: "unlock".into(),
            product: Some("p".into()),
            run_id: None,
            detail: "d".into(),
            reason: "it's 'quoted'".into(),
            host: "h".into(),
            user: "u".into(),
        };
        Journal::new(db.as_mut()).record_repair(&r).unwrap();
        assert_eq!(Journal::new(db.as_mut()).repairs("p").unwrap(), vec![r]);
        assert!(Journal::new(db.as_mut())
            .repairs("other")
            .unwrap()
            .is_empty());
    }
}
