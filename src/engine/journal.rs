//! The journal in the target database: runs, completed steps and statements
//! (with script checksums) and per-item outcomes. It is what makes a run resumable.

use std::collections::HashSet;

use super::fault;
use super::log::now_iso;
use crate::db::{Database, DbError, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Failed,
    Interrupted,
    CompletedWithFailedItems,
    Completed,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Failed => "failed",
            RunState::Interrupted => "interrupted",
            RunState::CompletedWithFailedItems => "completed_with_failed_items",
            RunState::Completed => "completed",
        }
    }

    fn parse(s: &str) -> RunState {
        match s {
            "failed" => RunState::Failed,
            "interrupted" => RunState::Interrupted,
            "completed_with_failed_items" => RunState::CompletedWithFailedItems,
            "completed" => RunState::Completed,
            _ => RunState::Running,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunRecord {
    pub run_id: String,
    pub from: String,
    pub to: String,
    pub state: RunState,
    pub started_at: String,
    pub error: Option<String>,
}

/// Marks a whole step (not one statement of it) in `upwiz_journal.stmt_index`.
pub const WHOLE_STEP: i64 = -1;

pub struct Journal<'a> {
    db: &'a mut dyn Database,
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

impl<'a> Journal<'a> {
    pub fn new(db: &'a mut dyn Database) -> Self {
        Journal { db }
    }

    pub fn exists(&mut self) -> Result<bool, DbError> {
        self.db.table_exists("upwiz_runs")
    }

    /// Creates the engine's tables that are missing. Looks first, so that a second run
    /// does not queue for the write lock a running upgrade holds, only to learn it is locked.
    pub fn ensure_tables(&mut self) -> Result<(), DbError> {
        for ddl in self.db.engine_tables_ddl() {
            let table = ddl
                .split_whitespace()
                .nth(5)
                .expect("CREATE TABLE IF NOT EXISTS name");
            if !self.db.table_exists(table)? {
                self.db.execute(&ddl)?;
            }
        }
        Ok(())
    }

    /// The newest run, if the journal has any.
    pub fn last_run(&mut self) -> Result<Option<RunRecord>, DbError> {
        if !self.exists()? {
            return Ok(None);
        }
        let r = self.db.query(
            "SELECT run_id, from_version, to_version, state, started_at, error FROM upwiz_runs ORDER BY started_at DESC, run_id DESC",
        )?;
        Ok(r.rows.first().map(|row| {
            let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
            RunRecord {
                run_id: t(0),
                from: t(1),
                to: t(2),
                state: RunState::parse(&t(3)),
                started_at: t(4),
                error: row.get(5).and_then(Value::as_text),
            }
        }))
    }

    /// The newest run if it did not complete: the one a new run must continue.
    pub fn unfinished_run(&mut self) -> Result<Option<RunRecord>, DbError> {
        Ok(self.last_run()?.filter(|r| r.state != RunState::Completed))
    }

    pub fn start_run(
        &mut self,
        rec: &RunRecord,
        host: &str,
        pid: u32,
        user: &str,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let q = |v: &str| self.db.quote(&text(v));
        let sql = format!(
            "INSERT INTO upwiz_runs (run_id, from_version, to_version, state, started_at, host, pid, os_user) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
            q(&rec.run_id),
            q(&rec.from),
            q(&rec.to),
            q(rec.state.as_str()),
            q(&rec.started_at),
            q(host),
            pid,
            q(user)
        );
        self.db.execute(&sql).map(|_| ())
    }

    pub fn set_state(
        &mut self,
        run_id: &str,
        state: RunState,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let q = |v: &str| self.db.quote(&text(v));
        let finished = match state {
            RunState::Running => "NULL".to_string(),
            _ => q(&now_iso()),
        };
        let err = error.map_or("NULL".to_string(), q);
        let sql = format!(
            "UPDATE upwiz_runs SET state = {}, finished_at = {finished}, error = {err} WHERE run_id = {}",
            q(state.as_str()),
            q(run_id)
        );
        self.db.execute(&sql).map(|_| ())
    }

    pub fn done_steps(&mut self, run_id: &str) -> Result<HashSet<String>, DbError> {
        if !self.exists()? {
            return Ok(HashSet::new());
        }
        let sql = format!(
            "SELECT step_key FROM upwiz_journal WHERE run_id = {} AND stmt_index = {WHOLE_STEP}",
            self.db.quote(&text(run_id))
        );
        Ok(self.db.query(&sql)?.first_column().into_iter().collect())
    }

    /// How many leading statements of a non-transactional step already ran.
    pub fn done_statements(&mut self, run_id: &str, step_key: &str) -> Result<usize, DbError> {
        let sql = format!(
            "SELECT MAX(stmt_index) FROM upwiz_journal WHERE run_id = {} AND step_key = {} AND stmt_index >= 0",
            self.db.quote(&text(run_id)),
            self.db.quote(&text(step_key))
        );
        Ok(self
            .db
            .query(&sql)?
            .scalar()
            .and_then(|s| s.parse::<i64>().ok())
            .map_or(0, |m| (m + 1) as usize))
    }

    /// Every script ever applied, with the checksum it had then.
    pub fn applied_scripts(&mut self) -> Result<Vec<(String, String)>, DbError> {
        if !self.exists()? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT step_key, checksum FROM upwiz_journal WHERE stmt_index = {WHOLE_STEP} AND step_key LIKE 'script/%' AND checksum IS NOT NULL"
        );
        Ok(self
            .db
            .query(&sql)?
            .rows
            .into_iter()
            .map(|r| {
                let t = |i: usize| r.get(i).and_then(Value::as_text).unwrap_or_default();
                (t(0), t(1))
            })
            .collect())
    }

    /// Records a step (or one statement of it) as completed. Inside the step's
    /// transaction where there is one, so the work and its record commit together.
    pub fn record(
        &mut self,
        run_id: &str,
        step_key: &str,
        stmt_index: i64,
        checksum: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let sql = self.insert(run_id, step_key, &[(stmt_index, checksum, detail)]);
        self.db.execute(&sql).map(|_| ())
    }

    /// `record`, then COMMIT the transaction it is part of, in one round trip; after
    /// `first`, a statement of the step's own, when there is one.
    pub fn record_and_commit(
        &mut self,
        first: Option<&str>,
        run_id: &str,
        step_key: &str,
        stmt_index: i64,
        checksum: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let sql = self.insert(run_id, step_key, &[(stmt_index, checksum, None)]);
        match first {
            Some(first) => self.db.execute_batch(&[first, &sql, "COMMIT"]),
            None => self.db.execute_batch(&[&sql, "COMMIT"]),
        }
    }

    /// Records statements of a step, and with `whole` the step itself (its checksum), as
    /// one write; with `commit`, the transaction they are part of commits with them.
    pub fn record_statements(
        &mut self,
        run_id: &str,
        step_key: &str,
        statements: &[usize],
        whole: Option<&str>,
        commit: bool,
    ) -> Result<(), DbError> {
        let mut rows: Vec<(i64, Option<&str>, Option<&str>)> =
            statements.iter().map(|&i| (i as i64, None, None)).collect();
        if let Some(checksum) = whole {
            rows.push((WHOLE_STEP, Some(checksum), None));
        }
        if rows.is_empty() {
            return if commit { self.db.commit() } else { Ok(()) };
        }
        fault::journal_write();
        let sql = self.insert(run_id, step_key, &rows);
        if commit {
            self.db.execute_batch(&[&sql, "COMMIT"])
        } else {
            self.db.execute(&sql).map(|_| ())
        }
    }

    /// One INSERT of journal rows: (statement index, checksum, detail) each.
    fn insert(
        &self,
        run_id: &str,
        step_key: &str,
        rows: &[(i64, Option<&str>, Option<&str>)],
    ) -> String {
        let q = |v: &str| self.db.quote(&text(v));
        let (run, key, now) = (q(run_id), q(step_key), q(&now_iso()));
        let values: Vec<String> = rows
            .iter()
            .map(|(index, checksum, detail)| {
                format!(
                    "({run}, {key}, {index}, {}, {now}, {})",
                    checksum.map_or("NULL".into(), q),
                    detail.map_or("NULL".into(), q),
                )
            })
            .collect();
        format!(
            "INSERT INTO upwiz_journal (run_id, step_key, stmt_index, checksum, finished_at, detail) VALUES {}",
            values.join(", ")
        )
    }

    pub fn step_detail(&mut self, run_id: &str, step_key: &str) -> Result<Option<String>, DbError> {
        let sql = format!(
            "SELECT detail FROM upwiz_journal WHERE run_id = {} AND step_key = {} AND stmt_index = {WHOLE_STEP}",
            self.db.quote(&text(run_id)),
            self.db.quote(&text(step_key))
        );
        Ok(self.db.query(&sql)?.scalar())
    }

    /// Item ids of `step_key` that completed without error.
    pub fn items_ok(&mut self, step_key: &str) -> Result<HashSet<String>, DbError> {
        let sql = format!(
            "SELECT item_id FROM upwiz_items WHERE step_key = {} AND error IS NULL",
            self.db.quote(&text(step_key))
        );
        Ok(self.db.query(&sql)?.first_column().into_iter().collect())
    }

    pub fn record_item(
        &mut self,
        step_key: &str,
        id: &str,
        name: &str,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let q = |v: &str| self.db.quote(&text(v));
        let del = format!(
            "DELETE FROM upwiz_items WHERE step_key = {} AND item_id = {}",
            q(step_key),
            q(id)
        );
        let ins = format!(
            "INSERT INTO upwiz_items (step_key, item_id, name, error, finished_at) VALUES ({}, {}, {}, {}, {})",
            q(step_key),
            q(id),
            q(name),
            error.map_or("NULL".into(), q),
            q(&now_iso())
        );
        self.db.execute(&del)?;
        self.db.execute(&ins).map(|_| ())
    }

    pub fn failed_items(
        &mut self,
        step_key: &str,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        let sql = format!(
            "SELECT item_id, name, error FROM upwiz_items WHERE step_key = {} AND error IS NOT NULL ORDER BY item_id",
            self.db.quote(&text(step_key))
        );
        Ok(self
            .db
            .query(&sql)?
            .rows
            .into_iter()
            .map(|r| {
                let t = |i: usize| r.get(i).and_then(Value::as_text).unwrap_or_default();
                (t(0), t(1), t(2))
            })
            .collect())
    }
}
