//! UPGRADE.LOG: every line the engine reports, timestamped, appended, each with the id
//! of the run it belongs to ("-" before the run is known, and for installs). The
//! reporter writes each line there and passes it on to the front end. Once the run
//! is known, its lines also go to a log of its own, UPGRADE-<run id>.LOG, which a
//! resumed run appends to: the whole upgrade in one file.
//!
//! The engine's own lines are written out as they are logged. The lines a package's
//! program prints (a vendor tool can print millions) are written in batches: at least
//! every `OUTPUT_BATCH`, whenever the program goes quiet, before any line of the
//! engine's own, and when the run ends, normally or stopped by a signal. Only a crash
//! (or a second Ctrl-C, which ends upwiz at once) can lose the last batch.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::command::Output;
use super::events::{Event, Level, Sink};
use crate::fsutil;

pub const LOG_FILE: &str = "UPGRADE.LOG";

/// The log of one run, next to UPGRADE.LOG.
pub fn run_log_path(log_dir: &Path, run_id: &str) -> PathBuf {
    log_dir.join(format!("UPGRADE-{}.LOG", file_safe(run_id)))
}

/// A run id as part of a file name. Ids upwiz makes pass unchanged; one read from a
/// journal someone edited cannot name a file outside the log directory.
pub fn file_safe(run_id: &str) -> String {
    run_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace("..", "__")
}

/// Lines logged before the run is known are kept (up to this many) for its own log.
const EARLY_LINES: usize = 1000;

/// The longest a program's output line waits in memory before it is written out.
const OUTPUT_BATCH: Duration = Duration::from_millis(50);

pub struct Reporter {
    sink: Sink,
    file: Option<BufWriter<File>>,
    path: PathBuf,
    /// When the buffer was last written out.
    flushed: Instant,
    /// The timestamp of the last line, reused while the clock shows the same millisecond.
    stamp: (i64, String),
    /// The run the lines belong to; "-" until it is known.
    run_id: String,
    /// The run's own log, once the run is known.
    run_file: Option<BufWriter<File>>,
    run_path: Option<PathBuf>,
    /// Lines written before the run was known, for its own log.
    early: Vec<String>,
}

