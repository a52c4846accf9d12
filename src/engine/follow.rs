//! Watching a run that another process carries out: its state-file mirror (steps
//! done, the current step, the outcome) and the end of UPGRADE.LOG. For the wizard
//! after a dropped SSH session and for `upwiz status --follow`; no terminal here.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

use super::state_file::{self, StateFile};

/// How much of the log's end is read for its tail: enough for a screenful of lines
/// however large UPGRADE.LOG has grown.
const TAIL_BYTES: u64 = 16 * 1024;

/// What can be seen of a run from outside, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The state file; None when there is none or it cannot be read.
    pub state: Option<StateFile>,
    /// The last lines of the run's UPGRADE.LOG, oldest first, unsanitised.
    pub log_tail: Vec<String>,
}

impl Snapshot {
    /// True while the mirror says the run is still going.
    pub fn running(&self) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.state == super::journal::RunState::Running)
    }
}

/// The state file at `state_path` and the last `lines` lines of the log it names.
pub fn snapshot(state_path: &Path, lines: usize) -> Snapshot {
    let state = state_file::read(state_path);
    let log_tail = state
        .as_ref()
        .map(|s| log_tail(&s.log_path, lines))
        .unwrap_or_default();
    Snapshot { state, log_tail }
}

/// The last `lines` complete lines of the file at `path`; empty when it cannot be
/// read. Reads only the file's end.
pub fn log_tail(path: &Path, lines: usize) -> Vec<String> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(TAIL_BYTES);
    if f.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut buf = Vec::new();
    if f.take(TAIL_BYTES).read_to_end(&mut buf).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&buf);
    let mut all: Vec<&str> = text.lines().collect();
    // The first line read may be the cut-off end of a longer one.
    if start > 0 && !all.is_empty() {
        all.remove(0);
    }
    let skip = all.len().saturating_sub(lines);
    all[skip..].iter().map(|l| l.to_string()).collect()
}

/// Polls until the run is no longer running by its mirror, or `alive` says the
/// process that owned it has gone; `on_change` sees every snapshot that differs from
/// the one before. Returns the last snapshot: its state says how the run ended.
pub fn follow(
    state_path: &Path,
    lines: usize,
    poll: Duration,
    mut alive: impl FnMut() -> bool,
    mut on_change: impl FnMut(&Snapshot),
) -> Snapshot {
    let mut last: Option<Snapshot> = None;
    loop {
        let now = snapshot(state_path, lines);
        if last.as_ref() != Some(&now) {
            on_change(&now);
        }
        if !now.running() || !alive() {
            return now;
        }
        last = Some(now);
        std::thread::sleep(poll);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_the_last_whole_lines_even_of_a_large_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("UPGRADE.LOG");
        let text: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&log, text).unwrap();
        assert_eq!(
            log_tail(&log, 3),
            vec!["line 4997", "line 4998", "line 4999"]
        );
        assert!(log_tail(&dir.path().join("missing"), 3).is_empty());
    }

    #[test]
    fn following_ends_when_the_mirror_leaves_running() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut s = StateFile {
            product: "P".into(),
            package: dir.path().into(),
            rdbms: crate::rdbms::Rdbms::Sqlite,
            target: "x.db".into(),
            run_id: "r".into(),
            from: "1".into(),
            to: "2".into(),
            state: crate::engine::RunState::Running,
            completed_steps: vec![],
            total_steps: 3,
            current_step: Some("one".into()),
            error: None,
            log_path: dir.path().join("UPGRADE.LOG"),
            updated_at: "t".into(),
        };
        state_file::write(&path, &s).unwrap();
        // The owner dies on the third look: following stops though the mirror
        // still says running.
        let mut looks = 0;
        let mut seen = 0;
        let end = follow(
            &path,
            5,
            Duration::from_millis(1),
            || {
                looks += 1;
                looks < 3
            },
            |_| seen += 1,
        );
        assert_eq!((looks, seen), (3, 1), "one change seen, three looks");
        assert!(end.running());
        s.state = crate::engine::RunState::Completed;
        state_file::write(&path, &s).unwrap();
        let end = follow(&path, 5, Duration::from_millis(1), || true, |_| {});
        assert_eq!(end.state.unwrap().state, crate::engine::RunState::Completed);
    }
}
