//! Headless output: readable lines for an operator, or one JSON object per event.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde_json::Value;

use crate::engine::{Event, Level, Outcome, RunReport, Sink, StepStatus};
/// Every text that reaches stdout passes through one of these: `clean` for lines of
/// text (it keeps line breaks and tabs, and turns escape sequences and other controls
/// into '?'), `json_safe` for serialized JSON (it escapes what JSON leaves raw).
pub use crate::text::{clean, json_safe};

/// Writes ignore errors: a closed terminal (a dropped SSH session) must not stop an
/// upgrade. What is printed comes from the database, the package and its programs,
/// so it is cleaned of escape sequences as it is written.
macro_rules! say {
    ($($arg:tt)*) => {{
        out(&format!($($arg)*))
    }};
}

/// The version of every JSON object upwiz prints (docs/json.md); raised only when a
/// field is removed or changes meaning, never for an added field.
pub const SCHEMA: u64 = 1;

static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSE: AtomicBool = AtomicBool::new(false);
/// With --quiet, the newest line held back: the one printed when the command ends.
static LAST: Mutex<Option<String>> = Mutex::new(None);

/// --quiet and --verbose, set once before a command runs.
pub fn set_verbosity(quiet: bool, verbose: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
    VERBOSE.store(verbose && !quiet, Ordering::Relaxed);
}

/// With --quiet, prints the final line held back; the command has ended.
pub fn finish() {
    let last = LAST.lock().ok().and_then(|mut l| l.take());
    if let Some(line) = last {
        let _ = writeln!(std::io::stdout(), "{line}");
    }
}

/// Runs `f` with --quiet lifted: what the operator is asked to confirm is shown whole.
pub fn shown_whole<R>(f: impl FnOnce() -> R) -> R {
    let quiet = QUIET.swap(false, Ordering::Relaxed);
    let r = f();
    QUIET.store(quiet, Ordering::Relaxed);
    r
}

/// With --quiet, what the final line says instead of the newest line held back; None
/// when the errors on stderr already said how it ended. Without --quiet, nothing.
pub fn last(line: Option<String>) {
    if QUIET.load(Ordering::Relaxed) {
        if let Ok(mut last) = LAST.lock() {
            *last = line.map(|l| clean(&l).into_owned());
        }
    }
}

/// A debug line on stderr, only with --verbose: stdout stays what scripts read.
pub fn debug(line: &str) {
    if VERBOSE.load(Ordering::Relaxed) {
        let _ = writeln!(std::io::stderr(), "upwiz: debug: {}", one_line(line));
    }
}

