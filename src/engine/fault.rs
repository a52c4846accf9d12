//! Crash-test hook: with the `fault-injection` feature, `UPWIZ_FAULT_AT=N` aborts
//! the process just before the Nth journal write, as a power cut would.

#[cfg(feature = "fault-injection")]
pub fn journal_write() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    let at = std::env::var("UPWIZ_FAULT_AT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    if at == Some(n) {
        eprintln!("upwiz: fault injection: aborting at journal write {n}");
        std::process::abort();
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn journal_write() {}
