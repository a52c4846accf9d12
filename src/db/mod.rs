//! The database layer: one trait, one file per RDBMS.

mod error;
mod mysql;
mod orphans;
pub mod postgres;
mod sqlite;
mod tools;
mod value;

use std::path::{Path, PathBuf};

pub use error::{DbError, DbErrorKind};
pub use value::{QueryResult, Value};

use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// Where and as whom to connect. The password never leaves this struct except to the driver.
#[derive(Debug, Clone)]
pub struct ConnectSpec {
    pub rdbms: Rdbms,
    pub target: String,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

impl ConnectSpec {
    /// The connect string with any password in it removed: safe for logs and screens.
    pub fn redacted(&self) -> String {
        redact(&self.target)
    }
}

/// Removes `:password@` from URLs and `password=...` from key=value strings.
pub fn redact(target: &str) -> String {
    let mut s = target.to_string();
    if let Some(scheme_end) = s.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = s[rest_start..]
            .find(['/', '?'])
            .map_or(s.len(), |i| rest_start + i);
        if let Some(at) = s[rest_start..authority_end].rfind('@') {
            let at = rest_start + at;
            if let Some(colon) = s[rest_start..at].find(':') {
                s.replace_range(rest_start + colon..at, ":***");
            }
        }
    }
    let lower = s.to_ascii_lowercase();
    if let Some(i) = lower.find("password=") {
        let start = i + "password=".len();
        let end = s[start..]
            .find(char::is_whitespace)
            .map_or(s.len(), |e| start + e);
        s.replace_range(start..end, "***");
    }
    s
}

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

/// Opens a connection to the database `spec` names.
pub fn open(spec: &ConnectSpec, mode: OpenMode) -> Result<Box<dyn Database>, DbError> {
    match spec.rdbms {
        Rdbms::Sqlite => Ok(Box::new(sqlite::SqliteDb::open(&spec.target, mode)?)),
        Rdbms::Postgres => Ok(Box::new(postgres::PostgresDb::open(spec)?)),
        Rdbms::Mysql => Ok(Box::new(mysql::MysqlDb::open(spec)?)),
    }
}

/// The operating-system user, the default database user of libpq and the mysql client.
pub fn default_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "postgres".into())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_url_and_keyword_passwords() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("host=db password=s3cret user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(redact("./demo.db"), "./demo.db");
        assert_eq!(redact("mysql://root@db/x"), "mysql://root@db/x");
    }
}
