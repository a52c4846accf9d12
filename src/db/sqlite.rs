//! SQLite, embedded through rusqlite with the bundled library.

mod backup;
mod holders;

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
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // What is at the path decides the message; SQLite would call a FIFO a disk I/O
        // error (after blocking on it) and a missing file a file it cannot open.
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                return Err(DbError::new(
                    DbErrorKind::NotFound,
                    format!("{} is a directory, not a database file", path.display()),
                ))
            }
            Ok(m) if !m.is_file() => return Err(not_regular(&path, &m)),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match mode {
                OpenMode::Existing => return Err(missing(&path)),
                OpenMode::Create => {
                    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                        if !parent.is_dir() {
                            return Err(DbError::new(
                                DbErrorKind::NotFound,
                                format!("directory {} does not exist", parent.display()),
                            ));
                        }
                    }
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(DbError::new(
                    DbErrorKind::Permission,
                    format!(
                        "permission denied on database file {}: upwiz needs to read and write it and its directory",
                        path.display()
                    ),
                ))
            }
            Err(_) => {}
        }
        if mode == OpenMode::Create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        // A file that vanished since it was looked at above does not exist (it was
        // never open, so it was not deleted under upwiz).
        let opening = |e: rusqlite::Error| {
            if mode == OpenMode::Existing && !path.exists() {
                missing(&path)
            } else {
                classify(&path, e)
            }
        };
        let conn = Connection::open_with_flags(&path, flags).map_err(opening)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(opening)?;
        // Reading the header is what tells a SQLite file from any other file.
        conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(opening)?;
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
    let extended = match &e {
        rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
        _ => 0,
    };
    // The file went away under an open connection: SQLite says read-only, which
    // would send the operator to check permissions.
    let gone = extended == rusqlite::ffi::SQLITE_READONLY_DBMOVED || !path.exists();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => DbError::new(
            DbErrorKind::NotADatabase,
            format!("{p} is not a SQLite database (or it is encrypted or damaged)"),
        ),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => locked(path),
        Some(ErrorCode::ReadOnly | ErrorCode::SystemIoFailure | ErrorCode::CannotOpen)
            if gone =>
        {
            DbError::new(
                DbErrorKind::NotFound,
                format!(
                    "database file {p} was deleted or moved while upwiz had it open; put it back (or restore it from the backup), then run upwiz again"
                ),
            )
        }
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
        Some(ErrorCode::DiskFull) => DbError::new(
            DbErrorKind::Io,
            format!("the disk holding {p} is full; free some space, then run upwiz again"),
        ),
        _ => DbError::statement(e.to_string()),
    }
}

/// Another program's lock, and who holds it as far as the system tells.
fn locked(path: &Path) -> DbError {
    let holders = holders::describe(path);
    let who = if holders.is_empty() {
        "it has a transaction open on the file".to_string()
    } else {
        format!("{} holds a lock on the file", holders.join(", "))
    };
    DbError::new(
        DbErrorKind::Locked,
        format!(
            "database file {} is locked by another program: {who}; close that program or let it finish, then run upwiz again",
            path.display()
        ),
    )
}

fn missing(path: &Path) -> DbError {
    DbError::new(
        DbErrorKind::NotFound,
        format!(
            "database file {} does not exist; check the path, or create a new database with 'upwiz install'",
            path.display()
        ),
    )
}

fn not_regular(path: &Path, m: &std::fs::Metadata) -> DbError {
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            " (it is a FIFO)"
        } else if t.is_socket() {
            " (it is a socket)"
        } else if t.is_block_device() || t.is_char_device() {
            " (it is a device)"
        } else {
            ""
        }
    };
    #[cfg(not(unix))]
    let what = {
        let _ = m;
        ""
    };
    DbError::new(
        DbErrorKind::NotADatabase,
        format!(
            "{} is not a regular file{what}; give the path of a SQLite database file",
            path.display()
        ),
    )
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

