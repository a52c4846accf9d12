//! SQLite, embedded through rusqlite with the bundled library.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::value::quote_standard;
use super::{BackupInfo, Database, DbError, DbErrorKind, OpenMode, QueryResult, Value, Violation};
use crate::rdbms::Rdbms;

pub struct SqliteDb {
    conn: Connection,
    path: PathBuf,
}

/// How long a statement waits for another connection's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqliteDb {
    pub fn open(target: &str, mode: OpenMode) -> Result<Self, DbError> {
        let target = target.trim();
        if target.is_empty() {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                "the connect string is empty; for SQLite give the database file's path",
            ));
        }
        if target.contains("://") && !target.starts_with("file:") {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                format!(
                    "'{}' looks like a server URL; for SQLite give the database file's path",
                    super::redact(target)
                ),
            ));
        }
        let path = PathBuf::from(target.strip_prefix("sqlite:").unwrap_or(target));
        if path.is_dir() {
            return Err(DbError::new(
                DbErrorKind::NotFound,
                format!("{} is a directory, not a database file", path.display()),
            ));
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match mode {
            OpenMode::Existing if !path.exists() => {
                return Err(DbError::new(
                    DbErrorKind::NotFound,
                    format!(
                        "database file {} does not exist; check the path, or create a new database with 'upwiz install'",
                        path.display()
                    ),
                ))
            }
            OpenMode::Existing => {}
            OpenMode::Create => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    if !parent.is_dir() {
                        return Err(DbError::new(
                            DbErrorKind::NotFound,
                            format!("directory {} does not exist", parent.display()),
                        ));
                    }
                }
                flags |= OpenFlags::SQLITE_OPEN_CREATE;
            }
        }
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| classify(&path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify(&path, e))?;
        // Reading the header is what tells a SQLite file from any other file.
        conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(|e| classify(&path, e))?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(DbError::new(
                DbErrorKind::ReadOnly,
                format!(
                    "database file {} is read-only; upwiz needs write access to it and its directory",
                    path.display()
                ),
            ));
        }
        Ok(SqliteDb { conn, path })
    }

    fn err(&self, e: rusqlite::Error) -> DbError {
        classify(&self.path, e)
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> DbError {
    let p = path.display();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => DbError::new(
            DbErrorKind::NotADatabase,
            format!("{p} is not a SQLite database (or it is encrypted or damaged)"),
        ),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => DbError::new(
            DbErrorKind::Locked,
            format!("database file {p} is locked by another program; close it and try again"),
        ),
        Some(ErrorCode::ReadOnly) => DbError::new(
            DbErrorKind::ReadOnly,
            format!(
                "database file {p} is read-only; upwiz needs write access to it and its directory"
            ),
        ),
        Some(ErrorCode::CannotOpen) => DbError::new(
            DbErrorKind::NotFound,
            format!("cannot open database file {p}; check the path and its permissions"),
        ),
        Some(ErrorCode::PermissionDenied) => DbError::new(
            DbErrorKind::Permission,
            format!("permission denied on database file {p}"),
        ),
        Some(ErrorCode::DiskFull) => {
            DbError::new(DbErrorKind::Io, format!("the disk holding {p} is full"))
        }
        _ => DbError::statement(e.to_string()),
    }
}

fn value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Database for SqliteDb {
    fn rdbms(&self) -> Rdbms {
        Rdbms::Sqlite
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        Ok(format!("SQLite {}", rusqlite::version()))
    }

    fn execute(&mut self, sql: &str) -> Result<u64, DbError> {
        let before = self.conn.total_changes();
        self.conn.execute_batch(sql).map_err(|e| self.err(e))?;
        Ok(self.conn.total_changes().saturating_sub(before))
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| classify(&self.path, e))?;
        let columns: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let n = columns.len();
        let mut rows = Vec::new();
        let mut it = stmt.raw_query();
        while let Some(row) = it.next().map_err(|e| classify(&self.path, e))? {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                out.push(value(row.get_ref(i).map_err(|e| classify(&self.path, e))?));
            }
            rows.push(out);
        }
        Ok(QueryResult { columns, rows })
    }

    fn begin(&mut self) -> Result<(), DbError> {
        // IMMEDIATE takes the write lock now, so a busy database fails before any work is done.
        self.execute("BEGIN IMMEDIATE").map(|_| ())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.execute("COMMIT").map(|_| ())
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.execute("ROLLBACK").map(|_| ())
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let sql = format!(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = {}",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(!self.query(&sql)?.rows.is_empty())
    }

    fn columns(&mut self, table: &str) -> Result<Vec<String>, DbError> {
        let sql = format!(
            "SELECT name FROM pragma_table_info({})",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(self
            .query(&sql)?
            .rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().and_then(|v| v.as_text()))
            .collect())
    }

    fn quote(&self, v: &Value) -> String {
        quote_standard(v)
    }

    fn backup(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        let dest = dir.join(format!("{stem}.sqlite"));
        let io = |what: &str, e: &dyn std::fmt::Display| {
            DbError::new(DbErrorKind::Io, format!("{what} {}: {e}", dest.display()))
        };
        let mut out = Connection::open(&dest).map_err(|e| io("cannot create backup", &e))?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)
                .map_err(|e| io("cannot start backup to", &e))?;
            loop {
                let step = backup
                    .step(256)
                    .map_err(|e| io("backup failed writing", &e))?;
                let p = backup.progress();
                let total = p.pagecount.max(0) as u64;
                progress(total.saturating_sub(p.remaining.max(0) as u64), total);
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        let check: String = out
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| io("cannot verify backup", &e))?;
        drop(out);
        if check != "ok" {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "backup {} failed its integrity check: {check}",
                    dest.display()
                ),
            ));
        }
        let bytes = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
        Ok(BackupInfo {
            path: dest,
            bytes,
            verified: "integrity_check ok".into(),
        })
    }

    fn builtin_violations(&mut self) -> Result<Vec<Violation>, DbError> {
        let mut out = Vec::new();
        let fk = self.query("PRAGMA foreign_key_check")?;
        for row in &fk.rows {
            let table = row.first().map(Value::render).unwrap_or_default();
            if table.starts_with("upwiz_") {
                continue;
            }
            let rowid = row.get(1).map(Value::render).unwrap_or_default();
            let parent = row.get(2).map(Value::render).unwrap_or_default();
            out.push(Violation {
                check: "foreign key".into(),
                detail: format!("{table} row {rowid} refers to a missing {parent} row"),
            });
        }
        // integrity_check reports NOT NULL and CHECK breaches as well as damage.
        let ic = self.query("PRAGMA integrity_check")?;
        for row in &ic.rows {
            let line = row.first().map(Value::render).unwrap_or_default();
            if line != "ok" && !line.contains("upwiz_") {
                out.push(Violation {
                    check: "constraint".into(),
                    detail: line,
                });
            }
        }
        Ok(out)
    }
}
