//! Who this process is, and whether another process is still alive: what the lock
//! needs to tell a running owner from a dead one.

use std::time::{Duration, SystemTime};

pub fn host_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

pub fn user_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// Whether `pid` on this host is alive and was started no later than `since`
/// (a younger process has merely reused the number of a dead owner).
pub fn is_alive(pid: u32, since: Option<SystemTime>) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let rc = unsafe { libc::kill(pid as i32, 0) };
        let exists = rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if !exists || is_zombie(pid) {
            return false;
        }
        match (since, start_time(pid)) {
            // A tolerance for clock rounding between /proc and the lock's timestamp.
            (Some(since), Some(started)) => started <= since + Duration::from_secs(2),
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = since;
        true
    }
}

/// A process that has exited but was never reaped (its parent died too, in a container
/// whose first process does not reap): signal 0 still finds it, but it runs no more.
fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after = stat[stat.rfind(')')? + 1..].trim_start().to_string();
            after.chars().next()
        })
        .is_some_and(|state| state == 'Z' || state == 'X')
}

/// When `pid` started, from /proc (Linux); None elsewhere.
fn start_time(pid: u32) -> Option<SystemTime> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields follow the last ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    let ticks: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz <= 0 {
        return None;
    }
    let secs = boot as f64 + ticks as f64 / hz as f64;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_not() {
        assert!(is_alive(std::process::id(), Some(SystemTime::now())));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!is_alive(pid, None));
    }

    #[test]
    fn an_exited_process_nobody_reaped_is_dead() {
        // The child exits at once and is not waited for until the end: a zombie.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !is_zombie(pid) {
            assert!(
                std::time::Instant::now() < deadline,
                "the child never became a zombie"
            );
            std::thread::yield_now();
        }
        assert!(!is_alive(pid, Some(SystemTime::now())));
        child.wait().unwrap();
    }

    #[test]
    fn a_process_younger_than_the_lock_is_not_its_owner() {
        let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(!is_alive(std::process::id(), Some(long_ago)));
    }
}