/// A value as rusqlite binds it.
fn bound(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Int(i) => V::Integer(*i),
        Value::Real(f) => V::Real(*f),
        Value::Text(s) => V::Text(s.clone()),
        Value::Blob(b) => V::Blob(b.clone()),
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
        self.query_with(sql, &[])
    }

    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let n = self
            .conn
            .execute(sql, rusqlite::params_from_iter(params.iter().map(bound)))
            .map_err(|e| self.err(e))?;
        Ok(n as u64)
    }

    fn query_with(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError> {
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| classify(&self.path, e))?;
        let columns: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let n = columns.len();
        let mut rows = Vec::new();
        let mut it = stmt
            .query(rusqlite::params_from_iter(params.iter().map(bound)))
            .map_err(|e| classify(&self.path, e))?;
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
        Ok(self.query(&sql)?.first_column())
    }

    fn quote(&self, v: &Value) -> String {
        quote_standard(v)
    }

    fn backup_preflight(&mut self, dir: &Path) -> Result<(), DbError> {
        let pages: u64 = self
            .conn
            .query_row(
                "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| self.err(e))?
            .max(0) as u64;
        super::tools::check_space(dir, pages + pages / 10 + 1_000_000)
    }

    fn backup(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        self.copy_to(dir, stem, progress)
    }

    fn verify_backup(&mut self, file: &Path) -> Result<String, DbError> {
        self.verify_copy(file)
    }

    fn restore(&mut self, file: &Path) -> Result<String, DbError> {
        self.restore_copy(file)
    }

    fn builtin_violations(&mut self) -> Result<Vec<Violation>, DbError> {
        let mut out = Vec::new();
        let tables = self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'upwiz\\_%' ESCAPE '\\' ORDER BY name",
        )?;
        for table in tables
            .rows
            .iter()
            .filter_map(|r| r.first().and_then(Value::as_text))
        {
            for (rowid, parent) in self.orphans(&table)? {
                out.push(Violation {
                    check: "foreign key".into(),
                    detail: format!("{table} row {rowid} refers to a missing {parent} row"),
                });
            }
        }
        // quick_check reports NOT NULL and CHECK breaches, and damage to the file, in one
        // pass. integrity_check would also match every index against its table, which
        // takes several times as long on big tables; the backup step before the report
        // runs it on the copy.
        let ic = self.query("PRAGMA quick_check")?;
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

impl SqliteDb {
    /// Rows of `table` whose foreign key points at no row: (rowid, parent table). One
    /// query per key, which the planner can answer by walking an index of the key in
    /// order; PRAGMA foreign_key_check visits the rows in table order and looks each
    /// parent up at random, several times slower on big tables. The pragma remains the
    /// answer for keys the query cannot express (a table without rowid, a key that
    /// does not match its parent).
    fn orphans(&mut self, table: &str) -> Result<Vec<(String, String)>, DbError> {
        let text = |v: &str| quote_standard(&Value::Text(v.to_string()));
        let list = self.query(&format!(
            "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list({}) ORDER BY id, seq",
            text(table)
        ))?;
        let mut keys: Vec<ForeignKey> = Vec::new();
        for row in &list.rows {
            let id = row
                .first()
                .and_then(|v| v.render().parse().ok())
                .unwrap_or(0);
            if keys.last().is_none_or(|k| k.id != id) {
                keys.push(ForeignKey {
                    id,
                    parent: row.get(1).and_then(Value::as_text).unwrap_or_default(),
                    from: Vec::new(),
                    to: Vec::new(),
                });
            }
            let key = keys.last_mut().expect("just pushed");
            key.from
                .push(row.get(2).and_then(Value::as_text).unwrap_or_default());
            key.to.push(row.get(3).and_then(Value::as_text));
        }
        let mut found = Vec::new();
        for ForeignKey {
            parent, from, to, ..
        } in &keys
        {
            let to: Vec<String> = if to.iter().all(Option::is_some) {
                to.iter().flatten().cloned().collect()
            } else {
                let pk = self.query(&format!(
                    "SELECT name FROM pragma_table_info({}) WHERE pk > 0 ORDER BY pk",
                    text(parent)
                ))?;
                let cols: Vec<String> = pk
                    .rows
                    .iter()
                    .filter_map(|r| r.first().and_then(Value::as_text))
                    .collect();
                if cols.is_empty() {
                    vec!["rowid".into()]
                } else {
                    cols
                }
            };
            if to.len() != from.len() {
                return self.orphans_by_pragma(table);
            }
            let not_null: Vec<String> = from
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", ident(c)))
                .collect();
            let join: Vec<String> = from
                .iter()
                .zip(&to)
                .map(|(c, p)| format!("p.{} = c.{}", ident(p), ident(c)))
                .collect();
            let sql = format!(
                "SELECT c.rowid FROM {} AS c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                ident(table),
                not_null.join(" AND "),
                ident(parent),
                join.join(" AND ")
            );
            match self.query(&sql) {
                Ok(r) => found.extend(r.rows.iter().map(|row| {
                    (
                        row.first().map(Value::render).unwrap_or_default(),
                        parent.clone(),
                    )
                })),
                Err(_) => return self.orphans_by_pragma(table),
            }
        }
        Ok(found)
    }

    fn orphans_by_pragma(&mut self, table: &str) -> Result<Vec<(String, String)>, DbError> {
        let sql = format!(
            "PRAGMA foreign_key_check({})",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(self
            .query(&sql)?
            .rows
            .iter()
            .map(|row| {
                let rowid = row.get(1).map(Value::render).unwrap_or_default();
                let parent = row.get(2).map(Value::render).unwrap_or_default();
                (rowid, parent)
            })
            .collect())
    }
}

/// One foreign key of a table, as `pragma_foreign_key_list` describes it: the parent
/// columns are absent when the key refers to the parent's primary key.
struct ForeignKey {
    id: i64,
    parent: String,
    from: Vec<String>,
    to: Vec<Option<String>>,
}

/// A quoted identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_found_by_query_are_those_foreign_key_check_finds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fk.db");
        let mut db = SqliteDb::open(path.to_str().unwrap(), OpenMode::Create).unwrap();
        db.conn
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
                 CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
                 CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent,
                     c TEXT REFERENCES parent (code), x INTEGER, y INTEGER,
                     FOREIGN KEY (x, y) REFERENCES pair);
                 CREATE TABLE norowid (k INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id)) WITHOUT ROWID;
                 INSERT INTO parent VALUES (1, 'a'), (2, 'b');
                 INSERT INTO pair VALUES (1, 1);
                 INSERT INTO child VALUES (1, 1, 'a', 1, 1), (2, 9, 'a', NULL, 5),
                     (3, NULL, 'zz', 1, 2), (4, 2, NULL, NULL, NULL);
                 INSERT INTO norowid VALUES (1, 1), (2, 7);",
            )
            .unwrap();
        let found: Vec<String> = db
            .builtin_violations()
            .unwrap()
            .into_iter()
            .map(|v| v.detail)
            .collect();
        let mut want = Vec::new();
        let pragma = db.query("PRAGMA foreign_key_check").unwrap();
        for row in &pragma.rows {
            let t = |i: usize| row.get(i).map(Value::render).unwrap_or_default();
            want.push(format!(
                "{} row {} refers to a missing {} row",
                t(0),
                t(1),
                t(2)
            ));
        }
        let (mut found, mut want) = (found, want);
        found.sort();
        want.sort();
        assert_eq!(found, want);
        assert_eq!(found.len(), 4, "{found:?}");
    }
}
