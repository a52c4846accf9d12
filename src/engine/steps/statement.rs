//! One statement that commits on its own, run so that the journal always knows what
//! happened to it: started before it runs, failed when it fails, and, if its run died
//! while it ran, settled by the catalog on the next run.

use super::catalog::{invalid_indexes, settle, Settled};
use super::error::StepError;
use super::scripts::{excerpt, statement_failed};
use crate::db::Database;
use crate::engine::journal::{Journal, StmtState};
use crate::package::LoadedScript;

/// Runs statement `i` of `script` (step `step_key`); `prior` is what the journal knew
/// of it. Ok when it ran, or when it was running as an earlier run died and the catalog
/// shows it took effect. The caller records it as done.
pub(crate) fn run_committing(
    db: &mut dyn Database,
    warn: &mut dyn FnMut(String),
    run_id: &str,
    step_key: &str,
    script: &LoadedScript,
    i: usize,
    prior: Option<&StmtState>,
) -> Result<(), StepError> {
    let stmt = &script.statements[i];
    let at = format!(
        "{}, line {} (statement {})",
        script.path.display(),
        stmt.line,
        i + 1
    );
    let in_flight = prior == Some(&StmtState::Started);
    if prior.is_some() {
        drop_invalid_indexes(db, warn, &stmt.sql, &at)?;
    }
    let mut settled = Settled::NotApplied;
    if in_flight {
        settled = settle(db, &stmt.sql).map_err(|source| StepError::Catalog {
            at: at.clone(),
            source,
        })?;
        if settled == Settled::Applied {
            warn(format!(
                "  {at} was running when an earlier run died, and the catalog shows it took effect; continuing"
            ));
            return Ok(());
        }
    }
    Journal::new(db)
        .statement_started(run_id, step_key, i, prior.is_some(), &stmt.sql)
        .map_err(|e| StepError::journal(format!("record statement {}", i + 1), e))?;
    if let Err(e) = db.execute(&stmt.sql) {
        let _ = Journal::new(db).statement_failed(run_id, step_key, i, &e.to_string());
        if in_flight && settled == Settled::Unknown {
            return Err(StepError::InFlightUnknown {
                at,
                excerpt: excerpt(&stmt.sql),
                source: e,
            });
        }
        return Err(statement_failed(script, stmt, e));
    }
    Ok(())
}

/// Drops the invalid index a failed or interrupted concurrent build of `sql` left
/// (PostgreSQL), so that building it again can succeed.
fn drop_invalid_indexes(
    db: &mut dyn Database,
    warn: &mut dyn FnMut(String),
    sql: &str,
    at: &str,
) -> Result<(), StepError> {
    let invalid = invalid_indexes(db, sql).map_err(|source| StepError::Catalog {
        at: at.to_string(),
        source,
    })?;
    let concurrently = sql.to_ascii_uppercase().contains("CONCURRENTLY");
    for index in invalid {
        warn(format!(
            "  {at}: index {index} was left invalid by an earlier attempt; dropping it to build it again"
        ));
        let drop = format!(
            "DROP INDEX {}IF EXISTS {index}",
            if concurrently { "CONCURRENTLY " } else { "" }
        );
        db.execute(&drop)
            .map_err(|source| StepError::InvalidIndex {
                at: at.to_string(),
                index: index.clone(),
                source,
            })?;
    }
    Ok(())
}
