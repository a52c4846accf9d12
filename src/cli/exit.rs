//! Exit codes: a contract scripts and other tools rely on.

use crate::engine::Outcome;

pub const OK: i32 = 0;
pub const STEP_FAILED: i32 = 1;
pub const BAD_INPUT: i32 = 2;
pub const LOCKED: i32 = 3;
pub const INTERRUPTED_INT: i32 = 130;
pub const INTERRUPTED_TERM: i32 = 143;

/// The engine's one outcome contract, shared with the wizard.
pub fn for_outcome(outcome: &Outcome) -> i32 {
    outcome.exit_code()
}
