//! The database layer: one trait, one file per RDBMS.

mod cancel;
mod error;
mod mysql;
mod orphans;
pub mod postgres;
mod sqlite;
mod target;
mod tls_files;
mod tools;
mod value;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cancel::Canceller;
pub use error::{DbError, DbErrorKind};
pub use target::{ConnectError, ConnectTarget, MyTarget, PgTarget, TlsFiles, TlsMode};
pub use tools::SECRET_VARS;
pub use value::{QueryResult, Value};

use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// Where and as whom to connect. The password never leaves this struct except to the driver.
#[derive(Debug, Clone)]
pub struct ConnectSpec {
    pub rdbms: Rdbms,
    pub target: ConnectTarget,
    /// The user: the connect string's own, or the one given apart from it.
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub limits: Limits,
}

/// How long upwiz waits: for a connection and login, and for a lock held by another
/// session before its own query gives up and says who holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub connect: Duration,
    pub lock: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(10),
            lock: Duration::from_secs(30),
        }
    }
}

impl ConnectSpec {
    /// Parses `text` once; refuses a password in it in any spelling, a user given both
    /// in it and apart from it that differ, and a password the tools cannot be given.
    pub fn parse(
        rdbms: Rdbms,
        text: &str,
        user: Option<String>,
        password: Option<Secret>,
    ) -> Result<ConnectSpec, ConnectError> {
        let target = ConnectTarget::parse(rdbms, text)?;
        let user = user.filter(|u| !u.trim().is_empty());
        let user = match (target.user().map(str::to_string), user) {
            (Some(url), Some(given)) if url != given => {
                return Err(ConnectError::UserConflict { url, given })
            }
            (url, given) => url.or(given),
        };
        if password
            .as_ref()
            .is_some_and(|p| p.expose().contains(['\n', '\r', '\0']))
        {
            return Err(ConnectError::PasswordLineBreak);
        }
        Ok(ConnectSpec {
            rdbms,
            target,
            user: if rdbms == Rdbms::Sqlite { None } else { user },
            password,
            limits: Limits::default(),
        })
    }

    /// For a front end: what the user typed, whether or not it parses. A bad connect
    /// string (a password in it included) becomes an error of `open`, reported where
    /// the connection is tried; the spec never holds the text.
    pub fn from_input(
        rdbms: Rdbms,
        text: &str,
        user: Option<String>,
        password: Option<Secret>,
    ) -> ConnectSpec {
        ConnectSpec::parse(rdbms, text, user.clone(), password.clone()).unwrap_or_else(|e| {
            ConnectSpec {
                rdbms,
                target: ConnectTarget::Invalid(e),
                user,
                password,
                limits: Limits::default(),
            }
        })
    }

    /// The database file, for SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.target {
            ConnectTarget::Sqlite { path } => Some(path),
            _ => None,
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The connect string rebuilt from the parsed value: safe for logs and screens.
    pub fn redacted(&self) -> String {
        self.target.render()
    }

    /// The RDBMS and where the database is (canonical SQLite path, or hosts, ports and
    /// database), never who connects: what names state files and backups.
    pub fn identity(&self) -> String {
        let at = match &self.target {
            ConnectTarget::Sqlite { path } => std::fs::canonicalize(path)
                .or_else(|_| std::path::absolute(path))
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            ConnectTarget::Postgres(t) => {
                let hosts = if t.hosts.is_empty() {
                    vec!["localhost".to_string()]
                } else {
                    t.hosts.clone()
                };
                let ports = if t.ports.is_empty() {
                    vec![5432]
                } else {
                    t.ports.clone()
                };
                let addrs: Vec<String> = hosts
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{h}:{}", ports.get(i).unwrap_or(&ports[0])))
                    .collect();
                // libpq's default database is the user's name.
                let db = t
                    .dbname
                    .clone()
                    .or_else(|| self.user.clone())
                    .unwrap_or_else(default_user);
                format!("{}/{db}", addrs.join(","))
            }
            ConnectTarget::Mysql(t) => format!("{}:{}/{}", t.host, t.port, t.database),
            ConnectTarget::Invalid(_) => "(invalid)".into(),
        };
        format!("{}|{at}", self.rdbms.key())
    }

    /// Whether the connect string is blank (the wizard before one is typed).
    pub fn is_empty(&self) -> bool {
        matches!(&self.target, ConnectTarget::Invalid(ConnectError::Empty(_)))
    }
}

