//! Ctrl-C and SIGTERM stop a headless run at the next safe point: the statement running
//! on the server is cancelled and child tools are asked to end, so the stop does not
//! wait for them. A second one ends upwiz at once, after killing the child tools
//! (transactions keep the database consistent either way). A dropped terminal (SIGHUP)
//! does not stop it.

use std::sync::atomic::Ordering;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::engine::CancelToken;

pub fn install(cancel: &CancelToken) {
    for (sig, code) in [(SIGINT, 130), (SIGTERM, 143)] {
        let flag = cancel.flag();
        // SAFETY: the handler only swaps an atomic, sends signals and may call _exit,
        // all async-signal-safe.
        let _ = unsafe {
            signal_hook::low_level::register(sig, move || {
                if flag.swap(sig as usize, Ordering::SeqCst) != 0 {
                    CancelToken::kill_all_groups();
                    signal_hook::low_level::exit(code);
                }
            })
        };
    }
    // Cancelling a statement takes a connection and locks: not for a signal handler,
    // so a thread does it once the handler has set the flag.
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        let token = cancel.clone();
        let _ = std::thread::Builder::new()
            .name("upwiz-signals".into())
            .spawn(move || {
                if signals.forever().next().is_some() {
                    token.interrupt();
                }
            });
    }
    let hup = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _ = signal_hook::flag::register(SIGHUP, hup);
}
