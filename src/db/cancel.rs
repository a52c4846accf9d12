//! Stopping a statement that is running on the server, from another thread.

/// Cancels whatever statement its connection is running; does nothing when it runs
/// none. Handed out by a `Database` and called from a signal watcher or a front end.
pub trait Canceller: Send + Sync {
    fn cancel(&self);
}
