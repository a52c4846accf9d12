//! Why the engine could not start or finish a run.

use crate::db::DbError;
use crate::package::{PackageError, ScriptError};
use crate::plan::RouteError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error("{0}")]
    Connect(DbError),
    #[error("no {product} installation found in this database ({detail}); check the connect string, or create a new database with 'upwiz install'")]
    NotInstalled { product: String, detail: String },
    #[error("this database already holds {product} {version}; 'upwiz install' only creates new databases")]
    AlreadyInstalled { product: String, version: String },
    #[error("an upgrade from {from} to {to} is unfinished; finish it first (run again without --target, or with --target {to})")]
    TargetConflict { from: String, to: String },
    #[error("script {script} of release {release} was applied with checksum {applied} but {path} now has checksum {now}; restore the original script (a package must not change what it already applied)")]
    ScriptChanged {
        release: String,
        script: String,
        path: String,
        applied: String,
        now: String,
    },
    #[error("the unfinished upgrade {from} -> {to} last recorded version {recorded}, but the database is now at {detected}: it was changed outside this upgrade, so upwiz will not continue it; find out who changed it, and restore the backup taken before the upgrade if the change was not intended")]
    ResumeMismatch {
        from: String,
        to: String,
        recorded: String,
        detected: String,
    },
    #[error("the database changed since the plan was shown: it is now at {now}, the plan was made at {shown}; nothing was changed: review the new plan")]
    PlanChanged { shown: String, now: String },
    #[error("{path}: statement {statement} (line {line}) ran, or was running, in the unfinished upgrade, but the script now differs there; resuming by position would skip or repeat statements, so restore the script the upgrade began with (a package must not change what it already applied)")]
    StatementChanged {
        path: String,
        statement: usize,
        line: usize,
    },
    #[error("{0}")]
    BadInput(String),
    #[error("cannot write to the log directory {dir}: {source}")]
    LogDir { dir: String, source: std::io::Error },
    #[error("{0}")]
    Db(DbError),
}

impl EngineError {
    /// True when nothing in the database was changed and the operator must correct
    /// what they gave (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, EngineError::Db(_))
    }
}

impl From<DbError> for EngineError {
    fn from(e: DbError) -> Self {
        EngineError::Db(e)
    }
}