/// Writes one line of text to stdout, cleaned like every other line; with --quiet it
/// is held back, and only the last one is printed when the command ends.
pub fn out(line: &str) {
    let line = clean(line);
    if QUIET.load(Ordering::Relaxed) {
        // Blank lines only separate; the final line says something.
        if !line.trim().is_empty() {
            if let Ok(mut last) = LAST.lock() {
                *last = Some(line.into_owned());
            }
        }
        return;
    }
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Writes one serialized JSON value to stdout, with what JSON leaves raw escaped.
pub fn out_json(json: &str) {
    let _ = writeln!(std::io::stdout(), "{}", json_safe(json));
}

/// Writes one JSON object to stdout carrying the contract's `schema` version.
pub fn out_object(mut v: Value) {
    if let Value::Object(map) = &mut v {
        map.insert("schema".into(), SCHEMA.into());
    }
    out_json(&v.to_string());
}

/// Now, as run events carry it: RFC 3339 in UTC, to the millisecond.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Prints `upwiz: <message>` on stderr as exactly one line: scripts read that line (exit
/// code 2 promises one). Messages quote what the operator gave (paths, connect strings,
/// manifest values), which may hold line breaks or terminal escapes; those are shown
/// escaped (`\n`, `\u{1b}`) instead of breaking the line or reaching the terminal.
pub fn error_line(message: &str) {
    let _ = writeln!(std::io::stderr(), "upwiz: {}", one_line(message));
}

fn one_line(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.trim_end().chars() {
        if crate::text::is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// One JSON object per event, each with `schema` and `time`. The `finished` event is
/// held in `finished` instead: the run's id is added to it once the run has ended.
/// One JSON object a line for each event, with the time and, from the moment the run
/// has planned (and so has its id), the run id.
pub fn json_sink() -> Sink {
    let mut run_id: Option<String> = None;
    Box::new(move |ev: Event| {
        if let Event::Planned { run_id: id, .. } = &ev {
            run_id = Some(id.clone());
        }
        let Ok(mut v) = serde_json::to_value(&ev) else {
            return;
        };
        if let Value::Object(map) = &mut v {
            map.insert("time".into(), now_rfc3339().into());
            map.insert("run_id".into(), run_id.clone().into());
        }
        out_object(v);
    })
}

pub fn text_sink() -> Sink {
    let mut titles: Vec<String> = Vec::new();
    Box::new(move |ev: Event| match ev {
        Event::Planned { steps, resumed, .. } => {
            titles = steps.iter().map(|s| s.title.clone()).collect();
            if resumed {
                let done = steps.iter().filter(|s| s.done).count();
                say!(
                    "Continuing where the last run left off: {done} of {} steps already done.",
                    steps.len()
                );
            }
        }
        Event::Log { level, message } => match level {
            Level::Info => say!("{message}"),
            Level::Warn => say!("warning: {message}"),
            Level::Error => say!("error: {message}"),
        },
        Event::StepFinished {
            index,
            status,
            elapsed,
            message,
        } => {
            let title = titles.get(index).cloned().unwrap_or_default();
            let what = match status {
                StepStatus::Done => "done",
                StepStatus::Skipped => "already done",
                StepStatus::Warned => "done with warnings",
                StepStatus::Failed => "FAILED",
            };
            if status == StepStatus::Skipped {
                say!("  [{what}] {title}");
            } else {
                let extra = message
                    .filter(|_| status != StepStatus::Failed)
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default();
                say!("  [{what} in {:.1}s] {title}{extra}", elapsed.as_secs_f64());
            }
        }
        Event::StepStarted { index, title } => {
            debug(&format!("step {} started: {title}", index + 1))
        }
        Event::Progress { index, done, total } => {
            debug(&format!("step {}: {done} of {total}", index + 1))
        }
        Event::Finished(_) => {}
        Event::LockWait(info) => say!("{}", info.describe()),
    })
}

/// The run's outcome for the operator; `after` is the package's list of what to do
/// once the upgrade has completed, said when it has.
pub fn summary(report: &RunReport, after: &[String]) {
    let s = &report.summary;
    match &report.outcome {
        Outcome::Completed => {
            // The engine's last log line already said it completed successfully.
            if let (Some(from), Some(to)) = (&s.from, &s.to) {
                say!(
                    "  {} {from} -> {to} in {:.1}s",
                    s.product,
                    s.duration.as_secs_f64()
                );
            }
            for b in &s.backups {
                say!("  backup: {}", b.display());
            }
            for r in &s.reports {
                say!("  report: {}", r.display());
            }
            for w in &s.warnings {
                say!("  warning: {w}");
            }
        }
        Outcome::NothingToDo => {}
        Outcome::CompletedWithFailedItems { failed } => {
            say!("");
            say!(
                "The upgrade completed with {} failed item(s):",
                failed.len()
            );
            for f in failed {
                say!("  {} {} '{}': {}", f.step, f.id, f.name, f.error);
            }
            say!("Fix them and run upwiz again: only the failed items are retried.");
        }
        Outcome::Failed { step, error } => {
            error_line(&format!("the upgrade failed at step '{step}': {error}"));
            error_line("fix the cause and run upwiz again: it continues where it left off.");
        }
        Outcome::Interrupted { .. } => {
            error_line(
                "interrupted at a safe point; run upwiz again to continue where it left off.",
            );
        }
        Outcome::Locked { owner } => {
            error_line(&format!(
                "another upgrade of this database is running: {owner}; wait for it to finish"
            ));
        }
        Outcome::Busy { reason } => error_line(&format!("{reason}; nothing was changed")),
        Outcome::BadInput { error } => error_line(error),
    }
    // The upgrade report (for the change ticket) is said whatever the outcome.
    if !matches!(report.outcome, Outcome::Completed) {
        for r in s.reports.iter().filter(|r| is_upgrade_report(r)) {
            say!("Report: {}", r.display());
        }
    }
    if let Some(log) = &s.log_path {
        if !matches!(report.outcome, Outcome::BadInput { .. }) {
            say!("Log: {}", log.display());
        }
    }
    for line in after_lines(&report.outcome, after) {
        say!("{line}");
    }
    last(final_line(report));
}

/// The one line --quiet leaves of a run's output when it did not fail.
fn final_line(report: &RunReport) -> Option<String> {
    let s = &report.summary;
    let log = s
        .log_path
        .as_ref()
        .map(|l| format!("; log: {}", l.display()))
        .unwrap_or_default();
    match &report.outcome {
        Outcome::Completed => Some(format!(
            "{} upgraded {} -> {} in {:.1}s{log}",
            s.product,
            s.from.as_deref().unwrap_or("?"),
            s.reached.as_deref().or(s.to.as_deref()).unwrap_or("?"),
            s.duration.as_secs_f64()
        )),
        Outcome::NothingToDo => Some(format!("{}: nothing to do", s.product)),
        Outcome::CompletedWithFailedItems { failed } => Some(format!(
            "{} upgraded with {} failed item(s): fix them and run upwiz again{log}",
            s.product,
            failed.len()
        )),
        _ => None,
    }
}

/// The package's after-upgrade steps, numbered, once an upgrade has completed (with
/// or without failed items); nothing otherwise.
pub fn after_lines(outcome: &Outcome, after: &[String]) -> Vec<String> {
    let completed = matches!(
        outcome,
        Outcome::Completed | Outcome::CompletedWithFailedItems { .. }
    );
    if !completed || after.is_empty() {
        return Vec::new();
    }
    let mut out = vec!["After the upgrade:".to_string()];
    out.extend(
        after
            .iter()
            .enumerate()
            .map(|(i, a)| format!("  {}. {a}", i + 1)),
    );
    out
}

/// The report a run writes when it ends, as against its violation reports.
fn is_upgrade_report(p: &std::path::Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("report-"))
}

#[cfg(test)]
mod tests {
    use super::{after_lines, one_line};
    use crate::engine::Outcome;

    #[test]
    fn after_steps_are_said_only_once_the_upgrade_completed() {
        let after = vec!["Start the servers.".to_string(), "Re-publish.".to_string()];
        assert_eq!(
            after_lines(&Outcome::Completed, &after),
            [
                "After the upgrade:",
                "  1. Start the servers.",
                "  2. Re-publish."
            ]
        );
        let failed = Outcome::Failed {
            step: "s".into(),
            error: "e".into(),
        };
        assert!(after_lines(&failed, &after).is_empty());
        assert!(after_lines(&Outcome::NothingToDo, &after).is_empty());
        assert!(after_lines(&Outcome::Completed, &[]).is_empty());
    }

    #[test]
    fn error_lines_stay_one_line() {
        assert_eq!(
            one_line("database file d.db\nx does not exist\n"),
            "database file d.db\\nx does not exist"
        );
        assert_eq!(one_line("a\u{1b}[31mred\tb"), "a\\u{1b}[31mred\\tb");
        assert_eq!(one_line("héllo 'x'"), "héllo 'x'");
        assert_eq!(one_line("a\u{202e}b"), "a\\u{202e}b");
    }
}
