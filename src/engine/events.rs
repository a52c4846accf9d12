//! What the engine reports while it works. Front ends render these; they never
//! look inside the engine.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepInfo {
    pub key: String,
    pub title: String,
    pub leg: usize,
    /// Completed by an earlier, interrupted run of the same upgrade.
    pub done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Done,
    /// Already completed by an earlier run.
    Skipped,
    /// Completed, with findings the operator should read.
    Warned,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedItem {
    pub step: String,
    pub id: String,
    pub name: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    NothingToDo,
    CompletedWithFailedItems {
        failed: Vec<FailedItem>,
    },
    Failed {
        step: String,
        error: String,
    },
    Interrupted {
        signal: Option<i32>,
    },
    Locked {
        owner: String,
    },
    /// Something other than upwiz holds the database (a foreign program's lock on a
    /// SQLite file): nothing was done; try again when it lets go.
    Busy {
        reason: String,
    },
    BadInput {
        error: String,
    },
}

impl Outcome {
    /// The process exit code, the same for the wizard and the headless commands:
    /// 0 done or nothing to do, 1 a step or items failed, 2 bad input (nothing
    /// changed), 3 another upgrade holds the lock, 128 + n when signal n stopped it.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Completed | Outcome::NothingToDo => 0,
            Outcome::CompletedWithFailedItems { .. } | Outcome::Failed { .. } => 1,
            Outcome::BadInput { .. } => 2,
            Outcome::Locked { .. } | Outcome::Busy { .. } => 3,
            Outcome::Interrupted { signal } => 128 + signal.unwrap_or(libc::SIGINT),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Summary {
    pub product: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reached: Option<String>,
    #[serde(with = "secs")]
    pub duration: Duration,
    pub backups: Vec<PathBuf>,
    pub reports: Vec<PathBuf>,
    pub warnings: Vec<String>,
    pub log_path: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunReport {
    #[serde(flatten)]
    pub outcome: Outcome,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Planned {
        /// The run's id in the journal (the unfinished run's, when continuing it).
        run_id: String,
        route: String,
        steps: Vec<StepInfo>,
        resumed: bool,
        log_path: PathBuf,
    },
    StepStarted {
        index: usize,
        title: String,
    },
    Progress {
        index: usize,
        done: u64,
        total: u64,
    },
    Log {
        level: Level,
        message: String,
    },
    StepFinished {
        index: usize,
        status: StepStatus,
        #[serde(with = "secs")]
        elapsed: Duration,
        message: Option<String>,
    },
    Finished(RunReport),
    /// `run --wait-for-lock`: another run holds the lock; said when its owner changes,
    /// its progress at most every 10 s, and every 30 s while nothing changes.
    LockWait(super::lock_wait::LockWaitInfo),
}

mod secs {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
    }
}

/// Where events go: a channel into the wizard's loop, a printer in the CLI.
pub type Sink = Box<dyn FnMut(Event) + Send>;

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn every_front_end_exits_3_when_another_run_holds_the_lock() {
        let locked = Outcome::Locked {
            owner: "process 1".into(),
        };
        assert_eq!(locked.exit_code(), 3);
        assert_eq!(
            Outcome::Interrupted {
                signal: Some(libc::SIGTERM)
            }
            .exit_code(),
            143
        );
        assert_eq!(Outcome::Interrupted { signal: None }.exit_code(), 130);
    }
}
