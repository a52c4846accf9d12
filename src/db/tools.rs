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

/// Variables that carry a password: never passed on to a program upwiz starts.
pub const SECRET_VARS: [&str; 3] = [crate::credentials::PASSWORD_ENV, "PGPASSWORD", "MYSQL_PWD"];

/// Prefix of the names of password files; a later run removes any whose process is dead.
const SECRET_PREFIX: &str = ".upwiz-secret.";

/// How a password reaches a tool: a file only this user can read, removed from the
/// directory as soon as it is written and open, so that no exit (not even SIGKILL)
/// leaves it behind. The tool reads it through `/dev/fd/N`, inherited by it alone.
pub struct SecretFile {
    file: std::fs::File,
}

impl SecretFile {
    pub fn create(dir: &Path, name: &str, contents: &str) -> Result<Self, DbError> {
        use std::io::Write;
        sweep(dir);
        let path = dir.join(format!(
            "{SECRET_PREFIX}{}.{name}.{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        let fail = |e: std::io::Error| {
            DbError::new(
                DbErrorKind::Io,
                format!("cannot write a password file in {}: {e}", dir.display()),
            )
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(fail)?;
        let written = file.write_all(contents.as_bytes());
        let _ = std::fs::remove_file(&path);
        written.map_err(fail)?;
        Ok(SecretFile { file })
    }

    /// The name the tool opens it by, once `pass_to` has handed it over.
    pub fn path(&self) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            PathBuf::from(format!("/dev/fd/{}", self.file.as_raw_fd()))
        }
        #[cfg(not(unix))]
        PathBuf::new()
    }

    /// Lets the program `cmd` starts inherit the open file (and only that program).
    pub fn pass_to(&self, cmd: &mut Command) {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            use std::os::unix::process::CommandExt;
            let fd = self.file.as_raw_fd();
            // SAFETY: fcntl is async-signal-safe and touches only the child's own fd table.
            unsafe {
                cmd.pre_exec(move || {
                    let flags = libc::fcntl(fd, libc::F_GETFD);
                    if flags < 0 || libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
    }
}

/// Removes password files left in `dir` by processes that are gone: this version's
/// (between create and unlink) and the named ones earlier versions kept for the
/// whole dump (`.pgpass.<pid>`, `.my.cnf.<pid>`).
pub fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = match name.strip_prefix(SECRET_PREFIX) {
            Some(rest) => rest.split('.').next(),
            None => name
                .strip_prefix(".pgpass.")
                .or_else(|| name.strip_prefix(".my.cnf.")),
        };
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !alive(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = i32::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    true
}

/// `cmd` without the variables that carry a password.
pub fn without_secrets(cmd: &mut Command) -> &mut Command {
    for v in SECRET_VARS {
        cmd.env_remove(v);
    }
    cmd
}

/// A vendor tool while it runs: its own process group, stopped with the run.
pub struct Tool {
    pub child: Child,
    _group: crate::engine::TrackedGroup,
}

/// Starts a vendor tool in a process group of its own, registered with the run's
/// cancel token (a stop ends it, a second Ctrl-C kills it), without upwiz's secrets
/// in its environment.
pub fn spawn(cmd: &mut Command, what: &str) -> Result<Tool, DbError> {
    spawn_reading(cmd, what, Stdio::null())
}

/// `spawn`, with `input` as the tool's standard input (a dump fed to the mysql client).
pub fn spawn_reading(
    cmd: &mut Command,
    what: &str,
    input: impl Into<Stdio>,
) -> Result<Tool, DbError> {
    without_secrets(cmd);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let child = cmd
        .stdin(input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot start {what}: {e}")))?;
    let group = crate::engine::CancelToken::track_group(child.id());
    Ok(Tool {
        child,
        _group: group,
    })
}

/// Runs `work` on a thread of its own and waits at most `limit` for it: None when it
/// did not finish in time (the thread is left to end with the process; a stalled
/// network peer is all it waits on).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("upwiz-connect".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .ok()?;
    rx.recv_timeout(limit).ok()
}

/// The last lines of a tool's error output, for a message.
pub fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}
