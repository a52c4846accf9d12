//! Files that may hold sensitive data: private directories (0700) and files (0600),
//! atomic replacement so a crash never leaves half a file, and no writing through a
//! symbolic link: a log or backup directory may be shared, and a link planted there
//! must not make upwiz write over another file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub fn private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Options for a file created 0600 that never opens through a symbolic link (as the
/// last component) and never blocks on a FIFO.
fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    o
}

/// The error for a path whose last component is a symbolic link.
fn refused_link(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; upwiz does not write through links: remove it, or choose another directory",
            path.display()
        ),
    )
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Opens `path` as `options` say, refusing a symbolic link or anything but a regular
/// file, with a message naming the path.
fn open_checked(path: &Path, options: &OpenOptions) -> io::Result<File> {
    let not_regular = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not a regular file; remove it, or choose another directory",
                path.display()
            ),
        )
    };
    let file = options.open(path).map_err(|e| {
        if is_link(path) {
            return refused_link(path);
        }
        // A FIFO without a reader refuses a non-blocking writer (ENXIO).
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return not_regular();
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    #[cfg(unix)]
    {
        // O_NONBLOCK only guarded the open against a FIFO; writes must not be short.
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this function owns.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(file)
}

/// Opens (creating it 0600 if needed) a file to append to, such as UPGRADE.LOG.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    if let Some(parent) = path.parent() {
        private_dir(parent)?;
    }
    let file = open_checked(path, private_options().create(true).append(true))?;
    #[cfg(unix)]
    {
        // A log left by an older version, or created by hand, may be readable by all.
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
        }
    }
    Ok(file)
}

/// Creates `path` 0600; fails if anything (a file, a link) is already there.
pub fn create_private_new(path: &Path) -> io::Result<File> {
    private_options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists && is_link(path) {
                refused_link(path)
            } else {
                e
            }
        })
}

/// Reads a file that must not be a symbolic link (a state file).
pub fn read_private(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_checked(path, OpenOptions::new().read(true).custom_nofollow())?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

trait NoFollow {
    fn custom_nofollow(&mut self) -> &mut Self;
}

impl NoFollow for OpenOptions {
    fn custom_nofollow(&mut self) -> &mut Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            self.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        self
    }
}

/// A name next to `path` for a temporary file that no other writer uses.
fn temp_name(path: &Path, attempt: u32) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.tmp{}-{nanos}-{attempt}",
        std::process::id()
    ))
}

/// Writes `data` to `path` through a temporary file and a rename. Refuses when `path`
/// is a symbolic link. The temporary file is created anew (never opened through a
/// link someone put at its name), and the rename replaces a link rather than
/// following it, should one appear in between.
pub fn write_private_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    private_dir(parent)?;
    if is_link(path) {
        return Err(refused_link(path));
    }
    let mut attempt = 0;
    let (tmp, mut f) = loop {
        let tmp = temp_name(path, attempt);
        match create_private_new(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 5 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = f.write_all(data).and_then(|_| f.sync_all());
    drop(f);
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Renames `from` to `to` unless `to` exists: an existing file (a backup) is never
/// replaced. Fails with `AlreadyExists` when it does.
pub fn rename_new(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        let c = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).map_err(io::Error::other);
        let (f, t) = (c(from)?, c(to)?);
        // SAFETY: two valid C strings; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        // Some file systems (and old kernels) lack RENAME_NOREPLACE: a hard link
        // gives the same guarantee.
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// A file written under a temporary name next to its final one, and given its final
/// name only once it is complete and checked: a reader never finds half a file under
/// the final name, and an existing file there is never replaced. Dropped before it is
/// published, it removes the temporary file and whatever its writer left beside it
/// (SQLite's `-journal`, `-wal` and `-shm`).
pub struct Pending {
    tmp: PathBuf,
    dest: PathBuf,
    published: bool,
}

impl Pending {
    /// Creates the temporary file (0600, anew); fails when `dest` already exists.
    pub fn create(dest: PathBuf) -> io::Result<(Pending, File)> {
        if std::fs::symlink_metadata(&dest).is_ok() {
            return Err(exists(&dest));
        }
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.partial"));
        // Only a writer killed half-way leaves one behind: it is no one's file.
        if std::fs::symlink_metadata(&tmp).is_ok() {
            std::fs::remove_file(&tmp)?;
        }
        let file = create_private_new(&tmp)?;
        let pending = Pending {
            tmp,
            dest,
            published: false,
        };
        Ok((pending, file))
    }

    /// Where the writer writes.
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Gives the file its final name, unless something took that name meanwhile.
    pub fn publish(mut self) -> io::Result<PathBuf> {
        rename_new(&self.tmp, &self.dest).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                exists(&self.dest)
            } else {
                e
            }
        })?;
        self.published = true;
        Ok(self.dest.clone())
    }
}

fn exists(dest: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} already exists and upwiz never overwrites a file there; move it elsewhere and run upwiz again",
            dest.display()
        ),
    )
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.published {
            return;
        }
        let _ = std::fs::remove_file(&self.tmp);
        for side in ["-journal", "-wal", "-shm"] {
            let mut p = self.tmp.clone().into_os_string();
            p.push(side);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

/// Restricts an existing file to its owner (for files created by libraries).
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appending_through_a_link_is_refused_and_the_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, "mine\n").unwrap();
        let log = dir.path().join("UPGRADE.LOG");
        std::os::unix::fs::symlink(&target, &log).unwrap();
        let e = open_private_append(&log).unwrap_err();
        assert!(
            e.to_string().contains("UPGRADE.LOG is a symbolic link"),
            "{e}"
        );
        assert!(write_private_atomic(&log, b"x").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine\n");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("UPGRADE.LOG");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open_private_append(&fifo).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_pending_file_is_published_once_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("b.sqlite");
        let (p, mut f) = Pending::create(dest.clone()).unwrap();
        f.write_all(b"half").unwrap();
        std::fs::write(format!("{}-journal", p.tmp().display()), "j").unwrap();
        drop(p);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let (p, mut f) = Pending::create(dest.clone()).unwrap();
        f.write_all(b"whole").unwrap();
        assert_eq!(p.publish().unwrap(), dest);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "whole");
        let e = Pending::create(dest.clone()).err().unwrap();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn rename_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "new").unwrap();
        std::fs::write(&b, "old").unwrap();
        let e = rename_new(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old");
        std::fs::remove_file(&b).unwrap();
        rename_new(&a, &b).unwrap();
        assert!(!a.exists());
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new");
    }
}
