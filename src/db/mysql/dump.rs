//! Backups with the vendor's tools: `mariadb-dump`/`mysqldump --single-transaction`,
//! checked by their completion trailer, and restores through the `mariadb`/`mysql` client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;

use super::MysqlDb;
use crate::db::tools::{self, SecretFile};
use crate::db::{BackupInfo, Database, DbError, DbErrorKind, Value};

impl MysqlDb {
    pub(super) fn dump_to(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        self.backup_preflight(dir)?;
        let dump = tools::find("UPWIZ_MYSQLDUMP", &["mariadb-dump", "mysqldump"])?;
        let tables: u64 = self
            .query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")?
            .scalar()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let db = self.target.database.clone();
        let mariadb = is_mariadb_tool(&dump);
        let defaults = SecretFile::create(dir, "my.cnf", &self.option_file(mariadb))?;
        let dest = dir.join(format!("{stem}.sql"));
        // The dump goes to a file created here, under a temporary name, that becomes
        // the backup once verified; on failure it is removed with `pending`.
        let (pending, file) = crate::fsutil::Pending::create(dest.clone())
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot create the backup: {e}")))?;
        let mut cmd = Command::new(&dump);
        defaults.pass_to(&mut cmd);
        cmd.arg(format!(
            "--defaults-extra-file={}",
            defaults.path().display()
        ))
        .args([
            "--single-transaction",
            "--routines",
            "--triggers",
            "--verbose",
        ])
        .arg("--")
        .arg(&db)
        .env_remove("MYSQL_PWD");
        let mut tool = tools::spawn(&mut cmd, &dump.display().to_string())?;
        let child = &mut tool.child;
        // The dump is written to the file and hashed as the tool prints it, on a thread
        // of its own, so its SHA-256 costs no pass of its own afterwards.
        let writing = child
            .stdout
            .take()
            .map(|out| std::thread::spawn(move || crate::db::digest::copy_hashing(out, file)));
        let mut err_text = String::new();
        let mut done = 0u64;
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if line.contains("Sending SELECT query") || line.contains("Retrieving rows") {
                    done += 1;
                    progress(done.min(tables), tables.max(done));
                }
                err_text.push_str(&line);
                err_text.push('\n');
            }
        }
        let status = child
            .wait()
            .map_err(|e| DbError::new(DbErrorKind::Io, e.to_string()))?;
        drop(defaults);
        let written = writing
            .ok_or_else(|| std::io::Error::other("the dump tool has no output"))
            .and_then(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("the writer stopped")))
            })
            .map_err(|e| {
                DbError::new(
                    DbErrorKind::Io,
                    format!("cannot write the backup {}: {e}", dest.display()),
                )
            });
        // A file that could not be written (a full disk) is the cause when the tool
        // then fails on its closed output, so it is said first.
        let (bytes, sha256) = written?;
        if !status.success() {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "{} failed ({status}): {}",
                    dump.display(),
                    tools::tail(&err_text)
                ),
            ));
        }
        // Only the end is read back; the whole dump may be larger than memory.
        let trailer =
            dump_tail(pending.tmp()).map_err(|e| DbError::new(DbErrorKind::Io, e.to_string()))?;
        let sha256 = Some(sha256);
        if !trailer.contains("-- Dump completed") {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} is incomplete (it lacks the dump's completion trailer) and was not kept",
                    dest.display()
                ),
            ));
        }
        let path = pending
            .publish()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot keep the backup: {e}")))?;
        progress(tables, tables);
        Ok(BackupInfo {
            bytes,
            path,
            verified: "completion trailer present".into(),
            sha256,
        })
    }

    pub(super) fn verify_dump(&mut self, file: &Path) -> Result<String, DbError> {
        let trailer = dump_tail(file).map_err(|e| {
            DbError::new(
                DbErrorKind::Io,
                format!("cannot read the backup {}: {e}", file.display()),
            )
        })?;
        if !trailer.contains("-- Dump completed") {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} is incomplete (it lacks the dump's completion trailer); nothing was restored",
                    file.display()
                ),
            ));
        }
        Ok("completion trailer present".into())
    }

    pub(super) fn restore_dump(&mut self, file: &Path) -> Result<String, DbError> {
        let checked = self.verify_backup(file)?;
        let client = tools::find("UPWIZ_MYSQL", &["mariadb", "mysql"])?;
        // Objects the upgrade created are not in the backup: they go first, so that
        // what remains is exactly the backup.
        let objects = self.query(
            "SELECT CONCAT(IF(table_type = 'VIEW', 'DROP VIEW IF EXISTS `', 'DROP TABLE IF EXISTS `'), REPLACE(table_name, '`', '``'), '`') FROM information_schema.tables WHERE table_schema = DATABASE() \
             UNION ALL SELECT CONCAT('DROP ', routine_type, ' IF EXISTS `', REPLACE(routine_name, '`', '``'), '`') FROM information_schema.routines WHERE routine_schema = DATABASE() \
             UNION ALL SELECT CONCAT('DROP EVENT IF EXISTS `', REPLACE(event_name, '`', '``'), '`') FROM information_schema.events WHERE event_schema = DATABASE()",
        )?;
        self.execute("SET FOREIGN_KEY_CHECKS = 0")?;
        let dropped = objects.rows.iter().try_for_each(|row| {
            let sql = row.first().and_then(Value::as_text).unwrap_or_default();
            self.execute(&sql).map(drop)
        });
        let _ = self.execute("SET FOREIGN_KEY_CHECKS = 1");
        dropped?;
        let dir = file.parent().unwrap_or(Path::new("."));
        let defaults =
            SecretFile::create(dir, "my.cnf", &self.option_file(is_mariadb_tool(&client)))?;
        let input = std::fs::File::open(file).map_err(|e| {
            DbError::new(
                DbErrorKind::Io,
                format!("cannot read the backup {}: {e}", file.display()),
            )
        })?;
        let mut cmd = Command::new(&client);
        defaults.pass_to(&mut cmd);
        cmd.arg(format!(
            "--defaults-extra-file={}",
            defaults.path().display()
        ))
        .arg("--batch")
        .arg("--")
        .arg(&self.target.database)
        .env_remove("MYSQL_PWD");
        let tool = tools::spawn_reading(&mut cmd, &client.display().to_string(), input)?;
        let out = tool
            .child
            .wait_with_output()
            .map_err(|e| DbError::new(DbErrorKind::Io, e.to_string()))?;
        drop(defaults);
        if !out.status.success() {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "{} failed ({}): {}; the database's tables were dropped before it: restore the backup again once the cause is fixed",
                    client.display(),
                    out.status,
                    tools::tail(&String::from_utf8_lossy(&out.stderr))
                ),
            ));
        }
        Ok(checked)
    }
}

/// The last 200 bytes of a dump, where its completion trailer is; read without
/// loading a dump that may be gigabytes.
fn dump_tail(file: &Path) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(file)?;
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(200)))?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail)?;
    Ok(String::from_utf8_lossy(&tail).into_owned())
}

/// MariaDB's dump tool takes other TLS options than MySQL's.
fn is_mariadb_tool(dump: &Path) -> bool {
    if dump
        .file_name()
        .is_some_and(|n| n.to_string_lossy().contains("mariadb"))
    {
        return true;
    }
    tools::without_secrets(&mut Command::new(dump))
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("MariaDB"))
        .unwrap_or(false)
}
