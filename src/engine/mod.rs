//! The step engine: runs a planned upgrade on a worker thread, reports typed events,
//! keeps the journal and the lock, and stops at safe points when asked.

/// `upwiz adopt`: a database installed by other means taken over at a version.
pub mod adopt;
mod cancel;
mod checks;
mod command;
mod error;
mod events;
mod fault;
/// Watching a run from outside (wizard after a dropped session, `status --follow`).
pub mod follow;
/// Past runs and backups, read back from the journal (history, backups, report).
pub mod history;
pub(crate) mod http;
mod install;
mod journal;
mod lock;
mod lock_wait;
mod log;
mod maintenance;
mod pause;
mod prepare;
mod process;
/// `upwiz rehearse`: the whole upgrade on a scratch copy of the database.
pub mod rehearse;
mod repair;
/// The upgrade report for the change ticket.
pub mod report;
mod request;
mod restore;
mod retention;
mod runner;
mod session;
mod state_file;
mod steps;
mod template;
mod unlock;
mod versions_table;

pub use cancel::{CancelToken, TrackedGroup};
/// Read-only: the violations a run's report would find now (the wizard's Plan screen).
pub use checks::{describe as describe_violation, violations as find_violations};
pub use error::EngineError;
pub use events::*;
pub use install::install;
pub use journal::{Journal, RepairRecord, RunRecord, RunState};
pub use repair::{Repair, RepairError, RepairPlan};
/// The ways out: `repair::plan`/`apply`, `unlock::look`/`clear`, `restore::*`.
pub mod ways_out {
    pub use super::repair::{apply as apply_repair, forget_mirror, plan as plan_repair};
    pub use super::restore::*;
    pub use super::retention::prune_backups;
    pub use super::unlock::{clear as clear_lock, look as look_at_lock, LockState};
}
pub use lock::{Heartbeat, LockOwner};
pub use lock_wait::{LockProgress, LockWait, LockWaitInfo};
pub use log::LOG_FILE;
/// `status`: whether the application is locked out ("on", "off"; None without `[maintenance]`).
pub use maintenance::state as maintenance_state;
pub use prepare::{
    check_resume, detect_version, inspect, prepare, DetectError, Inspection, Prepared,
};
pub use request::{BackupChoice, ConfirmedPlan, RunRequest};
pub use runner::{run, run_waiting};
pub use session::{LockFailure, LockedSession, Session};
pub use state_file::{path_for as state_file_path, read as read_state_file, StateFile};

/// Runs `req` on a worker thread; events arrive through `sink`, the report through the handle.
pub fn spawn(
    req: RunRequest,
    sink: Sink,
    cancel: CancelToken,
) -> std::thread::JoinHandle<RunReport> {
    std::thread::Builder::new()
        .name("upwiz-engine".into())
        .spawn(move || run(&req, sink, &cancel))
        .expect("the engine thread starts")
}
