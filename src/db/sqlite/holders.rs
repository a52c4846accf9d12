//! Who holds a lock on a SQLite file: SQLite locks with POSIX record locks, which
//! Linux lists in /proc/locks by device and inode, with the holder's process id.
//! Told which program it is, the operator knows what to close.

use std::path::Path;

/// The other processes holding a lock on the database file or its WAL index, as
/// "process 1234 (python3)"; empty where the system does not say.
pub fn describe(path: &Path) -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        let Ok(table) = std::fs::read_to_string("/proc/locks") else {
            return Vec::new();
        };
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let files: Vec<(u64, u64)> = [path, Path::new(&shm)]
            .iter()
            .filter_map(|p| id(p))
            .collect();
        let mut pids: Vec<u32> = table
            .lines()
            .filter_map(|l| holder(l, &files))
            .filter(|&pid| pid != std::process::id())
            .collect();
        pids.sort_unstable();
        pids.dedup();
        pids.into_iter()
            .map(|pid| {
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .map(|c| format!(" ({})", crate::text::sanitize(c.trim())))
                    .unwrap_or_default();
                format!("process {pid}{name}")
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        Vec::new()
    }
}

/// The device (as /proc/locks writes it: major and minor) and inode of a file.
#[cfg(target_os = "linux")]
fn id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino()))
}

/// The holder's pid of one /proc/locks line, when it locks one of `files`:
/// `1: POSIX  ADVISORY  WRITE 3787 fe:00:770058 0 EOF` (a waiter's line has `->`
/// after the number; an open file description lock has pid -1).
#[cfg(target_os = "linux")]
fn holder(line: &str, files: &[(u64, u64)]) -> Option<u32> {
    let fields: Vec<&str> = line.split_whitespace().filter(|f| *f != "->").collect();
    let pid: u32 = fields.get(4)?.parse().ok()?;
    let mut parts = fields.get(5)?.split(':');
    let major = u64::from_str_radix(parts.next()?, 16).ok()?;
    let minor = u64::from_str_radix(parts.next()?, 16).ok()?;
    let inode: u64 = parts.next()?.parse().ok()?;
    files
        .iter()
        .any(|&(dev, ino)| {
            ino == inode && libc::major(dev) as u64 == major && libc::minor(dev) as u64 == minor
        })
        .then_some(pid)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn reads_the_holder_of_a_lock_line() {
        let dev = libc::makedev(0xfe, 0);
        let files = [(dev, 770058)];
        assert_eq!(
            holder("3: POSIX  ADVISORY  WRITE 3787 fe:00:770058 0 EOF", &files),
            Some(3787)
        );
        assert_eq!(
            holder("3: -> POSIX  ADVISORY  WRITE 42 fe:00:770058 0 EOF", &files),
            Some(42)
        );
        assert_eq!(
            holder("4: POSIX  ADVISORY  WRITE 3787 fe:00:1 0 EOF", &files),
            None
        );
        assert_eq!(
            holder("5: OFDLCK ADVISORY  READ  -1 fe:00:770058 0 EOF", &files),
            None
        );
    }
}
