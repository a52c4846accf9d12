//! `upwiz status --follow`: watch an upgrade another process is running (after a
//! dropped SSH session, say) until it ends, printing its steps and its log as they
//! come, the way the wizard's Welcome screen follows it.

use std::time::Duration;

use super::exit;
use super::print;
use crate::engine::{self, follow, RunState, Session};
use crate::paths::Dirs;

/// How often the mirror and the lock are looked at.
const POLL: Duration = Duration::from_secs(1);
/// Log lines read each time: more than a second of a run's own lines.
const TAIL: usize = 200;

/// Follows the run holding the lock, if a live one does, until it ends. Returns the
/// exit code its end deserves (0 completed, 1 failed or stopped unexpectedly, 130 when
/// stopped at a safe point), or None when no upgrade is running.
pub fn until_done(session: &mut Session, dirs: &Dirs, quiet: bool) -> Option<i32> {
    let running = |s: &mut Session| {
        s.inspect()
            .ok()
            .and_then(|i| i.lock)
            .is_some_and(|l| !l.stale)
    };
    if !running(session) {
        return None;
    }
    let path = engine::state_file_path(&dirs.state_dir, session.spec());
    if !quiet {
        print::out("Following the upgrade running now; Ctrl-C stops following, not the upgrade.");
    }
    let mut printed: Vec<String> = Vec::new();
    let mut step: Option<String> = None;
    let mut last: Option<follow::Snapshot> = None;
    // The lock says whether the run goes on; the mirror, written before the lock is
    // let go, says how it ended.
    let end = loop {
        let alive = running(session);
        let snap = follow::snapshot(&path, TAIL);
        if !quiet && last.as_ref() != Some(&snap) {
            if let Some(s) = &snap.state {
                if s.current_step != step {
                    step = s.current_step.clone();
                    if let Some(c) = &step {
                        print::out(&format!(
                            "[{}/{} steps done] {c}",
                            s.completed_steps.len(),
                            s.total_steps
                        ));
                    }
                }
            }
            for line in new_lines(&printed, &snap.log_tail) {
                print::out(&format!("  {line}"));
            }
            printed = snap.log_tail.clone();
        }
        if !alive {
            break snap;
        }
        last = Some(snap);
        std::thread::sleep(POLL);
    };
    let code = match end.state.map(|s| s.state) {
        Some(RunState::Completed) => {
            if !quiet {
                print::out("The upgrade completed.");
            }
            exit::OK
        }
        Some(RunState::Interrupted) => {
            if !quiet {
                print::out(
                    "The upgrade was stopped at a safe point; run upwiz again to continue it.",
                );
            }
            exit::INTERRUPTED_INT
        }
        Some(RunState::Running) | None => {
            print::error_line("the upgrade's process ended without finishing; run upwiz again: it continues where it left off");
            exit::STEP_FAILED
        }
        Some(_) => {
            print::error_line("the upgrade failed; see the log, fix the cause and run upwiz again: it continues where it left off");
            exit::STEP_FAILED
        }
    };
    Some(code)
}

/// The lines of `now` after the last line of `before` (a window on a growing log).
fn new_lines<'a>(before: &[String], now: &'a [String]) -> &'a [String] {
    let Some(last) = before.last() else {
        return now;
    };
    match now.iter().rposition(|l| l == last) {
        Some(i) => &now[i + 1..],
        None => now,
    }
}

#[cfg(test)]
mod tests {
    use super::new_lines;

    #[test]
    fn only_the_lines_after_the_last_printed_one_are_new() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(new_lines(&[], &s(&["a", "b"])), s(&["a", "b"]).as_slice());
        assert_eq!(
            new_lines(&s(&["a", "b"]), &s(&["a", "b", "c"])),
            s(&["c"]).as_slice()
        );
        assert_eq!(
            new_lines(&s(&["x", "y"]), &s(&["b", "c"])),
            s(&["b", "c"]).as_slice()
        );
        assert!(new_lines(&s(&["c"]), &s(&["a", "b", "c"])).is_empty());
    }
}
