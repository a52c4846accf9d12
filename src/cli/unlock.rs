//! `upwiz unlock`: shows the lock's owner; clears it when the owner is gone (or forced).

use std::path::Path;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::said::Said;
use crate::engine::ways_out::{self, LockState};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    force: bool,
    reason: Option<String>,
    yes: bool,
    json: bool,
) -> Result<i32, BadInput> {
    let mut said = Said::new(json);
    said.set("cleared", false);
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let state = ways_out::look_at_lock(session.db())?;
    let (owner, alive) = match state {
        LockState::Free => {
            said.line("The upgrade lock is free; there is nothing to unlock.".into());
            return Ok(said.finish(exit::OK));
        }
        LockState::Stale(o) => (o, false),
        LockState::Alive(o) => (o, true),
    };
    said.set("lock", &owner);
    said.set("alive", alive);
    let run = if owner.run_id.is_empty() {
        String::new()
    } else {
        format!(", run {}", owner.run_id)
    };
    said.line(format!(
        "The upgrade lock is held by {owner}{run}; last heartbeat {}; {}.",
        owner.heartbeat_at,
        if alive {
            "that owner is still alive"
        } else {
            "that owner is no longer running"
        }
    ));
    if alive && !force {
        said.error("refused: the owner is alive; wait for it to finish, or stop it, or clear the lock anyway with --force (an upgrade that is really running then runs unguarded); nothing was changed".into());
        return Ok(said.finish(exit::LOCKED));
    }
    if !yes {
        said.line("Nothing was changed: run again with --yes to clear the lock.".into());
        return Ok(said.finish(exit::BAD_INPUT));
    }
    let reason = match reason.map(|r| r.trim().to_string()) {
        Some(r) if !r.is_empty() => r,
        _ if alive => super::repair::given_reason(None)?,
        _ => "the owner was no longer running".to_string(),
    };
    match ways_out::clear_lock(
        session.db(),
        &input.package.product.name,
        &owner,
        alive,
        &reason,
    ) {
        Ok(Some(record)) => {
            said.set("cleared", true);
            said.set("record", &record);
            said.line(format!(
                "Done: the lock is cleared; recorded in the journal at {} (reason: {}).",
                record.at, record.reason
            ));
            if alive {
                said.line("On PostgreSQL and MariaDB the owner's connection keeps its server-side lock until it closes.".into());
            }
            Ok(said.finish(exit::OK))
        }
        Ok(None) => Err(BadInput(
            "the lock changed hands while it was shown; nothing was changed: run unlock again"
                .into(),
        )),
        Err(e) => {
            said.error(format!("unlock failed: {e}"));
            Ok(said.finish(exit::STEP_FAILED))
        }
    }
}
