//! Maintenance mode (`[maintenance]` in the package): the application is locked out
//! from before the first step that changes the database until the post-upgrade tests
//! have passed. Both switches are steps of the run, journaled like any other, so a
//! crash leaves it on, a resumed run does not switch it on again, and only the end of
//! the upgrade switches it off. A run that fails or stops leaves it on: the application
//! must not work on a half-upgraded database.

use std::time::Duration;

use super::events::Outcome;
use super::journal::WHOLE_STEP;
use super::log::Reporter;
use super::steps::{StepCx, StepError, StepResult};
use crate::db::{Database, DbError, Value};
use crate::package::{MaintenanceSwitch, Package};
use crate::plan::{KeyOf, Step, StepKey, StepKind};

/// How long a switching program may take (stopping a service can be slow).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(600);

fn key(on: bool) -> StepKey {
    StepKey::new(KeyOf::Maintenance { on })
}

/// `steps` with maintenance mode switched on after the first preflight checks (they
/// only read, and a refused upgrade should not lock anybody out) and before the first
/// backup, so that the backup is of a database nobody writes to; and off as the very
/// last step, after the post-upgrade tests.
pub fn with_steps(package: &Package, mut steps: Vec<Step>) -> Vec<Step> {
    if package.maintenance.is_none() || steps.is_empty() {
        return steps;
    }
    let at = steps
        .iter()
        .position(|s| s.kind != StepKind::Preflight)
        .unwrap_or(steps.len());
    let first_leg = steps[0].leg;
    let last_leg = steps[steps.len() - 1].leg;
    steps.insert(
        at,
        Step {
            key: key(true),
            leg: first_leg,
            kind: StepKind::Maintenance { on: true },
            title: "Maintenance mode on: lock the application out".into(),
        },
    );
    steps.push(Step {
        key: key(false),
        leg: last_leg,
        kind: StepKind::Maintenance { on: false },
        title: "Maintenance mode off: let the application back in".into(),
    });
    steps
}

/// Refuses, before anything changes, a maintenance mode the run could switch on but
/// not off (or not on) on this RDBMS.
pub fn check(package: &Package, rdbms: crate::rdbms::Rdbms) -> Result<(), super::EngineError> {
    let Some(m) = &package.maintenance else {
        return Ok(());
    };
    for (which, switch) in [("on", &m.on), ("off", &m.off)] {
        if let MaintenanceSwitch::Sql(sql) = switch {
            if sql.get(rdbms).is_none() {
                return Err(super::EngineError::BadInput(format!(
                    "[maintenance] {which} in {} has no SQL for {rdbms}; add a {} entry",
                    package.manifest_path.display(),
                    rdbms.key()
                )));
            }
        }
    }
    Ok(())
}

/// The package as a rehearsal runs it: SQL switches act on the scratch copy like the
/// rest of the upgrade, but a program switch acts on the live system (it would stop
/// the real application), so a package with one rehearses without maintenance mode.
pub fn for_rehearsal(package: &std::sync::Arc<Package>) -> std::sync::Arc<Package> {
    let commands = package
        .maintenance
        .as_ref()
        .is_some_and(|m| m.runs_a_program());
    if !commands {
        return package.clone();
    }
    std::sync::Arc::new(Package {
        maintenance: None,
        ..(**package).clone()
    })
}

/// Runs the package's switch `on` or off as a step, and records it.
pub(super) fn switch_step(cx: &mut StepCx, on: bool) -> StepResult {
    match switch(cx.db, &cx.req.package, cx.rep, cx.run_id, on) {
        Ok(()) => StepResult::Done(None),
        Err(e) => StepResult::Failed(e),
    }
}

