//! What the journal remembers of past runs, read back: every run with its steps and
//! their times, and every backup upwiz made of the database. Read only.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::journal::{Journal, JournalEntry, RunRow, WHOLE_STEP};
use crate::db::{BackupInfo, Database, DbError};

/// One backup upwiz made, as the journal recorded it when it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRecord {
    pub run_id: String,
    /// The version the database was at when it was copied.
    pub version: String,
    pub taken_at: String,
    pub path: PathBuf,
    /// Unknown for backups recorded before upwiz kept their size and checksum.
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
    /// How the copy was checked when it was written; None when that is not recorded.
    pub verified: Option<String>,
    /// Whether the file is still where it was written.
    pub present: bool,
}

/// What the journal step detail of a backup holds.
#[derive(Debug, Serialize, serde::Deserialize)]
struct BackupDetail {
    path: PathBuf,
    bytes: u64,
    sha256: String,
    verified: String,
}

/// The journal detail of a backup step: the file, its size, its SHA-256 and how it was
/// verified, as one JSON object.
pub fn backup_detail(info: &BackupInfo, sha256: &str) -> String {
    serde_json::to_string(&BackupDetail {
        path: info.path.clone(),
        bytes: info.bytes,
        sha256: sha256.to_string(),
        verified: info.verified.clone(),
    })
    .unwrap_or_else(|_| info.path.display().to_string())
}

/// The journal detail of a backup step the operator chose to skip.
#[derive(Debug, Serialize, serde::Deserialize)]
struct SkippedDetail {
    skipped: bool,
    reason: String,
}

pub fn skipped_backup_detail(reason: &str) -> String {
    serde_json::to_string(&SkippedDetail {
        skipped: true,
        reason: reason.to_string(),
    })
    .unwrap_or_else(|_| "skipped".into())
}

/// The operator's reason, when a backup step's journal detail records a skipped backup.
pub fn skipped_backup_reason(detail: &str) -> Option<String> {
    serde_json::from_str::<SkippedDetail>(detail)
        .ok()
        .filter(|d| d.skipped)
        .map(|d| d.reason)
}

/// The SHA-256 of a file, in hex; read in blocks, so a dump of any size fits.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The backup a journal row records, if it is the row of a backup step. Rows written
/// before the detail was JSON hold the path alone.
/// The path a backup step's journal detail names: a JSON object since backups carry
/// their size and checksum, a bare path before that.
pub fn backup_path(detail: &str) -> PathBuf {
    serde_json::from_str::<BackupDetail>(detail)
        .map(|d| d.path)
        .unwrap_or_else(|_| PathBuf::from(detail))
}

pub fn parse_backup(run_id: &str, e: &JournalEntry) -> Option<BackupRecord> {
    if e.stmt_index != WHOLE_STEP {
        return None;
    }
    let span = e.step_key.strip_prefix("leg/")?.strip_suffix("/backup")?;
    let version = span.split_once('-').map_or(span, |(from, _)| from);
    let detail = e.detail.as_deref()?;
    if skipped_backup_reason(detail).is_some() {
        return None;
    }
    let (path, bytes, sha256, verified) = match serde_json::from_str::<BackupDetail>(detail) {
        Ok(d) => (d.path, Some(d.bytes), Some(d.sha256), Some(d.verified)),
        Err(_) => (PathBuf::from(detail), None, None, None),
    };
    Some(BackupRecord {
        run_id: run_id.to_string(),
        version: version.to_string(),
        taken_at: e.finished_at.clone(),
        present: path.is_file(),
        path,
        bytes,
        sha256,
        verified,
    })
}

/// One completed step of a run, from the journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    pub key: String,
    pub finished_at: String,
    /// Time since the previous step of the run finished (or the run started). For the
    /// first step a resumed run did, it includes the time the run stood still.
    pub seconds: Option<f64>,
    /// The script's checksum, for scripts.
    pub checksum: Option<String>,
    pub detail: Option<String>,
}

/// One run, as `upwiz history` and the report show it.
#[derive(Debug, Clone, Serialize)]
pub struct RunHistory {
    pub run_id: String,
    pub product: Option<String>,
    pub from: String,
    pub to: String,
    pub state: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub seconds: Option<f64>,
    pub host: Option<String>,
    pub pid: Option<i64>,
    pub user: Option<String>,
    pub error: Option<String>,
    pub steps: Vec<StepRecord>,
    /// Statements of steps that did not complete: (step key, statement index, state).
    pub unfinished_statements: Vec<(String, i64, String)>,
    pub backups: Vec<BackupRecord>,
}

impl RunHistory {
    /// What the run did, in words: an install or an adoption is no upgrade, and
    /// "9.0 -> 9.0" would read as one that changed nothing.
    pub fn route_words(&self) -> String {
        if self.run_id.starts_with("install-") {
            format!("install of {}", self.to)
        } else if self.run_id.starts_with("adopt-") {
            format!("adoption at {}", self.to)
        } else {
            format!("{} -> {}", self.from, self.to)
        }
    }
}

/// Seconds from one journal timestamp to another.
pub fn seconds_between(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_milliseconds() as f64 / 1000.0)
}

