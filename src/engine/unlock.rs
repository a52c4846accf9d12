//! `upwiz unlock`: clears the owner record of the upgrade lock once the operator has
//! seen the owner. A live owner keeps it unless forced.

use super::journal::{Journal, RepairRecord};
use super::lock::{self, LockOwner};
use super::log::now_iso;
use super::process;
use crate::db::{Database, DbError};

/// What `unlock` finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    Free,
    /// Its owner is gone: clearing it loses nothing.
    Stale(LockOwner),
    /// Its owner still runs (or, on another host, beat recently).
    Alive(LockOwner),
}

pub fn look(db: &mut dyn Database) -> Result<LockState, DbError> {
    Ok(match lock::inspect(db)? {
        None => LockState::Free,
        Some(o) if o.stale => LockState::Stale(o),
        Some(o) => LockState::Alive(o),
    })
}

/// Removes the owner record `owner` and records it with `reason`; None when the lock
/// changed hands since it was looked at (nothing was changed).
pub fn clear(
    db: &mut dyn Database,
    product: &str,
    owner: &LockOwner,
    forced: bool,
    reason: &str,
) -> Result<Option<RepairRecord>, DbError> {
    let mut journal = Journal::new(db);
    journal.ensure_tables()?;
    let record = RepairRecord {
        at: now_iso(),
        action: "unlock".into(),
        product: Some(product.to_string()),
        run_id: Some(owner.run_id.clone()).filter(|r| !r.is_empty()),
        detail: format!(
            "cleared the lock of {owner}{}",
            if forced {
                " (forced while it was alive)"
            } else {
                " (no longer running)"
            }
        ),
        reason: reason.to_string(),
        host: process::host_name(),
        user: process::user_name(),
    };
    db.begin()?;
    let done = lock::clear(db, owner).and_then(|n| {
        if n == 0 {
            return Ok(false);
        }
        Journal::new(db).record_repair(&record)?;
        Ok(true)
    });
    match done {
        Ok(true) => {
            db.commit()?;
            Ok(Some(record))
        }
        Ok(false) => {
            db.rollback()?;
            Ok(None)
        }
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}
