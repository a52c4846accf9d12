//! UPGRADE.LOG: every line the engine reports, timestamped, appended.
//! The reporter writes each line there and passes it on to the front end.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::events::{Event, Level, Sink};
use crate::fsutil;

pub const LOG_FILE: &str = "UPGRADE.LOG";

pub struct Reporter {
    sink: Sink,
    file: Option<File>,
    path: PathBuf,
}

pub fn now_iso() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Reporter {
    /// A reporter even when the log cannot be opened, so the failure itself can be reported.
    pub fn open(log_dir: &Path, sink: Sink) -> (Self, Option<std::io::Error>) {
        let path = log_dir.join(LOG_FILE);
        let (file, err) = match fsutil::open_private_append(&path) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e)),
        };
        (Reporter { sink, file, path }, err)
    }

    pub fn path(&self) -> &Path {
        &self.path
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

    /// Writes to UPGRADE.LOG only; for detail too bulky for the screen.
    pub fn write_line(&mut self, level: Level, message: &str) {
        let Some(f) = self.file.as_mut() else { return };
        let tag = match level {
            Level::Info => "INFO ",
            Level::Warn => "WARN ",
            Level::Error => "ERROR",
        };
        let ts = now_iso();
        let mut buf = String::with_capacity(message.len() + 32);
        for line in message.lines() {
            buf.push_str(&ts);
            buf.push(' ');
            buf.push_str(tag);
            buf.push(' ');
            buf.push_str(line);
            buf.push('\n');
        }
        // A log that cannot be written must not stop an upgrade half-way.
        if f.write_all(buf.as_bytes()).is_err() {
            self.file = None;
        }
    }
}