fn run_history(j: &mut Journal, row: RunRow) -> Result<RunHistory, DbError> {
    let rec = row.record;
    let entries = j.entries(&rec.run_id)?;
    let mut steps = Vec::new();
    let mut backups = Vec::new();
    let mut unfinished = Vec::new();
    let mut last = rec.started_at.clone();
    let whole: std::collections::HashSet<&str> = entries
        .iter()
        .filter(|e| e.stmt_index == WHOLE_STEP)
        .map(|e| e.step_key.as_str())
        .collect();
    for e in &entries {
        if e.stmt_index != WHOLE_STEP {
            if !whole.contains(e.step_key.as_str()) {
                let state = e.state.clone().unwrap_or_else(|| "done".into());
                unfinished.push((e.step_key.clone(), e.stmt_index, state));
            }
            continue;
        }
        backups.extend(parse_backup(&rec.run_id, e));
        steps.push(StepRecord {
            key: e.step_key.clone(),
            finished_at: e.finished_at.clone(),
            seconds: seconds_between(&last, &e.finished_at).map(|s| s.max(0.0)),
            checksum: e.checksum.clone(),
            detail: e.detail.clone(),
        });
        last = e.finished_at.clone();
    }
    let seconds = row
        .finished_at
        .as_deref()
        .and_then(|f| seconds_between(&rec.started_at, f));
    Ok(RunHistory {
        run_id: rec.run_id,
        product: rec.product,
        from: rec.from,
        to: rec.to,
        state: rec.state.as_str().to_string(),
        started_at: rec.started_at,
        finished_at: row.finished_at,
        seconds,
        host: row.host,
        pid: row.pid,
        user: row.os_user,
        error: rec.error,
        steps,
        unfinished_statements: unfinished,
        backups,
    })
}

/// Every run of `product` in this database, oldest first.
pub fn history(db: &mut dyn Database, product: &str) -> Result<Vec<RunHistory>, DbError> {
    let mut j = Journal::new(db);
    let rows = j.history(product)?;
    rows.into_iter().map(|r| run_history(&mut j, r)).collect()
}

/// One run of `product`, or its newest when `run_id` is None.
pub fn one_run(
    db: &mut dyn Database,
    product: &str,
    run_id: Option<&str>,
) -> Result<Option<RunHistory>, DbError> {
    let mut j = Journal::new(db);
    let rows = j.history(product)?;
    let row = match run_id {
        Some(id) => rows.into_iter().find(|r| r.record.run_id == id),
        None => rows.into_iter().next_back(),
    };
    row.map(|r| run_history(&mut j, r)).transpose()
}

/// Every backup upwiz made of this database for `product`, oldest first.
pub fn backups(db: &mut dyn Database, product: &str) -> Result<Vec<BackupRecord>, DbError> {
    Ok(history(db, product)?
        .into_iter()
        .flat_map(|r| r.backups)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_path_is_read_from_either_form_of_the_detail() {
        assert_eq!(
            backup_path(r#"{"path":"/b/app-9.0.sqlite","bytes":1,"sha256":"x","verified":"ok"}"#),
            PathBuf::from("/b/app-9.0.sqlite")
        );
        assert_eq!(
            backup_path("/b/app-9.0.sqlite"),
            PathBuf::from("/b/app-9.0.sqlite")
        );
    }

    fn entry(key: &str, detail: &str) -> JournalEntry {
        JournalEntry {
            step_key: key.into(),
            stmt_index: WHOLE_STEP,
            checksum: None,
            finished_at: "2026-01-01T10:00:00.000Z".into(),
            detail: Some(detail.into()),
            state: Some("done".into()),
        }
    }

    #[test]
    fn a_backup_recorded_by_path_alone_is_still_listed() {
        let b = parse_backup("r1", &entry("leg/9.0-10.0/backup", "/nowhere/app.sqlite")).unwrap();
        assert_eq!(b.version, "9.0");
        assert_eq!(b.path, PathBuf::from("/nowhere/app.sqlite"));
        assert_eq!((b.bytes, b.sha256, b.present), (None, None, false));
        assert!(parse_backup("r1", &entry("leg/9.0-10.0/preflight", "x")).is_none());
    }

    #[test]
    fn a_backup_detail_reads_back_with_size_checksum_and_verification() {
        let info = BackupInfo {
            path: "/b/app.dump".into(),
            bytes: 42,
            verified: "pg_restore --list ok".into(),
            sha256: None,
        };
        let b = parse_backup(
            "r1",
            &entry("leg/10.0-10.1/backup", &backup_detail(&info, "ab")),
        )
        .unwrap();
        assert_eq!(b.version, "10.0");
        assert_eq!(b.bytes, Some(42));
        assert_eq!(b.sha256.as_deref(), Some("ab"));
        assert_eq!(b.verified.as_deref(), Some("pg_restore --list ok"));
    }

    #[test]
    fn seconds_between_journal_timestamps() {
        assert_eq!(
            seconds_between("2026-01-01T10:00:00.000Z", "2026-01-01T10:01:01.500Z"),
            Some(61.5)
        );
        assert_eq!(seconds_between("x", "2026-01-01T10:00:00.000Z"), None);
    }
}
