//! Backups with the vendor's tools: `pg_dump --format=custom` checked with
//! `pg_restore --list`, and restores with `pg_restore --single-transaction`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;

use super::PostgresDb;
use crate::db::tools;
use crate::db::{BackupInfo, Database, DbError, DbErrorKind, Value};

impl PostgresDb {
    pub(super) fn dump_to(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        self.backup_preflight(dir)?;
        let dump = tools::find("UPWIZ_PG_DUMP", &["pg_dump"])?;
        let restore = tools::find("UPWIZ_PG_RESTORE", &["pg_restore"])?;
        let tables: u64 = self
            .query("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")?
            .scalar()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let dest = dir.join(format!("{stem}.pgdump"));
        // pg_dump writes a file created here, under a temporary name, that becomes the
        // backup once verified; on failure it is removed with `pending`.
        let (pending, file) = crate::fsutil::Pending::create(dest.clone())
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot create the backup: {e}")))?;
        drop(file);
        let mut cmd = Command::new(&dump);
        cmd.args(["--format=custom", "--verbose", "--no-password", "--file"])
            .arg(pending.tmp());
        let _pass = self.env_for_tools(&mut cmd, dir)?;
        let mut tool = tools::spawn(&mut cmd, "pg_dump")?;
        let child = &mut tool.child;
        let mut err_text = String::new();
        let mut done = 0u64;
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if line.contains("dumping contents of table") {
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
        if !status.success() {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!("pg_dump failed ({status}): {}", tools::tail(&err_text)),
            ));
        }
        // The dump is complete: it is hashed while pg_restore reads its table of contents.
        let hashing = crate::db::digest::start(pending.tmp());
        let list = tools::without_secrets(&mut Command::new(&restore))
            .arg("--list")
            .arg(pending.tmp())
            .output()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot start pg_restore: {e}")))?;
        let toc = String::from_utf8_lossy(&list.stdout);
        let sha256 = hashing.finish();
        if !list.status.success() || !toc.contains("TABLE DATA") {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} failed verification (pg_restore --list) and was not kept: {}",
                    dest.display(),
                    tools::tail(&String::from_utf8_lossy(&list.stderr))
                ),
            ));
        }
        let entries = toc
            .lines()
            .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
            .count();
        let path = pending
            .publish()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot keep the backup: {e}")))?;
        progress(tables, tables);
        Ok(BackupInfo {
            bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            path,
            verified: format!("pg_restore --list ok, {entries} entries"),
            sha256,
        })
    }

    pub(super) fn verify_dump(&mut self, file: &Path) -> Result<String, DbError> {
        let restore = tools::find("UPWIZ_PG_RESTORE", &["pg_restore"])?;
        let list = tools::without_secrets(&mut Command::new(&restore))
            .arg("--list")
            .arg(file)
            .output()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot start pg_restore: {e}")))?;
        let toc = String::from_utf8_lossy(&list.stdout);
        if !list.status.success() || !toc.contains("TABLE DATA") {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} failed verification (pg_restore --list); nothing was restored: {}",
                    file.display(),
                    tools::tail(&String::from_utf8_lossy(&list.stderr))
                ),
            ));
        }
        Ok("pg_restore --list ok".into())
    }

    pub(super) fn restore_dump(&mut self, file: &Path) -> Result<String, DbError> {
        let checked = self.verify_backup(file)?;
        let restore = tools::find("UPWIZ_PG_RESTORE", &["pg_restore"])?;
        let dbname = self
            .query("SELECT current_database()")?
            .scalar()
            .unwrap_or_default();
        // Objects the upgrade created are not in the backup: everything of the
        // database's own schemas goes first, so that what remains is exactly the backup.
        let schemas = self.query(
            "SELECT quote_ident(nspname), nspname = 'public' FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
        )?;
        self.begin()?;
        let dropped = (|| {
            for row in &schemas.rows {
                let name = row.first().and_then(Value::as_text).unwrap_or_default();
                self.execute(&format!("DROP SCHEMA {name} CASCADE"))?;
                if row.get(1).and_then(Value::as_text).as_deref() == Some("t") {
                    self.execute("CREATE SCHEMA public")?;
                    self.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")?;
                }
            }
            self.commit()
        })();
        if let Err(e) = dropped {
            let _ = self.rollback();
            return Err(e);
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        let mut cmd = Command::new(&restore);
        cmd.args([
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            "--dbname",
        ])
        .arg(&dbname)
        .arg(file);
        let _pass = self.env_for_tools(&mut cmd, dir)?;
        let tool = tools::spawn(&mut cmd, "pg_restore")?;
        let out = tool
            .child
            .wait_with_output()
            .map_err(|e| DbError::new(DbErrorKind::Io, e.to_string()))?;
        if !out.status.success() {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "pg_restore failed ({}): {}; the database's schemas were emptied before it: restore the backup again once the cause is fixed",
                    out.status,
                    tools::tail(&String::from_utf8_lossy(&out.stderr))
                ),
            ));
        }
        Ok(checked)
    }
}