/// Switches maintenance mode and records it in the journal under `run_id`: SQL in one
/// transaction with its record, a program before its record (run again if the record
/// is lost, which switching twice tolerates).
fn switch(
    db: &mut dyn Database,
    package: &Package,
    rep: &mut Reporter,
    run_id: &str,
    on: bool,
) -> Result<(), StepError> {
    let which = if on { "on" } else { "off" };
    let Some(m) = &package.maintenance else {
        return Err(StepError::Package(
            "the package has no [maintenance] section".into(),
        ));
    };
    let switch = if on { &m.on } else { &m.off };
    let key = key(on);
    let rdbms = db.rdbms();
    rep.info(format!(
        "Switching maintenance mode {which} ({})",
        switch.describe(rdbms)
    ));
    match switch {
        MaintenanceSwitch::Sql(sql) => {
            let Some(sql) = sql.get(rdbms) else {
                return Err(StepError::Package(format!(
                    "[maintenance] {which} in {} has no SQL for {rdbms}; add a {} entry",
                    package.manifest_path.display(),
                    rdbms.key()
                )));
            };
            let r = db.begin().and_then(|_| {
                db.execute(sql)?;
                super::journal::Journal::new(db).record_and_commit(run_id, &key, WHOLE_STEP, None)
            });
            if let Err(e) = r {
                let _ = db.rollback();
                return Err(StepError::Package(format!(
                    "[maintenance] {which}: {e}; fix the SQL or the database and run upwiz again"
                )));
            }
        }
        MaintenanceSwitch::Command(argv) => {
            super::command::run(argv, &package.dir, COMMAND_TIMEOUT, rep).map_err(|e| {
                StepError::Package(format!(
                    "[maintenance] {which}: {e}; fix the cause and run upwiz again"
                ))
            })?;
            super::journal::Journal::new(db)
                .record(run_id, &key, WHOLE_STEP, None, None)
                .map_err(|e| StepError::journal(format!("record maintenance {which}"), e))?;
        }
    }
    rep.info(format!("Maintenance mode is {which}."));
    Ok(())
}

/// The run whose `maintenance/on` is the newest switch of `product` in the journal,
/// when no `maintenance/off` followed it: the application is still locked out.
pub fn left_on(db: &mut dyn Database, product: &str) -> Result<Option<String>, DbError> {
    if !db.table_exists("upwiz_journal")? || !db.table_exists("upwiz_runs")? {
        return Ok(None);
    }
    let r = db.query_with(
        "SELECT j.run_id, j.step_key FROM upwiz_journal j JOIN upwiz_runs r ON r.run_id = j.run_id \
         WHERE (r.product = ? OR r.product IS NULL) AND j.stmt_index = ? AND j.step_key IN (?, ?) \
         ORDER BY j.finished_at DESC",
        &[
            Value::Text(product.to_string()),
            Value::Int(WHOLE_STEP),
            Value::Text(key(true).to_string()),
            Value::Text(key(false).to_string()),
        ],
    )?;
    let newest = r.rows.first().map(|row| {
        let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
        (t(0), t(1))
    });
    Ok(newest
        .filter(|(_, k)| *k == key(true).as_str())
        .map(|(run, _)| run))
}

/// `status`: "on" or "off", or None when the package has no maintenance mode.
pub fn state(db: &mut dyn Database, package: &Package) -> Result<Option<&'static str>, DbError> {
    if package.maintenance.is_none() {
        return Ok(None);
    }
    Ok(Some(match left_on(db, &package.product.name)? {
        Some(_) => "on",
        None => "off",
    }))
}

/// Whether a run that finds nothing to do must still go on to switch maintenance mode
/// off: an earlier run left it on (it was abandoned, or restored, after switching on).
pub fn pending_off(db: &mut dyn Database, package: &Package) -> bool {
    package.maintenance.is_some() && matches!(left_on(db, &package.product.name), Ok(Some(_)))
}

/// Under the lock, with nothing to do: switches off a maintenance mode an earlier run
/// left on, recorded under that run. None when there was nothing to switch off.
pub(super) fn off_if_left_on(
    db: &mut dyn Database,
    package: &Package,
    rep: &mut Reporter,
) -> Option<Outcome> {
    package.maintenance.as_ref()?;
    let run_id = match left_on(db, &package.product.name) {
        Ok(Some(run)) => run,
        Ok(None) => return None,
        Err(e) => {
            return Some(Outcome::Failed {
                step: "read the maintenance mode".into(),
                error: e.to_string(),
            })
        }
    };
    rep.warn(format!(
        "Maintenance mode was left on by the run {run_id}, and the database is at the target: switching it off."
    ));
    match switch(db, package, rep, &run_id, false) {
        Ok(()) => None,
        Err(e) => Some(Outcome::Failed {
            step: "Maintenance mode off".into(),
            error: e.to_string(),
        }),
    }
}

/// After a run that did not complete: says that the application is still locked out.
pub(super) fn say_if_left_on(
    db: &mut dyn Database,
    package: &Package,
    outcome: &Outcome,
    rep: &mut Reporter,
) {
    if matches!(outcome, Outcome::Completed | Outcome::NothingToDo) {
        return;
    }
    if pending_off(db, package) {
        rep.warn(
            "Maintenance mode is still on: the application stays locked out of the unfinished upgrade until a run completes it (upwiz run continues it and switches maintenance mode off at the end).",
        );
    }
}
