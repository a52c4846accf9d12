//! `upwiz unlock`: shows the lock's owner; clears it when the owner is gone (or forced).

use std::path::Path;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::engine::ways_out::{self, LockState};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    force: bool,
    reason: Option<String>,
    yes: bool,
) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let state = ways_out::look_at_lock(session.db())?;
    let (owner, alive) = match state {
        LockState::Free => {
            print::out("The upgrade lock is free; there is nothing to unlock.");
            return Ok(exit::OK);
        }
        LockState::Stale(o) => (o, false),
        LockState::Alive(o) => (o, true),
    };
    let run = if owner.run_id.is_empty() {
        String::new()
    } else {
        format!(", run {}", owner.run_id)
    };
    print::out(&format!(
        "The upgrade lock is held by {owner}{run}; last heartbeat {}; {}.",
        owner.heartbeat_at,
        if alive {
            "that owner is still alive"
        } else {
            "that owner is no longer running"
        }
    ));
    if alive && !force {
        print::error_line(
            "refused: the owner is alive; wait for it to finish, or stop it, or clear the lock anyway with --force (an upgrade that is really running then runs unguarded); nothing was changed",
        );
        return Ok(exit::LOCKED);
    }
    if !yes {
        print::out("Nothing was changed: run again with --yes to clear the lock.");
        return Ok(exit::BAD_INPUT);
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
            print::out(&format!(
                "Done: the lock is cleared; recorded in the journal at {} (reason: {}).",
                record.at, record.reason
            ));
            if alive {
                print::out("On PostgreSQL and MariaDB the owner's connection keeps its server-side lock until it closes.");
            }
            Ok(exit::OK)
        }
        Ok(None) => Err(BadInput(
            "the lock changed hands while it was shown; nothing was changed: run unlock again"
                .into(),
        )),
        Err(e) => {
            print::error_line(&format!("unlock failed: {e}"));
            Ok(exit::STEP_FAILED)
        }
    }
}
