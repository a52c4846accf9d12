//! A fresh install: a new database created at a base version from the package's
//! baseline and release scripts, in one transaction.

use std::time::Instant;

use super::error::EngineError;
use super::events::{Event, Outcome, RunReport, Sink, Summary};
use super::journal::{Journal, RunRecord, RunState, StmtState, WHOLE_STEP};
use super::log::{now_iso, Reporter};
use super::prepare::detect_version;
use super::steps::is_data_statement;
use super::steps::statement::run_committing;
use super::template::bind;
use super::versions_table::{version_write, How, VersionWrite};
use crate::db::{self, ConnectSpec, Database, OpenMode, Value};
use crate::package::{read_script, LoadedScript, Package, Version};
use crate::paths::Dirs;
use crate::plan::resolve_target;

pub fn install(
    package: &Package,
    spec: &ConnectSpec,
    version: Option<&str>,
    dirs: &Dirs,
    sink: Sink,
) -> RunReport {
    let started = Instant::now();
    let (mut rep, log_err) = Reporter::open(&dirs.log_dir, sink);
    let mut summary = Summary {
        product: package.product.name.clone(),
        log_path: Some(rep.path().to_path_buf()),
        ..Summary::default()
    };
    let outcome = match log_err {
        Some(source) => Err(EngineError::LogDir {
            dir: dirs.log_dir.display().to_string(),
            source,
        }),
        None => go(package, spec, version, &mut rep, &mut summary),
    };
    let outcome = match outcome {
        Ok(()) => Outcome::Completed,
        Err(e) if e.is_bad_input() => Outcome::BadInput {
            error: e.to_string(),
        },
        Err(e) => Outcome::Failed {
            step: "install".into(),
            error: e.to_string(),
        },
    };
    match &outcome {
        Outcome::Completed => rep.info(format!(
            "Installed {} {} in {}.",
            package.product.name,
            summary.to.clone().unwrap_or_default(),
            spec.redacted()
        )),
        Outcome::BadInput { error } | Outcome::Failed { error, .. } => rep.error(error.clone()),
        _ => {}
    }
    summary.duration = started.elapsed();
    let report = RunReport { outcome, summary };
    rep.emit(Event::Finished(report.clone()));
    report
}

fn go(
    package: &Package,
    spec: &ConnectSpec,
    version: Option<&str>,
    rep: &mut Reporter,
    summary: &mut Summary,
) -> Result<(), EngineError> {
    let rdbms = spec.rdbms;
    let target = resolve_target(package, version)?;
    let baseline = package
        .baselines
        .iter()
        .filter(|b| b.version <= target && b.files.get(rdbms).is_some())
        .max_by(|a, b| a.version.cmp(&b.version))
        .ok_or_else(|| {
            EngineError::BadInput(format!(
                "the package has no {} baseline at or below {target}, so it cannot create a new database",
                rdbms.key()
            ))
        })?;
    let mut scripts = vec![(
        None,
        read_script(baseline.files.get(rdbms).expect("filtered"), rdbms)?,
    )];
    for r in package
        .releases
        .iter()
        .filter(|r| r.version > baseline.version && r.version <= target)
    {
        for s in r.scripts.iter().filter(|s| !s.nothing_on(rdbms)) {
            let path = s.files.get(rdbms).ok_or_else(|| {
                EngineError::BadInput(format!(
                    "release {} has no {} script for '{}'",
                    r.version,
                    rdbms.key(),
                    s.name
                ))
            })?;
            scripts.push((
                Some(format!("script/{}/{}", r.version, s.name)),
                read_script(path, rdbms)?,
            ));
        }
    }
    // Per-item steps of the releases above the baseline: a fresh install at 11.0 must
    // hold what an upgrade to 11.0 would.
    let mut items = Vec::new();
    for item in package
        .items
        .iter()
        .filter(|i| i.release > baseline.version && i.release <= target)
    {
        let (Some(query), Some(path)) = (item.query.get(rdbms), item.files.get(rdbms)) else {
            return Err(EngineError::BadInput(format!(
                "per-item step '{}' has no {} query or script",
                item.name,
                rdbms.key()
            )));
        };
        items.push((query.clone(), read_script(path, rdbms)?));
    }
    let record = version_write(package, rdbms, target.as_str(), How::Installed)
        .map_err(EngineError::BadInput)?;

    rep.info(format!(
        "Creating {} {target} in {} database {}",
        package.product.name,
        rdbms,
        spec.redacted()
    ));
    let mut db = db::open(spec, OpenMode::Create).map_err(EngineError::Connect)?;
    let unfinished =
        incomplete_install(db.as_mut(), &package.product.name).map_err(EngineError::Db)?;
    if let Some(run) = &unfinished {
        if run.to != target.to_string() {
            return Err(EngineError::BadInput(format!(
                "an install of {} {} did not finish here; run install --version {} to finish it",
                package.product.name, run.to, run.to
            )));
        }
        rep.warn(format!(
            "Continuing the install of {} {} that did not finish (started {}).",
            package.product.name, run.to, run.started_at
        ));
    } else if let Ok(v) = detect_version(db.as_mut(), package) {
        return Err(EngineError::AlreadyInstalled {
            product: package.product.name.clone(),
            version: v,
        });
    }
    if let Some(path) = spec.sqlite_path() {
        let _ = crate::fsutil::make_private(path);
    }
    let plan = Plan {
        product: &package.product.name,
        scripts: &scripts,
        items: &items,
        record: &record,
        target: &target,
        base: baseline.version.clone(),
    };
    if db.transactional_ddl() {
        apply(db.as_mut(), &plan, rep).map_err(EngineError::Db)?;
    } else {
        apply_journaled(db.as_mut(), &plan, unfinished, rep).map_err(EngineError::Db)?;
    }
    summary.from = Some(baseline.version.to_string());
    summary.to = Some(target.to_string());
    summary.reached = Some(target.to_string());
    Ok(())
}

