//! Why a step failed, by kind: what the front ends show as one sentence, and what the
//! engine decides on (a failure after a stop was asked for is the stop).

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// A statement of a package script failed on the server: fix the script or the data.
    #[error("{path}, line {line}: {source} (statement: {excerpt})")]
    Statement {
        path: String,
        line: usize,
        excerpt: String,
        source: DbError,
    },
    /// A statement was running when an earlier run died, the catalog cannot show whether
    /// it took effect, and running it again failed: the operator must look.
    #[error("{at} was running when an earlier run died, and whether it took effect cannot be read from the catalog; running it again failed: {source}. Check in the database whether it took effect: if not, fix the cause of the error; if so, undo it by hand so that it can run again. Then run upwiz again. (statement: {excerpt})")]
    InFlightUnknown {
        at: String,
        excerpt: String,
        source: DbError,
    },
    /// The catalog could not be read to settle a statement or find invalid indexes.
    #[error("{at}: cannot read the catalog: {source}")]
    Catalog { at: String, source: DbError },
    /// An index an earlier attempt left invalid could not be dropped.
    #[error("{at}: cannot drop the invalid index {index} an earlier attempt left: {source}; drop it by hand and run upwiz again")]
    InvalidIndex {
        at: String,
        index: String,
        source: DbError,
    },
    /// The journal could not be read or written: the run stops rather than lose track.
    #[error("cannot {action} in the journal: {source}")]
    Journal { action: String, source: DbError },
    /// A transaction could not be started or committed.
    #[error("cannot {action}: {source}")]
    Transaction { action: String, source: DbError },
    /// What the package asks for cannot be done (no version record for this RDBMS, a
    /// per-item query that fails, a template that does not fill).
    #[error("{0}")]
    Package(String),
    /// A safeguard stopped the run: preflight checks, the backup, a violation report, the
    /// post-upgrade tests.
    #[error("{0}")]
    Safeguard(String),
}

impl StepError {
    pub fn journal(action: impl Into<String>, source: DbError) -> StepError {
        StepError::Journal {
            action: action.into(),
            source,
        }
    }

    pub fn transaction(action: impl Into<String>, source: DbError) -> StepError {
        StepError::Transaction {
            action: action.into(),
            source,
        }
    }
}
