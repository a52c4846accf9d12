//! What the journal keeps of each run for the stage gates: the checksum of the package
//! it ran, and how it passed its own stage gate (or that the operator skipped it, and
//! why). One row a run, in a table of its own, beside the journal's.

use serde::Serialize;

use crate::db::{Database, DbError, Value};

const TABLE: &str = "upwiz_run_packages";
const DDL: &str = "CREATE TABLE upwiz_run_packages (run_id VARCHAR(64) NOT NULL, product VARCHAR(255), package_sha256 VARCHAR(64) NOT NULL, environment VARCHAR(255), gate VARCHAR(16), reason TEXT, recorded_at VARCHAR(40))";

/// One run's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub package_sha256: String,
    /// The `[[environment]]` the run was started for, if it was.
    pub environment: Option<String>,
    /// `passed` (the stage before completed the same upgrade), `skipped` (the operator
    /// overrode the gate; `reason` says why) or None (no stage gate applied).
    pub gate: Option<String>,
    pub reason: Option<String>,
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, text)
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn ensure(db: &mut dyn Database) -> Result<(), DbError> {
    if !db.table_exists(TABLE)? {
        db.execute(DDL)?;
    }
    Ok(())
}

/// Records the package `run_id` runs, once: a resumed run keeps the first record (it
/// refuses to go on with changed scripts anyway).
pub fn record_package(
    db: &mut dyn Database,
    run_id: &str,
    product: &str,
    sha256: &str,
) -> Result<(), DbError> {
    ensure(db)?;
    if of(db, run_id)?.is_some() {
        return Ok(());
    }
    db.execute_with(
        "INSERT INTO upwiz_run_packages (run_id, product, package_sha256, recorded_at) VALUES (?, ?, ?, ?)",
        &[text(run_id), text(product), text(sha256), text(&now())],
    )
    .map(|_| ())
}

/// Records the environment of `run_id` and how its stage gate was passed.
pub fn record_gate(
    db: &mut dyn Database,
    run_id: &str,
    product: &str,
    sha256: &str,
    environment: &str,
    gate: &str,
    reason: Option<&str>,
) -> Result<(), DbError> {
    record_package(db, run_id, product, sha256)?;
    db.execute_with(
        "UPDATE upwiz_run_packages SET environment = ?, gate = ?, reason = ? WHERE run_id = ?",
        &[text(environment), text(gate), opt(reason), text(run_id)],
    )
    .map(|_| ())
}

/// The row of `run_id`, if the run recorded one (runs of upwiz before stage gates did not).
pub fn of(db: &mut dyn Database, run_id: &str) -> Result<Option<Mark>, DbError> {
    if !db.table_exists(TABLE)? {
        return Ok(None);
    }
    let r = db.query_with(
        "SELECT package_sha256, environment, gate, reason FROM upwiz_run_packages WHERE run_id = ?",
        &[text(run_id)],
    )?;
    Ok(r.rows.first().map(|row| {
        let t = |i: usize| row.get(i).and_then(Value::as_text);
        Mark {
            package_sha256: t(0).unwrap_or_default(),
            environment: t(1),
            gate: t(2),
            reason: t(3),
        }
    }))
}

/// How the run about to start passed its stage gate: the front end puts it in the
/// run's request (`RunRequest::stage`), and the run records it with its package as it
/// starts, so that an override is on record even if the run then dies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateContext {
    pub environment: String,
    /// `passed`, `skipped` or `first-stage`.
    pub gate: String,
    pub reason: Option<String>,
    /// What the gate saw (the previous stage's run, or what it lacked).
    pub detail: String,
}

/// Called as a run starts (or resumes) under its lock: records the package's checksum
/// and, when its request has one, the stage gate it passed; a skipped gate is also
/// recorded among the operator's ways out (`upwiz repair --list`).
pub fn record_run(
    db: &mut dyn Database,
    run_id: &str,
    package: &crate::package::Package,
    stage: Option<&GateContext>,
) -> Result<(), String> {
    let sha = super::checksum::package_sha256(&package.dir).map_err(|e| {
        format!(
            "cannot compute the package checksum of {}: {e}",
            package.dir.display()
        )
    })?;
    let product = &package.product.name;
    let e = |e: DbError| format!("cannot record the package checksum in the journal: {e}");
    match stage {
        None => record_package(db, run_id, product, &sha).map_err(e),
        Some(c) => {
            record_gate(
                db,
                run_id,
                product,
                &sha,
                &c.environment,
                &c.gate,
                c.reason.as_deref(),
            )
            .map_err(e)?;
            if c.gate == "skipped" {
                let me = crate::engine::LockOwner::me(run_id);
                crate::engine::Journal::new(db)
                    .record_repair(&crate::engine::RepairRecord {
                        at: now(),
                        action: "skip-stage-gate".into(),
                        product: Some(product.clone()),
                        run_id: Some(run_id.to_string()),
                        detail: format!("environment {}: {}", c.environment, c.detail),
                        reason: c.reason.clone().unwrap_or_default(),
                        host: me.host,
                        user: me.user,
                    })
                    .map_err(e)?;
            }
            Ok(())
        }
    }
}
