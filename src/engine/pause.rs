//! Pause points for tests of races, compiled in only with the `fault-injection`
//! feature. With `UPWIZ_PAUSE_AT=<name>` and `UPWIZ_PAUSE_DIR=<dir>`, the run stops at
//! the point called `<name>`, creates `<dir>/<name>.paused`, and goes on once
//! `<dir>/<name>.resume` exists. A test waits for the first file, does what the race
//! needs, and creates the second: no sleeps, no timing.

#[cfg(feature = "fault-injection")]
pub fn point(name: &str) {
    use std::path::PathBuf;
    if std::env::var("UPWIZ_PAUSE_AT").ok().as_deref() != Some(name) {
        return;
    }
    let Some(dir) = std::env::var_os("UPWIZ_PAUSE_DIR").map(PathBuf::from) else {
        return;
    };
    let _ = std::fs::write(dir.join(format!("{name}.paused")), b"");
    let resume = dir.join(format!("{name}.resume"));
    // Bounded, so a test that dies never leaves a process waiting for ever.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !resume.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn point(_name: &str) {}
