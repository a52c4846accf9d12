//! A cancellation token the engine checks at safe points. Cancelling it also cancels
//! the statement running on the server (through the connection's `Canceller`) and
//! stops the child processes started for the run (each in a process group of its own),
//! so that a stop never waits for a blocked statement or a slow tool.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::db::Canceller;

/// Cloned into signal handlers and front ends; the engine only reads it.
#[derive(Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicUsize>,
    hooks: Arc<Hooks>,
}

#[derive(Default)]
struct Hooks {
    next: AtomicU64,
    cancellers: Mutex<Vec<(u64, Arc<dyn Canceller>)>>,
    groups: Mutex<Vec<(u64, i32)>>,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CancelToken")
            .field(&self.flag.load(Ordering::SeqCst))
            .finish()
    }
}

/// Stored when cancellation comes from the user rather than a signal.
const BY_USER: usize = usize::MAX;

thread_local! {
    /// The token of the run this thread works for: child processes started on it
    /// register their process group there.
    static CURRENT: RefCell<Option<CancelToken>> = const { RefCell::new(None) };
}

/// Every live child process group, for a signal handler (which cannot take a lock):
/// a second Ctrl-C kills them before the process ends.
static GROUPS: [AtomicI32; 64] = [const { AtomicI32::new(0) }; 64];

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the run to stop: the statement in flight is cancelled, child processes
    /// are asked to end, and the engine stops at the next safe point.
    pub fn cancel(&self) {
        let _ = self
            .flag
            .compare_exchange(0, BY_USER, Ordering::SeqCst, Ordering::SeqCst);
        self.interrupt();
    }

    /// What `cancel` does beyond setting the flag: for a signal watcher, after the
    /// signal handler has set it.
    pub fn interrupt(&self) {
        let cancellers: Vec<Arc<dyn Canceller>> = lock(&self.hooks.cancellers)
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        for c in cancellers {
            c.cancel();
        }
        for (_, pgid) in lock(&self.hooks.groups).iter() {
            signal_group(*pgid, TERM);
        }
    }

    /// The shared flag, for `signal_hook::flag::register_usize(sig, flag, sig)`:
    /// a signal handler stores its signal number there.
    pub fn flag(&self) -> Arc<AtomicUsize> {
        self.flag.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst) != 0
    }

    /// The signal that asked to stop, if it was one.
    pub fn signal(&self) -> Option<i32> {
        match self.flag.load(Ordering::SeqCst) {
            0 | BY_USER => None,
            n => i32::try_from(n).ok(),
        }
    }

    /// Cancelling this token cancels the statement `canceller`'s connection runs,
    /// until the returned guard is dropped (with the connection).
    pub fn attach(&self, canceller: Option<Arc<dyn Canceller>>) -> Attached {
        let id = self.hooks.next.fetch_add(1, Ordering::SeqCst);
        if let Some(c) = canceller {
            lock(&self.hooks.cancellers).push((id, c));
        }
        Attached {
            hooks: self.hooks.clone(),
            id,
        }
    }

    /// Makes this the token of the calling thread's run until the guard is dropped:
    /// the child processes it starts stop when the token is cancelled.
    pub fn enter(&self) -> Entered {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        Entered { previous }
    }

    /// The calling thread's run's token, if it has one.
    pub fn current() -> Option<CancelToken> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// Records a child's process group (its pid, started with `process_group(0)`):
    /// the calling thread's token stops it when cancelled, and a second signal kills it
    /// before upwiz ends. Forgotten when the guard is dropped.
    pub fn track_group(pgid: u32) -> TrackedGroup {
        let pgid = i32::try_from(pgid).unwrap_or(0);
        let slot = GROUPS.iter().position(|g| {
            g.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        });
        let token = Self::current();
        let mut id = None;
        if let Some(t) = &token {
            let n = t.hooks.next.fetch_add(1, Ordering::SeqCst);
            lock(&t.hooks.groups).push((n, pgid));
            id = Some(n);
            if t.is_cancelled() {
                signal_group(pgid, TERM);
            }
        }
        TrackedGroup {
            pgid,
            slot,
            token: token.zip(id),
        }
    }

    /// Kills every tracked child process group: async-signal-safe, for the second
    /// Ctrl-C or SIGTERM, which ends upwiz at once.
    pub fn kill_all_groups() {
        for g in &GROUPS {
            let pgid = g.load(Ordering::SeqCst);
            if pgid > 0 {
                signal_group(pgid, KILL);
            }
        }
    }
}

/// Signal numbers, named where they are used on every platform.
const TERM: i32 = 15;
const KILL: i32 = 9;

#[cfg(unix)]
fn signal_group(pgid: i32, sig: i32) {
    if pgid > 0 {
        // SAFETY: kill has no memory-safety preconditions; a negative pid names a group.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }
}

#[cfg(not(unix))]
fn signal_group(_pgid: i32, _sig: i32) {}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub struct Attached {
    hooks: Arc<Hooks>,
    id: u64,
}

impl Drop for Attached {
    fn drop(&mut self) {
        lock(&self.hooks.cancellers).retain(|(i, _)| *i != self.id);
    }
}

pub struct Entered {
    previous: Option<CancelToken>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

pub struct TrackedGroup {
    pgid: i32,
    slot: Option<usize>,
    token: Option<(CancelToken, u64)>,
}

impl TrackedGroup {
    /// Kills the whole group (the program and whatever it started).
    pub fn kill(&self) {
        signal_group(self.pgid, KILL);
    }
}

impl Drop for TrackedGroup {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            GROUPS[i].store(0, Ordering::SeqCst);
        }
        if let Some((t, id)) = &self.token {
            lock(&t.hooks.groups).retain(|(i, _)| i != id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    struct Flagged(Arc<AtomicBool>);

    impl Canceller for Flagged {
        fn cancel(&self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn cancelling_reaches_attached_connections_until_they_are_detached() {
        let token = CancelToken::new();
        let hit = Arc::new(AtomicBool::new(false));
        let guard = token.attach(Some(Arc::new(Flagged(hit.clone()))));
        drop(guard);
        token.cancel();
        assert!(!hit.load(Ordering::SeqCst), "detached");
        let token = CancelToken::new();
        let _guard = token.attach(Some(Arc::new(Flagged(hit.clone()))));
        token.cancel();
        assert!(hit.load(Ordering::SeqCst));
        assert!(token.is_cancelled() && token.signal().is_none());
    }
}
