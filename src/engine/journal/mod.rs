//! The journal in the target database: runs, completed steps and statements
//! (with script checksums) and per-item outcomes. It is what makes a run resumable.

use std::collections::{BTreeMap, HashSet};

use super::fault;
use super::log::now_iso;
use crate::db::{Database, DbError, Value};

/// Where a run is; the same words in the journal, the state file and `status --json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    #[default]
    Running,
    /// A fresh install that has not finished (where DDL commits implicitly, what it
    /// did so far stays): `install` again continues it.
    Installing,
    Failed,
    Interrupted,
    CompletedWithFailedItems,
    Completed,
    /// Closed by the operator (`upwiz repair --abandon-run`): never continued; the next
    /// run plans afresh from the detected version.
    Abandoned,
    /// Closed by `upwiz restore`: the database went back to a backup taken before it.
    Restored,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Installing => "installing",
            RunState::Failed => "failed",
            RunState::Interrupted => "interrupted",
            RunState::CompletedWithFailedItems => "completed_with_failed_items",
            RunState::Completed => "completed",
            RunState::Abandoned => "abandoned",
            RunState::Restored => "restored",
        }
    }

    /// A run that no later run continues: it completed, or the operator closed it.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RunState::Completed | RunState::Abandoned | RunState::Restored
        )
    }

    fn parse(s: &str) -> RunState {
        match s {
            "installing" => RunState::Installing,
            "failed" => RunState::Failed,
            "interrupted" => RunState::Interrupted,
            "completed_with_failed_items" => RunState::CompletedWithFailedItems,
            "completed" => RunState::Completed,
            "abandoned" => RunState::Abandoned,
            "restored" => RunState::Restored,
            _ => RunState::Running,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunRecord {
    pub run_id: String,
    /// The product whose package started the run; None in journals written before
    /// runs carried it, which any product may continue.
    pub product: Option<String>,
    pub from: String,
    pub to: String,
    pub state: RunState,
    pub started_at: String,
    pub error: Option<String>,
}

/// A run as `upwiz history` shows it: the record, and who ran it where.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub record: RunRecord,
    pub finished_at: Option<String>,
    pub host: Option<String>,
    pub pid: Option<i64>,
    pub os_user: Option<String>,
}

/// One row of `upwiz_journal`: a step (`stmt_index` WHOLE_STEP) or one statement of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub step_key: String,
    pub stmt_index: i64,
    pub checksum: Option<String>,
    pub finished_at: String,
    pub detail: Option<String>,
    pub state: Option<String>,
}

/// Marks a whole step (not one statement of it) in `upwiz_journal.stmt_index`.
pub const WHOLE_STEP: i64 = -1;
/// The checksum a statement of a script run statement by statement is journaled with:
/// a resumed run refuses to continue a script whose statements that already ran (or
/// were running) are not the same any more.
pub fn statement_checksum(sql: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The operator's ways out of a stuck state (repair, unlock, restore), each with its reason.
const REPAIRS_DDL: &str = "CREATE TABLE upwiz_repairs (at VARCHAR(40) NOT NULL, action VARCHAR(32) NOT NULL, product VARCHAR(255), run_id VARCHAR(64), detail TEXT, reason TEXT NOT NULL, host VARCHAR(255), os_user VARCHAR(255))";

/// One recorded way out: what was done, to which run, why, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepairRecord {
    pub at: String,
    /// `abandon-run`, `accept-checksum`, `unlock` or `restore`.
    pub action: String,
    pub product: Option<String>,
    pub run_id: Option<String>,
    pub detail: String,
    pub reason: String,
    pub host: String,
    pub user: String,
}

mod items;
mod records;

pub struct Journal<'a> {
    db: &'a mut dyn Database,
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, text)
}

