//! Vendor backup utilities (pg_dump, mariadb-dump): found on PATH or named by an
//! environment variable, run without any secret in their arguments, checked for disk space.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{DbError, DbErrorKind};
use crate::fsutil;

/// The first of `names` found: the override variable's path, else on PATH.
pub fn find(override_var: &str, names: &[&str]) -> Result<PathBuf, DbError> {
    if let Some(p) = std::env::var_os(override_var).map(PathBuf::from) {
        if p.is_file() {
            return Ok(p);
        }
        return Err(DbError::new(
            DbErrorKind::NotFound,
            format!("{override_var} names {}, which does not exist", p.display()),
        ));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for n in names {
            let candidate = dir.join(n);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(DbError::new(
        DbErrorKind::NotFound,
        format!(
            "the backup utility {} is not installed (not on PATH); install it or set {override_var} to its path",
            names.join(" or ")
        ),
    ))
}

/// Bytes free for an unprivileged user on the file system holding `dir`.
pub fn free_space(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
        // SAFETY: statvfs writes into the zeroed struct we pass and reads the C string.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return None;
        }
        Some(st.f_bavail as u64 * st.f_frsize as u64)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Fails unless `dir` can hold about `needed` bytes more.
pub fn check_space(dir: &Path, needed: u64) -> Result<(), DbError> {
    fsutil::private_dir(dir).map_err(|e| {
        DbError::new(
            DbErrorKind::Io,
            format!("cannot create the backup directory {}: {e}", dir.display()),
        )
    })?;
    if let Some(free) = free_space(dir) {
        if free < needed {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "too little disk space for the backup in {}: {} MB free, about {} MB needed; free some space or set a different backup directory",
                    dir.display(),
                    free / 1_000_000,
                    needed.div_ceil(1_000_000)
                ),
            ));
        }
    }
    Ok(())
}

/// A file only this user can read, deleted when dropped: how a password reaches a tool.
pub struct SecretFile(pub PathBuf);

impl SecretFile {
    pub fn create(dir: &Path, name: &str, contents: &str) -> Result<Self, DbError> {
        let path = dir.join(format!(".{name}.{}", std::process::id()));
        fsutil::write_private_atomic(&path, contents.as_bytes()).map_err(|e| {
            DbError::new(
                DbErrorKind::Io,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
        Ok(SecretFile(path))
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

pub fn spawn(cmd: &mut Command, what: &str) -> Result<Child, DbError> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot start {what}: {e}")))
}

/// The last lines of a tool's error output, for a message.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}
