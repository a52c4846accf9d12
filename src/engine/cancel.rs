//! A cancellation token the engine checks at safe points.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// Cloned into signal handlers and front ends; the engine only reads it.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicI32>);

/// Stored when cancellation comes from the user rather than a signal.
const BY_USER: i32 = -1;

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        let _ = self
            .0
            .compare_exchange(0, BY_USER, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The shared flag, for `signal_hook::flag::register_conditional_default`-style
    /// handlers that store the signal number.
    pub fn raw(&self) -> Arc<AtomicI32> {
        self.0.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst) != 0
    }

    /// The signal that asked to stop, if it was one.
    pub fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            n if n > 0 => Some(n),
            _ => None,
        }
    }
}