/// What the journal knows of one statement of a step run statement by statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StmtState {
    Done,
    /// Started and never finished: it was running when its run died.
    Started,
    /// It failed in a live run, with this error.
    Failed(String),
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
            let table = ddl.split_whitespace().nth(5).unwrap_or_default();
            if !self.db.table_exists(table)? {
                self.db.execute(&ddl)?;
            }
        }
        // Journals written by earlier versions lack these columns.
        for (table, column, ddl) in [
            (
                "upwiz_journal",
                "state",
                "ALTER TABLE upwiz_journal ADD COLUMN state VARCHAR(16)",
            ),
            (
                "upwiz_runs",
                "product",
                "ALTER TABLE upwiz_runs ADD COLUMN product VARCHAR(255)",
            ),
            (
                "upwiz_items",
                "product",
                "ALTER TABLE upwiz_items ADD COLUMN product VARCHAR(255)",
            ),
        ] {
            if !self
                .db
                .columns(table)?
                .iter()
                .any(|c| c.eq_ignore_ascii_case(column))
            {
                self.db.execute(ddl)?;
            }
        }
        if !self.db.table_exists("upwiz_repairs")? {
            self.db.execute(REPAIRS_DDL)?;
        }
        if !self.db.table_exists(super::versions_table::TABLE)? {
            self.db.execute(super::versions_table::DDL)?;
        }
        Ok(())
    }

    /// Runs newest first: of `product` (and of no recorded product) when `mine`,
    /// of every other product when not.
    fn runs(&mut self, product: &str, mine: bool) -> Result<Vec<RunRecord>, DbError> {
        if !self.exists()? {
            return Ok(Vec::new());
        }
        let has_product = self
            .db
            .columns("upwiz_runs")?
            .iter()
            .any(|c| c.eq_ignore_ascii_case("product"));
        let r = match (has_product, mine) {
            (false, true) => self.db.query(
                "SELECT run_id, from_version, to_version, state, started_at, error, NULL FROM upwiz_runs ORDER BY started_at DESC, run_id DESC",
            )?,
            (false, false) => return Ok(Vec::new()),
            (true, true) => self.db.query_with(
                "SELECT run_id, from_version, to_version, state, started_at, error, product FROM upwiz_runs WHERE product = ? OR product IS NULL ORDER BY started_at DESC, run_id DESC",
                &[text(product)],
            )?,
            (true, false) => self.db.query_with(
                "SELECT run_id, from_version, to_version, state, started_at, error, product FROM upwiz_runs WHERE product <> ? ORDER BY started_at DESC, run_id DESC",
                &[text(product)],
            )?,
        };
        Ok(r.rows
            .iter()
            .map(|row| {
                let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
                RunRecord {
                    run_id: t(0),
                    from: t(1),
                    to: t(2),
                    state: RunState::parse(&t(3)),
                    started_at: t(4),
                    error: row.get(5).and_then(Value::as_text),
                    product: row.get(6).and_then(Value::as_text),
                }
            })
            .collect())
    }

    /// `product`'s newest run, if the journal has any.
    pub fn last_run(&mut self, product: &str) -> Result<Option<RunRecord>, DbError> {
        Ok(self.runs(product, true)?.into_iter().next())
    }

    /// `product`'s newest run if it did not complete: the one a new run must continue.
    /// Another product's runs are never continued by this product's package.
    pub fn unfinished_run(&mut self, product: &str) -> Result<Option<RunRecord>, DbError> {
        Ok(self.last_run(product)?.filter(|r| !r.state.is_closed()))
    }

    /// Unfinished runs of other products in the same database, newest run of each.
    pub fn others_unfinished(&mut self, product: &str) -> Result<Vec<RunRecord>, DbError> {
        let mut seen = std::collections::HashSet::new();
        Ok(self
            .runs(product, false)?
            .into_iter()
            .filter(|r| seen.insert(r.product.clone()))
            .filter(|r| !r.state.is_closed())
            .collect())
    }

    pub fn start_run(
        &mut self,
        rec: &RunRecord,
        host: &str,
        pid: u32,
        user: &str,
    ) -> Result<(), DbError> {
        fault::journal_write();
        self.db
            .execute_with(
                "INSERT INTO upwiz_runs (run_id, from_version, to_version, state, started_at, host, pid, os_user, product) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&rec.run_id),
                    text(&rec.from),
                    text(&rec.to),
                    text(rec.state.as_str()),
                    text(&rec.started_at),
                    text(host),
                    Value::Int(pid.into()),
                    text(user),
                    opt(rec.product.as_deref()),
                ],
            )
            .map(|_| ())
    }

    pub fn set_state(
        &mut self,
        run_id: &str,
        state: RunState,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let finished = match state {
            RunState::Running | RunState::Installing => Value::Null,
            _ => text(&now_iso()),
        };
        self.db
            .execute_with(
                "UPDATE upwiz_runs SET state = ?, finished_at = ?, error = ? WHERE run_id = ?",
                &[text(state.as_str()), finished, opt(error), text(run_id)],
            )
            .map(|_| ())
    }

    pub fn done_steps(&mut self, run_id: &str) -> Result<HashSet<String>, DbError> {
        if !self.exists()? {
            return Ok(HashSet::new());
        }
        Ok(self
            .db
            .query_with(
                "SELECT step_key FROM upwiz_journal WHERE run_id = ? AND stmt_index = ?",
                &[text(run_id), Value::Int(WHOLE_STEP)],
            )?
            .first_column()
            .into_iter()
            .collect())
    }

    /// What the journal knows of each statement of a step run statement by statement.
    pub fn statement_states(
        &mut self,
        run_id: &str,
        step_key: &str,
    ) -> Result<BTreeMap<usize, StmtState>, DbError> {
        let r = self.db.query_with(
            "SELECT stmt_index, state, detail FROM upwiz_journal WHERE run_id = ? AND step_key = ? AND stmt_index >= 0",
            &[text(run_id), text(step_key)],
        )?;
        Ok(r.rows
            .into_iter()
            .filter_map(|row| {
                let index = row.first()?.as_text()?.parse::<usize>().ok()?;
                let detail = row.get(2).and_then(Value::as_text).unwrap_or_default();
                let state = match row.get(1).and_then(Value::as_text).as_deref() {
                    Some("started") => StmtState::Started,
                    Some("failed") => StmtState::Failed(detail),
                    // Rows written before statements had states are all of completed ones.
                    _ => StmtState::Done,
                };
                Some((index, state))
            })
            .collect())
    }

    /// Statements of `run_id` that ran or were running (not those that failed), with
    /// the checksum each was journaled with: (step key, index, checksum).
    pub fn statements_run(
        &mut self,
        run_id: &str,
    ) -> Result<Vec<(String, usize, String)>, DbError> {
        let r = self.db.query_with(
            "SELECT step_key, stmt_index, checksum FROM upwiz_journal WHERE run_id = ? AND stmt_index >= 0 AND checksum IS NOT NULL AND (state IS NULL OR state <> ?)",
            &[text(run_id), text("failed")],
        )?;
        Ok(r.rows
            .iter()
            .filter_map(|row| {
                let t = |i: usize| row.get(i).and_then(Value::as_text);
                Some((t(0)?, t(1)?.parse().ok()?, t(2)?))
            })
            .collect())
    }

    /// How many leading statements of a step run statement by statement completed.
    pub fn done_statements(&mut self, run_id: &str, step_key: &str) -> Result<usize, DbError> {
        let states = self.statement_states(run_id, step_key)?;
        Ok((0..)
            .take_while(|i| states.get(i) == Some(&StmtState::Done))
            .count())
    }

    /// Records that a statement which commits on its own is about to run, so that a
    /// later run can tell one cut short by a crash from one that failed or never ran.
    /// `known` says whether the statement already has a record (of an earlier attempt).
    pub fn statement_started(
        &mut self,
        run_id: &str,
        step_key: &str,
        index: usize,
        known: bool,
        statement: &str,
    ) -> Result<(), DbError> {
        fault::journal_write();
        let sql = if known {
            "UPDATE upwiz_journal SET state = ?, finished_at = ?, checksum = ?, detail = NULL WHERE run_id = ? AND step_key = ? AND stmt_index = ?"
        } else {
            "INSERT INTO upwiz_journal (state, finished_at, checksum, run_id, step_key, stmt_index) VALUES (?, ?, ?, ?, ?, ?)"
        };
        self.db
            .execute_with(
                sql,
                &[
                    text("started"),
                    text(&now_iso()),
                    text(&statement_checksum(statement)),
                    text(run_id),
                    text(step_key),
                    Value::Int(index as i64),
                ],
            )
            .map(|_| ())
    }

    /// Records that a started statement failed in a live run: the next run runs it
    /// again rather than taking it as possibly applied.
    pub fn statement_failed(
        &mut self,
        run_id: &str,
        step_key: &str,
        index: usize,
        error: &str,
    ) -> Result<(), DbError> {
        fault::journal_write();
        self.db
            .execute_with(
                "UPDATE upwiz_journal SET state = ?, finished_at = ?, detail = ? WHERE run_id = ? AND step_key = ? AND stmt_index = ?",
                &[
                    text("failed"),
                    text(&now_iso()),
                    text(error),
                    text(run_id),
                    text(step_key),
                    Value::Int(index as i64),
                ],
            )
            .map(|_| ())
    }

    /// Every script ever applied, with the checksum it had then.
    pub fn applied_scripts(&mut self, product: &str) -> Result<Vec<(String, String)>, DbError> {
        if !self.exists()? {
            return Ok(Vec::new());
        }
        Ok(self
            .db
            .query_with(
                "SELECT j.step_key, j.checksum FROM upwiz_journal j JOIN upwiz_runs r ON r.run_id = j.run_id WHERE j.stmt_index = ? AND j.step_key LIKE 'script/%' AND j.checksum IS NOT NULL AND (r.product = ? OR r.product IS NULL)",
                &[Value::Int(WHOLE_STEP), text(product)],
            )?
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
        self.insert_done(run_id, step_key, stmt_index, checksum, detail)
    }

    /// `record`, then COMMIT the transaction it is part of.
    pub fn record_and_commit(
        &mut self,
        run_id: &str,
        step_key: &str,
        stmt_index: i64,
        checksum: Option<&str>,
    ) -> Result<(), DbError> {
        self.record(run_id, step_key, stmt_index, checksum, None)?;
        self.db.commit()
    }

    /// Records statements of a step as completed, and with `whole` the step itself (its
    /// checksum); with `commit`, the transaction they are part of commits with them.
    /// Each statement comes with whether it has a record already (a started one).
    pub fn record_statements(
        &mut self,
        run_id: &str,
        step_key: &str,
        statements: &[(usize, bool, &str)],
        whole: Option<&str>,
        commit: bool,
    ) -> Result<(), DbError> {
        if !statements.is_empty() || whole.is_some() {
            fault::journal_write();
        }
        for &(index, known, statement) in statements {
            if known {
                self.db.execute_with(
                    "UPDATE upwiz_journal SET state = ?, finished_at = ?, detail = NULL WHERE run_id = ? AND step_key = ? AND stmt_index = ?",
                    &[
                        text("done"),
                        text(&now_iso()),
                        text(run_id),
                        text(step_key),
                        Value::Int(index as i64),
                    ],
                )?;
            } else {
                let checksum = statement_checksum(statement);
                self.insert_done(run_id, step_key, index as i64, Some(&checksum), None)?;
            }
        }
        if let Some(checksum) = whole {
            self.insert_done(run_id, step_key, WHOLE_STEP, Some(checksum), None)?;
        }
        if commit {
            self.db.commit()?;
        }
        Ok(())
    }

    fn insert_done(
        &mut self,
        run_id: &str,
        step_key: &str,
        stmt_index: i64,
        checksum: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), DbError> {
        self.db
            .execute_with(
                "INSERT INTO upwiz_journal (run_id, step_key, stmt_index, checksum, finished_at, detail, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(run_id),
                    text(step_key),
                    Value::Int(stmt_index),
                    opt(checksum),
                    text(&now_iso()),
                    opt(detail),
                    text("done"),
                ],
            )
            .map(|_| ())
    }

    pub fn step_detail(&mut self, run_id: &str, step_key: &str) -> Result<Option<String>, DbError> {
        Ok(self
            .db
            .query_with(
                "SELECT detail FROM upwiz_journal WHERE run_id = ? AND step_key = ? AND stmt_index = ?",
                &[text(run_id), text(step_key), Value::Int(WHOLE_STEP)],
            )?
            .scalar())
    }
}