/// Free text (a driver's message, a field being typed) with anything that looks like a
/// password replaced by `***`: URL userinfo, and `key = value` pairs whose key, however
/// spelled, names a password. Connect strings themselves are parsed, not searched.
pub fn redact(text: &str) -> String {
    target::redact_text(text)
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
    /// Whether `e`, from re-running the statement a crash interrupted, says its effect
    /// is already there (a table that exists, a column already added).
    fn already_applied(&self, _e: &DbError) -> bool {
        false
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
    "CREATE TABLE IF NOT EXISTS upwiz_runs (run_id VARCHAR(64) PRIMARY KEY, from_version VARCHAR(64) NOT NULL, to_version VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, started_at VARCHAR(40) NOT NULL, finished_at VARCHAR(40), host VARCHAR(255), pid INTEGER, os_user VARCHAR(255), error TEXT)",
    "CREATE TABLE IF NOT EXISTS upwiz_journal (run_id VARCHAR(64) NOT NULL, step_key VARCHAR(400) NOT NULL, stmt_index INTEGER NOT NULL, checksum VARCHAR(64), finished_at VARCHAR(40) NOT NULL, detail TEXT, PRIMARY KEY (run_id, step_key, stmt_index))",
    "CREATE TABLE IF NOT EXISTS upwiz_items (step_key VARCHAR(400) NOT NULL, item_id VARCHAR(255) NOT NULL, name TEXT, error TEXT, finished_at VARCHAR(40) NOT NULL, PRIMARY KEY (step_key, item_id))",
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

/// A driver's I/O error as a sentence: without the wrappers some drivers print around
/// it (`IoError { ... }`), and with the stock phrases an operator cannot act on
/// replaced by what they mean.
pub(crate) fn plain_io(text: &str) -> String {
    let mut t = text.trim().to_string();
    for wrapper in ["IoError", "DriverError", "UrlError", "CodecError"] {
        if let Some(inner) = t
            .strip_prefix(wrapper)
            .map(str::trim)
            .and_then(|r| r.strip_prefix('{'))
            .and_then(|r| r.trim_end().strip_suffix('}'))
        {
            t = inner.trim().to_string();
        }
    }
    if [
        "bytes remaining on stream",
        "max_allowed_packet",
        "corrupt message",
        "InvalidContentType",
        "unexpected message",
        "invalid message length",
    ]
    .iter()
    .any(|p| text.contains(p))
    {
        return "what answers there does not speak this database's protocol; check the host and port".into();
    }
    if t.contains("unexpected end of file") || t.contains("UnexpectedEof") {
        return "the server closed the connection before it answered".into();
    }
    if t.contains("timed out")
        || t.contains("WouldBlock")
        || t.contains("Resource temporarily unavailable")
    {
        return "the server did not answer in time".into();
    }
    if t.contains("Connection refused") {
        return "nothing accepts connections there (connection refused); check the host and port and that the server is running".into();
    }
    if t.contains("Connection reset") || t.contains("Broken pipe") {
        return "the server closed the connection".into();
    }
    if t.contains("nul byte") || t.contains("embedded null") || t.contains("NUL") {
        return "it contains a NUL byte, which the protocol cannot carry".into();
    }
    t
}

/// The operating-system user, the default database user of libpq and the mysql client.
pub fn default_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "postgres".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_and_keyword_passwords_in_free_text() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("host=db password=s3cret user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(
            redact("host=db password = 's3 cret' user=app"),
            "host=db password = *** user=app"
        );
        assert_eq!(redact("x?pass%77ord=s3cret&a=b"), "x?pass%77ord=***&a=b");
        assert_eq!(redact("./demo.db"), "./demo.db");
        assert_eq!(redact("mysql://root@db/x"), "mysql://root@db/x");
    }

    #[test]
    fn driver_wrappers_and_stock_phrases_become_sentences() {
        for raw in [
            "IoError { failed to fill whole buffer: bytes remaining on stream }",
            "CodecError { Packet is larger than max_allowed_packet }",
            "received corrupt message of type InvalidContentType",
        ] {
            let p = plain_io(raw);
            assert!(
                !p.contains('{') && !p.contains("Error") && !p.contains("corrupt"),
                "{p}"
            );
            assert!(p.contains("check the host and port"), "{p}");
        }
        assert_eq!(plain_io("IoError { disk on fire }"), "disk on fire");
        assert!(plain_io("Connection reset by peer (os error 104)").contains("closed"));
    }

    #[test]
    fn identities_tell_databases_apart_and_never_name_the_user() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["a", "b"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join("app.db"), b"").unwrap();
        }
        let at = |d: &str| dir.path().join(d).join("app.db").display().to_string();
        let sqlite = |t: &str| ConnectSpec::parse(Rdbms::Sqlite, t, None, None).unwrap();
        assert_ne!(sqlite(&at("a")).identity(), sqlite(&at("b")).identity());
        let pg = |t: &str, u: Option<&str>| {
            ConnectSpec::parse(Rdbms::Postgres, t, u.map(str::to_string), None).unwrap()
        };
        let one = pg("host=db port=5432 dbname=one user=app", None);
        let two = pg("host=db port=5432 dbname=two user=app", None);
        assert_ne!(one.identity(), two.identity());
        assert!(!one.identity().contains("app"), "{}", one.identity());
        assert_eq!(
            pg("postgres://app@db/one", None).identity(),
            pg("host=db dbname=one", Some("other")).identity()
        );
    }

    #[test]
    fn the_url_user_is_kept_and_a_different_user_flag_is_an_error() {
        let s = ConnectSpec::parse(Rdbms::Postgres, "postgres://app@db/x", None, None).unwrap();
        assert_eq!(s.user.as_deref(), Some("app"));
        let s = ConnectSpec::parse(
            Rdbms::Postgres,
            "postgres://app@db/x",
            Some("app".into()),
            None,
        )
        .unwrap();
        assert_eq!(s.user.as_deref(), Some("app"));
        let e = ConnectSpec::parse(Rdbms::Mysql, "mysql://app@db/x", Some("root".into()), None)
            .unwrap_err();
        assert!(
            e.to_string().contains("'app'") && e.to_string().contains("'root'"),
            "{e}"
        );
    }

    #[test]
    fn a_password_with_a_line_break_is_refused_without_showing_it() {
        let e = ConnectSpec::parse(
            Rdbms::Mysql,
            "mysql://app@db/x",
            None,
            Some(Secret::new("abc\ndef")),
        )
        .unwrap_err();
        assert!(
            !e.to_string().contains("abc") && !e.to_string().contains("def"),
            "{e}"
        );
    }
}
