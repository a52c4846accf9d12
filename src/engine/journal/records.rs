//! What the lifecycle commands read and write: every run and journal row of a product
//! (history, report, backups), and the recorded ways out (repair, unlock, restore).

use super::{
    fault, opt, text, Journal, JournalEntry, RepairRecord, RunRecord, RunRow, RunState, WHOLE_STEP,
};
use crate::db::{DbError, Value};

impl Journal<'_> {
    /// Every run of `product` (and of no recorded product), oldest first, with who ran
    /// it where and when it ended: the history of the database.
    pub fn history(&mut self, product: &str) -> Result<Vec<RunRow>, DbError> {
        if !self.exists()? {
            return Ok(Vec::new());
        }
        let r = self.db.query_with(
            "SELECT run_id, from_version, to_version, state, started_at, finished_at, host, pid, os_user, error, product FROM upwiz_runs WHERE product = ? OR product IS NULL ORDER BY started_at, run_id",
            &[text(product)],
        )?;
        Ok(r.rows
            .iter()
            .map(|row| {
                let t = |i: usize| row.get(i).and_then(Value::as_text);
                RunRow {
                    record: RunRecord {
                        run_id: t(0).unwrap_or_default(),
                        from: t(1).unwrap_or_default(),
                        to: t(2).unwrap_or_default(),
                        state: RunState::parse(&t(3).unwrap_or_default()),
                        started_at: t(4).unwrap_or_default(),
                        error: t(9),
                        product: t(10),
                    },
                    finished_at: t(5),
                    host: t(6),
                    pid: t(7).and_then(|p| p.parse().ok()),
                    os_user: t(8),
                }
            })
            .collect())
    }

    /// Every row `run_id` wrote to the journal, in the order they were written.
    pub fn entries(&mut self, run_id: &str) -> Result<Vec<JournalEntry>, DbError> {
        let r = self.db.query_with(
            "SELECT step_key, stmt_index, checksum, finished_at, detail, state FROM upwiz_journal WHERE run_id = ? ORDER BY finished_at, stmt_index",
            &[text(run_id)],
        )?;
        Ok(r.rows
            .iter()
            .filter_map(|row| {
                let t = |i: usize| row.get(i).and_then(Value::as_text);
                Some(JournalEntry {
                    step_key: t(0)?,
                    stmt_index: t(1)?.parse().ok()?,
                    checksum: t(2),
                    finished_at: t(3).unwrap_or_default(),
                    detail: t(4),
                    state: t(5),
                })
            })
            .collect())
    }

    /// Records a way out the operator took, with their reason.
    pub fn record_repair(&mut self, r: &RepairRecord) -> Result<(), DbError> {
        fault::journal_write();
        self.db
            .execute_with(
                "INSERT INTO upwiz_repairs (at, action, product, run_id, detail, reason, host, os_user) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&r.at),
                    text(&r.action),
                    opt(r.product.as_deref()),
                    opt(r.run_id.as_deref()),
                    text(&r.detail),
                    text(&r.reason),
                    text(&r.host),
                    text(&r.user),
                ],
            )
            .map(|_| ())
    }

    /// The ways out recorded for `product` (and for the database as a whole), oldest first.
    pub fn repairs(&mut self, product: &str) -> Result<Vec<RepairRecord>, DbError> {
        if !self.db.table_exists("upwiz_repairs")? {
            return Ok(Vec::new());
        }
        let r = self.db.query_with(
            "SELECT at, action, product, run_id, detail, reason, host, os_user FROM upwiz_repairs WHERE product = ? OR product IS NULL ORDER BY at",
            &[text(product)],
        )?;
        Ok(r.rows
            .iter()
            .map(|row| {
                let t = |i: usize| row.get(i).and_then(Value::as_text);
                RepairRecord {
                    at: t(0).unwrap_or_default(),
                    action: t(1).unwrap_or_default(),
                    product: t(2),
                    run_id: t(3),
                    detail: t(4).unwrap_or_default(),
                    reason: t(5).unwrap_or_default(),
                    host: t(6).unwrap_or_default(),
                    user: t(7).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Every run of `product` (and of no recorded product), newest first.
    pub fn product_runs(&mut self, product: &str) -> Result<Vec<RunRecord>, DbError> {
        self.runs(product, true)
    }

    /// Makes `checksum` the one `step_key` (a script) is held to from now on, in every
    /// run of `product` that applied it; returns how many records changed.
    pub fn accept_checksum(
        &mut self,
        product: &str,
        step_key: &str,
        checksum: &str,
    ) -> Result<u64, DbError> {
        fault::journal_write();
        self.db.execute_with(
            "UPDATE upwiz_journal SET checksum = ? WHERE step_key = ? AND stmt_index = ? AND checksum IS NOT NULL AND run_id IN (SELECT run_id FROM upwiz_runs WHERE product = ? OR product IS NULL)",
            &[
                text(checksum),
                text(step_key),
                Value::Int(WHOLE_STEP),
                text(product),
            ],
        )
    }

    /// The paths the backup steps of `run_id` recorded, in the order they were taken.
    pub fn backups_of(&mut self, run_id: &str) -> Result<Vec<(String, String)>, DbError> {
        if !self.exists()? {
            return Ok(Vec::new());
        }
        let r = self.db.query_with(
            "SELECT step_key, detail FROM upwiz_journal WHERE run_id = ? AND stmt_index = ? AND step_key LIKE 'leg/%/backup' AND detail IS NOT NULL ORDER BY finished_at",
            &[text(run_id), Value::Int(WHOLE_STEP)],
        )?;
        Ok(r.rows
            .iter()
            .filter_map(|row| Some((row.first()?.as_text()?, row.get(1)?.as_text()?)))
            .collect())
    }
}
