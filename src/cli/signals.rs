//! Ctrl-C and SIGTERM stop a headless run at the next safe point; a second one ends it
//! at once (transactions keep the database consistent either way). A dropped terminal
//! (SIGHUP) does not stop it.

use std::sync::atomic::Ordering;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::engine::CancelToken;

pub fn install(cancel: &CancelToken) {
    for (sig, code) in [(SIGINT, 130), (SIGTERM, 143)] {
        let flag = cancel.flag();
        // SAFETY: the handler only swaps an atomic and may call _exit, both async-signal-safe.
        let _ = unsafe {
            signal_hook::low_level::register(sig, move || {
                if flag.swap(sig as usize, Ordering::SeqCst) != 0 {
                    signal_hook::low_level::exit(code);
                }
            })
        };
    }
    let hup = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let _ = signal_hook::flag::register(SIGHUP, hup);
}