/// What an install runs, in order.
struct Plan<'a> {
    product: &'a str,
    scripts: &'a [(Option<String>, LoadedScript)],
    items: &'a [(String, LoadedScript)],
    record: &'a VersionWrite,
    target: &'a Version,
    base: Version,
}

/// The install that started here and did not finish, if any.
fn incomplete_install(
    db: &mut dyn Database,
    product: &str,
) -> Result<Option<RunRecord>, db::DbError> {
    Ok(Journal::new(db)
        .last_run(product)?
        .filter(|r| r.state == RunState::Installing))
}

fn new_run(plan: &Plan, state: RunState) -> RunRecord {
    RunRecord {
        product: Some(plan.product.to_string()),
        run_id: format!("install-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ")),
        from: plan.base.to_string(),
        to: plan.target.to_string(),
        state,
        started_at: now_iso(),
        error: None,
    }
}

fn start(db: &mut dyn Database, rec: &RunRecord) -> Result<(), db::DbError> {
    let me = super::lock::LockOwner::me(&rec.run_id);
    Journal::new(db).start_run(rec, &me.host, me.pid, &me.user)
}

fn failed_at(script: &LoadedScript, line: usize, e: impl std::fmt::Display) -> db::DbError {
    db::DbError::statement(format!("{}, line {line}: {e}", script.path.display()))
}

/// The per-item script for one row, its `{{column}}` placeholders bound to the row.
fn run_item(
    db: &mut dyn Database,
    script: &LoadedScript,
    columns: &[String],
    row: &[Value],
) -> Result<(), db::DbError> {
    for stmt in &script.statements {
        let (sql, params) = bind(&stmt.sql, |n| {
            columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(n))
                .map(|i| row[i].clone())
        })
        .map_err(|e| failed_at(script, stmt.line, e))?;
        let r = if params.is_empty() {
            db.execute(&sql)
        } else {
            db.execute_with(&sql, &params)
        };
        r.map_err(|e| failed_at(script, stmt.line, e))?;
    }
    Ok(())
}

/// The version record: the package's query, its `{{version}}` a bind parameter, or
/// upwiz's own row.
fn record_version(db: &mut dyn Database, plan: &Plan) -> Result<(), db::DbError> {
    plan.record.apply(db)
}

