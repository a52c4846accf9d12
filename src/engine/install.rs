//! A fresh install: a new database created at a base version from the package's
//! baseline and release scripts, in one transaction.

use std::time::Instant;

use super::error::EngineError;
use super::events::{Event, Outcome, RunReport, Sink, Summary};
use super::journal::{Journal, RunRecord, RunState, WHOLE_STEP};
use super::log::{now_iso, Reporter};
use super::prepare::detect_version;
use super::template::fill;
use crate::db::{self, ConnectSpec, Database, OpenMode, Value};
use crate::package::{read_script, Package, Version};
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
        for s in &r.scripts {
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
    let record = package.record.get(rdbms).ok_or_else(|| {
        EngineError::BadInput(format!("[version] record has no {} entry", rdbms.key()))
    })?;

    rep.info(format!(
        "Creating {} {target} in {} database {}",
        package.product.name,
        rdbms,
        spec.redacted()
    ));
    let mut db = db::open(spec, OpenMode::Create).map_err(EngineError::Connect)?;
    if let Ok(v) = detect_version(db.as_mut(), package) {
        return Err(EngineError::AlreadyInstalled {
            product: package.product.name.clone(),
            version: v,
        });
    }
    if let Some(path) = spec.sqlite_path() {
        let _ = crate::fsutil::make_private(path);
    }
    apply(
        db.as_mut(),
        &scripts,
        &items,
        record,
        &target,
        baseline.version.clone(),
        rep,
    )
    .map_err(EngineError::Db)?;
    summary.from = Some(baseline.version.to_string());
    summary.to = Some(target.to_string());
    summary.reached = Some(target.to_string());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn apply(
    db: &mut dyn Database,
    scripts: &[(Option<String>, crate::package::LoadedScript)],
    items: &[(String, crate::package::LoadedScript)],
    record: &str,
    target: &Version,
    base: Version,
    rep: &mut Reporter,
) -> Result<(), db::DbError> {
    Journal::new(db).ensure_tables()?;
    db.begin()?;
    let result = (|| {
        for (_, script) in scripts {
            rep.info(format!(
                "Running {} ({} statements)",
                script.path.display(),
                script.statements.len()
            ));
            for stmt in &script.statements {
                db.execute(&stmt.sql).map_err(|e| {
                    db::DbError::statement(format!(
                        "{}, line {}: {e}",
                        script.path.display(),
                        stmt.line
                    ))
                })?;
            }
        }
        for (query, script) in items {
            let rows = db.query(query)?;
            rep.info(format!(
                "Running {} for {} item(s)",
                script.path.display(),
                rows.rows.len()
            ));
            for row in &rows.rows {
                for stmt in &script.statements {
                    let sql = fill(&stmt.sql, |n| {
                        rows.columns
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(n))
                            .map(|i| db.quote(&row[i]))
                    })
                    .map_err(db::DbError::statement)?;
                    db.execute(&sql).map_err(|e| {
                        db::DbError::statement(format!(
                            "{}, line {}: {e}",
                            script.path.display(),
                            stmt.line
                        ))
                    })?;
                }
            }
        }
        let literal = db.quote(&Value::Text(target.to_string()));
        let sql = fill(record, |n| (n == "version").then(|| literal.clone()))
            .map_err(db::DbError::statement)?;
        db.execute(&sql)?;
        let run_id = format!("install-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ"));
        let me = super::lock::LockOwner::me(&run_id);
        let mut j = Journal::new(db);
        j.start_run(
            &RunRecord {
                run_id: run_id.clone(),
                from: base.to_string(),
                to: target.to_string(),
                state: RunState::Completed,
                started_at: now_iso(),
                error: None,
            },
            &me.host,
            me.pid,
            &me.user,
        )?;
        for (key, script) in scripts {
            if let Some(key) = key {
                j.record(
                    &run_id,
                    key,
                    WHOLE_STEP,
                    Some(&script.checksum),
                    Some("install"),
                )?;
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => db.commit(),
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}