pub fn now_iso() -> String {
    iso(chrono::Utc::now())
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl Reporter {
    /// A reporter even when the log cannot be opened, so the failure itself can be reported.
    pub fn open(log_dir: &Path, sink: Sink) -> (Self, Option<std::io::Error>) {
        let path = log_dir.join(LOG_FILE);
        let (file, err) = match fsutil::open_private_append(&path) {
            Ok(f) => (Some(BufWriter::with_capacity(64 * 1024, f)), None),
            Err(e) => (None, Some(e)),
        };
        let rep = Reporter {
            sink,
            file,
            path,
            flushed: Instant::now(),
            stamp: (0, String::new()),
            run_id: "-".into(),
            run_file: None,
            run_path: None,
            early: Vec::new(),
        };
        (rep, err)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run's own log, once the run is known and its log could be opened.
    pub fn run_path(&self) -> Option<&Path> {
        self.run_path.as_deref()
    }

    /// From now on lines belong to `run_id`: UPGRADE.LOG tags them with it, and they
    /// (with those logged before) go to the run's own log too. A run log that cannot
    /// be opened is said in UPGRADE.LOG; the upgrade goes on.
    pub fn set_run(&mut self, run_id: &str) {
        self.flush();
        self.run_id = crate::text::clean(run_id).replace(char::is_whitespace, "_");
        let Some(dir) = self.path.parent() else {
            return;
        };
        let path = run_log_path(dir, &self.run_id);
        match fsutil::open_private_append(&path) {
            Ok(f) => {
                let mut f = BufWriter::with_capacity(64 * 1024, f);
                let early = std::mem::take(&mut self.early);
                let ok = early.iter().all(|l| f.write_all(l.as_bytes()).is_ok());
                self.run_file = ok.then_some(f);
                self.run_path = ok.then_some(path);
            }
            Err(e) => {
                self.early.clear();
                let msg = format!("cannot open the run's log {}: {e}", path.display());
                self.write_line(Level::Warn, &msg);
            }
        }
    }

    pub fn emit(&mut self, event: Event) {
        (self.sink)(event)
    }

    pub fn log(&mut self, level: Level, message: impl Into<String>) {
        let message = message.into();
        self.write_line(level, &message);
        self.emit(Event::Log { level, message });
    }

    pub fn info(&mut self, message: impl Into<String>) {
        self.log(Level::Info, message)
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.log(Level::Warn, message)
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.log(Level::Error, message)
    }

    /// One line a package's program printed, logged under the step's own lines.
    pub fn output(&mut self, line: &str) {
        let message = format!("  | {line}");
        self.append(Level::Info, &message);
        if self.flushed.elapsed() >= OUTPUT_BATCH {
            self.flush();
        }
        self.emit(Event::Log {
            level: Level::Info,
            message,
        });
    }

    /// Writes to UPGRADE.LOG only; for detail too bulky for the screen.
    pub fn write_line(&mut self, level: Level, message: &str) {
        self.append(level, message);
        self.flush();
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        self.flushed = Instant::now();
        if let Some(f) = self.run_file.as_mut() {
            if f.flush().is_err() {
                self.run_file = None;
            }
        }
        let Some(f) = self.file.as_mut() else { return };
        if f.flush().is_err() {
            self.file = None;
        }
    }

    fn append(&mut self, level: Level, message: &str) {
        if self.file.is_none() && self.run_file.is_none() {
            return;
        }
        let tag = match level {
            Level::Info => "INFO ",
            Level::Warn => "WARN ",
            Level::Error => "ERROR",
        };
        let now = chrono::Utc::now();
        if now.timestamp_millis() != self.stamp.0 {
            self.stamp = (now.timestamp_millis(), iso(now));
        }
        let ts = &self.stamp.1;
        // The log is read in a terminal (tail -f, less -R): what the database, the
        // package and its programs said reaches it without escape sequences.
        let message = crate::text::clean(message);
        let mut buf = String::with_capacity(message.len() + 64);
        let mut own = String::with_capacity(message.len() + 32);
        for line in message.lines() {
            for (out, id) in [(&mut buf, Some(&self.run_id)), (&mut own, None)] {
                out.push_str(ts);
                out.push(' ');
                out.push_str(tag);
                out.push(' ');
                // The run's own log is named after the run: its lines need no id.
                if let Some(id) = id {
                    out.push('[');
                    out.push_str(id);
                    out.push_str("] ");
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        // A log that cannot be written must not stop an upgrade half-way.
        if let Some(f) = self.file.as_mut() {
            if f.write_all(buf.as_bytes()).is_err() {
                self.file = None;
            }
        }
        if let Some(f) = self.run_file.as_mut() {
            if f.write_all(own.as_bytes()).is_err() {
                self.run_file = None;
            }
        } else if self.run_id == "-" && self.early.len() < EARLY_LINES {
            self.early.push(own);
        }
    }
}

impl Output for Reporter {
    fn line(&mut self, line: &str) {
        self.output(line)
    }

    fn quiet(&mut self) {
        self.flush()
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commands_lines_are_in_the_log_before_the_engines_next_line() {
        let dir = tempfile::tempdir().unwrap();
        let (mut rep, err) = Reporter::open(dir.path(), Box::new(|_| {}));
        assert!(err.is_none());
        for i in 0..10_000 {
            rep.output(&format!("line {i}"));
        }
        rep.info("the step is done");
        let text = std::fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10_001);
        assert!(
            lines[9_999].ends_with("INFO  [-]   | line 9999"),
            "{}",
            lines[9_999]
        );
        assert!(lines[10_000].ends_with("INFO  [-] the step is done"));
    }

    #[test]
    fn buffered_lines_are_written_when_the_command_goes_quiet_and_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        let (mut rep, _) = Reporter::open(dir.path(), Box::new(|_| {}));
        rep.output("first");
        rep.output("second");
        Output::quiet(&mut rep);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
        rep.output("third");
        rep.output("fourth");
        drop(rep);
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 4);
    }

    #[test]
    fn escape_sequences_do_not_reach_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let (mut rep, _) = Reporter::open(dir.path(), Box::new(|_| {}));
        rep.info("title \x1b]0;owned\x07 and \x1b[2J\tcolumn");
        rep.output("tool said \u{9b}31m red");
        drop(rep);
        let text = std::fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        assert!(text.contains("title ?]0;owned? and ?[2J\tcolumn"), "{text}");
        assert!(text.contains("tool said ?31m red"), "{text}");
    }

    #[test]
    fn a_log_that_is_a_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.txt");
        std::fs::write(&other, "keep\n").unwrap();
        std::os::unix::fs::symlink(&other, dir.path().join(LOG_FILE)).unwrap();
        let (mut rep, err) = Reporter::open(dir.path(), Box::new(|_| {}));
        let err = err.expect("refused");
        assert!(
            err.to_string().contains("UPGRADE.LOG is a symbolic link"),
            "{err}"
        );
        rep.info("nothing");
        drop(rep);
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep\n");
    }

    #[test]
    fn every_line_carries_the_run_id_and_the_run_has_a_log_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let (mut rep, _) = Reporter::open(dir.path(), Box::new(|_| {}));
        rep.info("connecting");
        rep.set_run("20260101T100000000Z-42");
        rep.info("step 1");
        rep.output("tool line");
        drop(rep);
        let all = std::fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
        let lines: Vec<&str> = all.lines().collect();
        assert!(lines[0].ends_with("INFO  [-] connecting"), "{all}");
        assert!(
            lines[1].ends_with("INFO  [20260101T100000000Z-42] step 1"),
            "{all}"
        );
        assert!(
            lines[2].ends_with("[20260101T100000000Z-42]   | tool line"),
            "{all}"
        );
        let own =
            std::fs::read_to_string(run_log_path(dir.path(), "20260101T100000000Z-42")).unwrap();
        let own: Vec<&str> = own.lines().collect();
        assert_eq!(own.len(), 3, "{own:?}");
        assert!(own[0].ends_with("INFO  connecting"), "{own:?}");
        assert!(own[1].ends_with("INFO  step 1"), "{own:?}");
    }

    #[test]
    fn a_run_id_cannot_name_a_file_elsewhere() {
        assert_eq!(
            file_safe("20260101T100000000Z-42"),
            "20260101T100000000Z-42"
        );
        assert_eq!(file_safe("../../etc/x"), "______etc_x");
        let dir = Path::new("/logs");
        assert_eq!(run_log_path(dir, "a/../b").parent(), Some(dir));
    }
}
