//! Crash-test hooks, compiled in only with the `fault-injection` feature:
//! `UPWIZ_FAULT_AT=N` aborts the process just before the Nth journal write, as a power
//! cut would; `UPWIZ_SLOW_MS=M` sleeps M ms before each, so a test can kill a run from
//! outside at a moment of its choosing.

#[cfg(feature = "fault-injection")]
pub fn journal_write() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
    let at = std::env::var("UPWIZ_FAULT_AT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = std::env::var("UPWIZ_SLOW_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    if at == Some(n) {
        eprintln!("upwiz: fault injection: aborting at journal write {n}");
        std::process::abort();
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn journal_write() {}