/// Where DDL is transactional: everything, and its journal, in one transaction.
fn apply(db: &mut dyn Database, plan: &Plan, rep: &mut Reporter) -> Result<(), db::DbError> {
    Journal::new(db).ensure_tables()?;
    db.begin()?;
    let result = (|| {
        for (_, script) in plan.scripts {
            rep.info(format!(
                "Running {} ({} statements)",
                script.path.display(),
                script.statements.len()
            ));
            for stmt in &script.statements {
                db.execute(&stmt.sql)
                    .map_err(|e| failed_at(script, stmt.line, e))?;
            }
        }
        for (query, script) in plan.items {
            let rows = db.query(query)?;
            rep.info(format!(
                "Running {} for {} item(s)",
                script.path.display(),
                rows.rows.len()
            ));
            for row in &rows.rows {
                run_item(db, script, &rows.columns, row)?;
            }
        }
        record_version(db, plan)?;
        let rec = new_run(plan, RunState::Completed);
        start(db, &rec)?;
        record_scripts(db, &rec.run_id, plan)
    })();
    match result {
        Ok(()) => db.commit(),
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}

fn record_scripts(db: &mut dyn Database, run_id: &str, plan: &Plan) -> Result<(), db::DbError> {
    let mut j = Journal::new(db);
    for (key, script) in plan.scripts {
        if let Some(key) = key {
            j.record(
                run_id,
                key,
                WHOLE_STEP,
                Some(&script.checksum),
                Some("install"),
            )?;
        }
    }
    Ok(())
}

/// Where DDL commits implicitly (MySQL): an install cannot be one transaction, so it is
/// journaled like an upgrade, statement by statement, under a run in state
/// `installing`. A failed or killed install leaves that run, which `status` reports
/// and which the next `install` continues where it stopped.
fn apply_journaled(
    db: &mut dyn Database,
    plan: &Plan,
    unfinished: Option<RunRecord>,
    rep: &mut Reporter,
) -> Result<(), db::DbError> {
    Journal::new(db).ensure_tables()?;
    let rec = match unfinished {
        Some(r) => r,
        None => {
            let rec = new_run(plan, RunState::Installing);
            start(db, &rec)?;
            rec
        }
    };
    let run_id = rec.run_id.clone();
    let result = (|| {
        let done = Journal::new(db).done_steps(&run_id)?;
        for (n, (_, script)) in plan.scripts.iter().enumerate() {
            let key = format!("install/{n}/{}", script.path.display());
            if done.contains(&key) {
                continue;
            }
            let states = Journal::new(db).statement_states(&run_id, &key)?;
            let first = (0..)
                .take_while(|i| states.get(i) == Some(&StmtState::Done))
                .count();
            rep.info(format!(
                "Running {} ({} statements{})",
                script.path.display(),
                script.statements.len(),
                if first > 0 {
                    format!(", continuing at statement {}", first + 1)
                } else {
                    String::new()
                }
            ));
            for i in first..script.statements.len() {
                let stmt = &script.statements[i];
                if is_data_statement(&stmt.sql) {
                    // A data statement commits with its record, so that a kill leaves
                    // both or neither: it never runs twice.
                    db.begin()?;
                    let known = states.contains_key(&i);
                    let r = db
                        .execute(&stmt.sql)
                        .map_err(|e| failed_at(script, stmt.line, e))
                        .and_then(|_| {
                            Journal::new(db).record_statements(
                                &run_id,
                                &key,
                                &[(i, known, stmt.sql.as_str())],
                                None,
                                true,
                            )
                        });
                    if let Err(e) = r {
                        let _ = db.rollback();
                        return Err(e);
                    }
                    continue;
                }
                run_committing(
                    db,
                    &mut |m| rep.warn(m),
                    &run_id,
                    &key,
                    script,
                    i,
                    states.get(&i),
                )
                .map_err(|e| db::DbError::statement(e.to_string()))?;
                let sql = script.statements[i].sql.as_str();
                Journal::new(db).record_statements(
                    &run_id,
                    &key,
                    &[(i, true, sql)],
                    None,
                    false,
                )?;
            }
            Journal::new(db).record(&run_id, &key, WHOLE_STEP, Some(&script.checksum), None)?;
        }
        for (n, (query, script)) in plan.items.iter().enumerate() {
            let key = format!("install-items/{n}");
            let ok = Journal::new(db).items_ok(plan.product, &key)?;
            let rows = db.query(query)?;
            rep.info(format!(
                "Running {} for {} item(s)",
                script.path.display(),
                rows.rows.len()
            ));
            let id_col = rows
                .columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case("id"))
                .unwrap_or(0);
            for row in &rows.rows {
                let id = row.get(id_col).map(Value::render).unwrap_or_default();
                if ok.contains(&id) {
                    continue;
                }
                db.begin()?;
                let r = run_item(db, script, &rows.columns, row)
                    .and_then(|_| Journal::new(db).record_item(plan.product, &key, &id, &id, None))
                    .and_then(|_| db.commit());
                if let Err(e) = r {
                    let _ = db.rollback();
                    return Err(e);
                }
            }
        }
        db.begin()?;
        let r = record_version(db, plan)
            .and_then(|_| record_scripts(db, &run_id, plan))
            .and_then(|_| Journal::new(db).set_state(&run_id, RunState::Completed, None))
            .and_then(|_| db.commit());
        if r.is_err() {
            let _ = db.rollback();
        }
        r
    })();
    if let Err(e) = &result {
        let _ = Journal::new(db).set_state(&run_id, RunState::Installing, Some(&e.message));
    }
    result
}
