//! Backups through SQLite's online backup API, checked with `integrity_check`, and
//! restores through the same API.

use std::path::Path;

use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::SqliteDb;
use crate::db::{BackupInfo, Database, DbError, DbErrorKind};
use crate::fsutil;

impl SqliteDb {
    pub(super) fn copy_to(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        let dest = dir.join(format!("{stem}.sqlite"));
        let (pending, file) = fsutil::Pending::create(dest.clone())
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot create the backup: {e}")))?;
        drop(file);
        let mut copy = || -> Result<(String, Option<String>), DbError> {
            let failed = |what: &str, e: rusqlite::Error| backup_error(what, dir, &dest, e);
            // The file exists (created above, 0600, empty): SQLite takes it as a new database.
            let mut out = Connection::open_with_flags(
                pending.tmp(),
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| failed("cannot create the backup", e))?;
            {
                let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)
                    .map_err(|e| failed("cannot start the backup", e))?;
                loop {
                    let step = backup
                        .step(4096)
                        .map_err(|e| failed("the backup failed", e))?;
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
            // The copy is complete: it is hashed while it is checked.
            let hashing = crate::db::digest::start(pending.tmp());
            // The copy is checked for damage, not for the data's CHECK constraints: a
            // database that breaks some must still be backed up (the violation report,
            // after the backup, is what reports them).
            let check: String = out
                .execute_batch("PRAGMA ignore_check_constraints = ON")
                .and_then(|_| out.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
                .map_err(|e| failed("cannot verify the backup", e))?;
            out.close()
                .map_err(|(_, e)| failed("cannot finish the backup", e))?;
            Ok((check, hashing.finish()))
        };
        // On any failure `pending` is dropped, and the partial copy with it.
        let (check, sha256) = copy()?;
        if check != "ok" {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} failed its integrity check ({check}); it was not kept",
                    dest.display()
                ),
            ));
        }
        let path = pending
            .publish()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot keep the backup: {e}")))?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(BackupInfo {
            path,
            bytes,
            verified: "integrity_check ok".into(),
            sha256,
        })
    }

    pub(super) fn verify_copy(&mut self, file: &Path) -> Result<String, DbError> {
        let failed = |what: &str, e: rusqlite::Error| {
            DbError::new(DbErrorKind::Io, format!("{what} {}: {e}", file.display()))
        };
        let check: String = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
            .map_err(|e| failed("cannot check the backup", e))?;
        if check != "ok" {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} failed its integrity check ({check}); nothing was restored",
                    file.display()
                ),
            ));
        }
        Ok("integrity_check ok".into())
    }

    pub(super) fn restore_copy(&mut self, file: &Path) -> Result<String, DbError> {
        let checked = self.verify_backup(file)?;
        let failed = |what: &str, e: rusqlite::Error| {
            DbError::new(DbErrorKind::Io, format!("{what} {}: {e}", file.display()))
        };
        // The backup API copies page by page into this connection's database and
        // commits once: a failure leaves the database as it was.
        self.conn
            .restore(
                rusqlite::MAIN_DB,
                file,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|e| failed("cannot restore the backup", e))?;
        Ok(checked)
    }
}

/// Why a backup could not be written; a full disk said plainly.
fn backup_error(what: &str, dir: &Path, dest: &Path, e: rusqlite::Error) -> DbError {
    let message = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => format!(
            "{what}: the disk holding the backup directory {} is full; nothing was kept. Free some space or choose another backup directory, then run upwiz again",
            dir.display()
        ),
        _ => format!("{what} {}: {e}", dest.display()),
    };
    DbError::new(DbErrorKind::Io, message)
}
