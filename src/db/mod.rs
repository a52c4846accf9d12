//! The database layer: one trait, one file per RDBMS.

mod cancel;
pub mod digest;
mod error;
mod mysql;
mod orphans;
pub mod postgres;
mod scratch;
mod spec;
mod sqlite;
mod target;
mod tls_files;
mod tools;
mod value;

use std::path::{Path, PathBuf};

pub use cancel::Canceller;
pub use error::{DbError, DbErrorKind};
pub use scratch::{create_database, database_exists, drop_database, scratch_name};
pub use spec::{redact, ConnectSpec, Limits};
pub use target::{ConnectError, ConnectTarget, MyTarget, PgTarget, TlsFiles, TlsMode};
pub use tools::SECRET_VARS;
pub use value::{QueryResult, Value};

use crate::rdbms::Rdbms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The database must exist.
    Existing,
    /// Create it if it does not exist (fresh install).
    Create,
}

#[derive(Debug, Clone)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    /// How the copy was checked, e.g. "integrity_check ok".
    pub verified: String,
    /// The file's SHA-256, when the backend computed it while verifying the copy.
    pub sha256: Option<String>,
}

/// One offending row or breach found by a violation report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// The check that found it, e.g. "foreign key" or a package check's name.
    pub check: String,
    /// What and where, e.g. "orders row 17: customer_id 99 has no customers row".
    pub detail: String,
}

pub trait Database: Send {
    fn rdbms(&self) -> Rdbms;
    /// The server's product and version, e.g. "SQLite 3.45.0".
    fn server_version(&mut self) -> Result<String, DbError>;
    /// Runs one statement; returns the rows it changed.
    fn execute(&mut self, sql: &str) -> Result<u64, DbError>;
    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError>;
    /// Runs one statement whose `?` placeholders take `params` in order, sent apart
    /// from the SQL text so that no server setting can make a value executable.
    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// `query` with `?` placeholders bound to `params`, as `execute_with`.
    fn query_with(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError>;
    /// Runs statements of the engine's own (a journal record and the COMMIT after it;
    /// never a package's, which are sent one at a time as written) in one round trip
    /// where the driver can. The first that fails stops the rest.
    fn execute_batch(&mut self, statements: &[&str]) -> Result<(), DbError> {
        for sql in statements {
            self.execute(sql)?;
        }
        Ok(())
    }
    fn begin(&mut self) -> Result<(), DbError>;
    fn commit(&mut self) -> Result<(), DbError>;
    fn rollback(&mut self) -> Result<(), DbError>;
    fn table_exists(&mut self, table: &str) -> Result<bool, DbError>;
    /// Column names of `table`, in order; empty when the table does not exist.
    fn columns(&mut self, table: &str) -> Result<Vec<String>, DbError>;
    /// A SQL literal for `v` in this dialect.
    fn quote(&self, v: &Value) -> String;
    /// A full copy of the database in `dir`, checked after it is written.
    fn backup(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError>;
    /// Checks a backup `backup` wrote before anything is restored from it; returns how.
    fn verify_backup(&mut self, file: &Path) -> Result<String, DbError> {
        Err(DbError::new(
            DbErrorKind::Io,
            format!("{} cannot be checked here", file.display()),
        ))
    }
    /// Replaces everything in this database with the backup `file` (as `backup` wrote
    /// it), after checking the file again; returns how it was checked.
    fn restore(&mut self, file: &Path) -> Result<String, DbError> {
        Err(DbError::new(
            DbErrorKind::Io,
            format!("restoring {} is not supported here", file.display()),
        ))
    }
    /// Orphaned foreign-key rows and NOT NULL or CHECK breaches in the product's tables.
    fn builtin_violations(&mut self) -> Result<Vec<Violation>, DbError>;
    /// Checks, before anything changes, that a backup can be taken: the vendor
    /// utility is installed and the backup directory has room.
    fn backup_preflight(&mut self, _dir: &Path) -> Result<(), DbError> {
        Ok(())
    }
    /// Takes the server-side lock held for the whole session (PostgreSQL advisory lock,
    /// MySQL GET_LOCK): Some(false) when another session holds it, None where the
    /// RDBMS has none and the owner record alone decides.
    fn session_lock(&mut self) -> Result<Option<bool>, DbError> {
        Ok(None)
    }
    /// Whether another session holds the session lock; None where there is none.
    fn session_lock_held(&mut self) -> Result<Option<bool>, DbError> {
        Ok(None)
    }
    /// False where DDL commits implicitly (MySQL), so that scripts must be journaled
    /// statement by statement.
    fn transactional_ddl(&self) -> bool {
        true
    }
    /// A handle that cancels the statement this connection is running, from another
    /// thread; None where statements cannot be cancelled.
    fn canceller(&self) -> Option<std::sync::Arc<dyn Canceller>> {
        None
    }
    /// The engine's own tables, created if missing.
    fn engine_tables_ddl(&self) -> Vec<String> {
        ENGINE_TABLES.iter().map(|s| s.to_string()).collect()
    }
}

const ENGINE_TABLES: [&str; 4] = [
    "CREATE TABLE IF NOT EXISTS upwiz_runs (run_id VARCHAR(64) PRIMARY KEY, from_version VARCHAR(64) NOT NULL, to_version VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40), host VARCHAR(255), pid INTEGER, os_user VARCHAR(255), error TEXT, product VARCHAR(255))",
    "CREATE TABLE IF NOT EXISTS upwiz_journal (run_id VARCHAR(64) NOT NULL, step_key VARCHAR(400) NOT NULL, stmt_index INTEGER NOT NULL, checksum VARCHAR(64), finished_at VARCHAR(40) NOT NULL, detail TEXT, state VARCHAR(16), PRIMARY KEY (run_id, step_key, stmt_index))",
    "CREATE TABLE IF NOT EXISTS upwiz_items (step_key VARCHAR(400) NOT NULL, item_id VARCHAR(255) NOT NULL, name TEXT, error TEXT, finished_at VARCHAR(40) NOT NULL, product VARCHAR(255), PRIMARY KEY (step_key, item_id))",
    "CREATE TABLE IF NOT EXISTS upwiz_lock (id INTEGER PRIMARY KEY, host VARCHAR(255) NOT NULL, pid INTEGER NOT NULL, os_user VARCHAR(255), started_at VARCHAR(40) NOT NULL, heartbeat_at VARCHAR(40) NOT NULL, run_id VARCHAR(64))",
];

/// Opens a connection to the database `spec` names: connect and login together take
/// at most `spec.limits.connect`.
pub fn open(spec: &ConnectSpec, mode: OpenMode) -> Result<Box<dyn Database>, DbError> {
    match &spec.target {
        ConnectTarget::Sqlite { path } => Ok(Box::new(sqlite::SqliteDb::open(
            &path.display().to_string(),
            mode,
        )?)),
        ConnectTarget::Postgres(_) => Ok(Box::new(postgres::PostgresDb::open(spec)?)),
        ConnectTarget::Mysql(_) => Ok(Box::new(mysql::MysqlDb::open(spec)?)),
        ConnectTarget::Invalid(e) => {
            Err(DbError::new(DbErrorKind::BadConnectString, e.to_string()))
        }
    }
}

/// The operating-system user, the default database user of libpq and the mysql client.
pub fn default_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "postgres".into())
}
