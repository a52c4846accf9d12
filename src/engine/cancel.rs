//! A cancellation token the engine checks at safe points.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Cloned into signal handlers and front ends; the engine only reads it.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicUsize>);

/// Stored when cancellation comes from the user rather than a signal.
const BY_USER: usize = usize::MAX;

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        let _ = self
            .0
            .compare_exchange(0, BY_USER, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The shared flag, for `signal_hook::flag::register_usize(sig, flag, sig)`:
    /// a signal handler stores its signal number there.
    pub fn flag(&self) -> Arc<AtomicUsize> {
        self.0.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) != 0
    }

    /// The signal that asked to stop, if it was one.
    pub fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 | BY_USER => None,
            n => i32::try_from(n).ok(),
        }
    }
}
