//! The one event type the wizard's loop receives, from every source, on one channel;
//! and the side effects the state machine asks the loop to carry out.

use crossterm::event::KeyEvent;

use super::model::{Detected, PlanInfo};
use crate::db::ConnectSpec;
use crate::engine;
use crate::secret::Secret;

pub enum AppEvent {
    Key(KeyEvent),
    Resize(u16, u16),
    Engine(engine::Event),
    /// Once a second, only while something on screen changes with time.
    Tick,
    /// The terminal went away (SIGHUP): stop drawing, let a running upgrade finish.
    Hangup,
    /// SIGTERM or SIGINT from outside: stop at a safe point and exit 128 + n.
    Signal(i32),
    Worker(Done),
}

/// A blocking job finished on a worker thread. `seq` ties an answer to its question,
/// so an answer for a connect string since edited is dropped.
pub enum Done {
    Inspected {
        seq: u64,
        result: Result<Detected, String>,
    },
    Tested {
        seq: u64,
        result: Result<Detected, String>,
    },
    Planned {
        seq: u64,
        result: Result<PlanInfo, String>,
    },
    Keyring {
        available: bool,
        remembered: Option<Secret>,
        /// Where a remembered password is kept and for how long, in words.
        place: &'static str,
    },
    /// A look at a run another process carries out: its mirror and log's end.
    Followed(engine::follow::Snapshot),
    DemoReset(Result<(), String>),
    /// The rehearsal on a scratch copy ended: its summary, or why it could not run.
    Rehearsed(Result<Box<crate::engine::rehearse::Rehearsal>, String>),
    /// The runs of this database on record, newest first, one line each.
    History(Result<Vec<String>, String>),
    /// The pre-upgrade backup went back in, or why not.
    Restored(Result<super::ways_back::RestoreDone, String>),
}

/// What to do with the keyring once a connection has worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remember {
    Leave,
    Store,
    Forget,
}

#[derive(Debug)]
pub enum Effect {
    Inspect {
        seq: u64,
        spec: ConnectSpec,
    },
    Test {
        seq: u64,
        spec: ConnectSpec,
    },
    Plan {
        seq: u64,
        spec: ConnectSpec,
        remember: Remember,
    },
    Start {
        spec: ConnectSpec,
        accept_violations: bool,
        /// The plan the operator saw; the run stops if its own plan differs.
        confirmed: crate::engine::ConfirmedPlan,
        /// How the plan passed its stage gate, recorded with the run.
        stage: Option<crate::stages::marks::GateContext>,
    },
    /// Stop the run at its next safe point; `signal` when a signal asked.
    Cancel {
        signal: Option<i32>,
    },
    ReadStateFile {
        spec: ConnectSpec,
    },
    ProbeKeyring {
        user: String,
        target: String,
    },
    ResetDemo,
    /// The whole upgrade on a scratch copy of the database; the real one is only read.
    Rehearse {
        spec: ConnectSpec,
    },
    /// Read the runs of this database from its journal.
    History {
        spec: ConnectSpec,
    },
    /// Restore the pre-upgrade backup (the named file, or the one the journal names).
    Restore {
        spec: ConnectSpec,
        backup: Option<std::path::PathBuf>,
    },
}
