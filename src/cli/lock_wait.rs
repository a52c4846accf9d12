//! `run --wait-for-lock[=SECONDS]` as the engine takes it.

use std::time::Duration;

use crate::engine::LockWait;

/// No value: wait until the lock is free (or Ctrl-C); SECONDS: at most that long.
pub fn policy(seconds: Option<u64>) -> LockWait {
    match seconds {
        None => LockWait::Forever,
        Some(s) => LockWait::UpTo(Duration::from_secs(s)),
    }
}
