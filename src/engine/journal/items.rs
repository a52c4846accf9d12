//! Per-item outcomes: which items of a per-item step are done, and which failed why.

use std::collections::HashSet;

use super::{fault, now_iso, opt, text, Journal};
use crate::db::{DbError, Value};

impl Journal<'_> {
    /// Item ids of `step_key` that completed without error.
    pub fn items_ok(&mut self, product: &str, step_key: &str) -> Result<HashSet<String>, DbError> {
        Ok(self
            .db
            .query_with(
                "SELECT item_id FROM upwiz_items WHERE step_key = ? AND error IS NULL AND (product = ? OR product IS NULL)",
                &[text(step_key), text(product)],
            )?
            .first_column()
            .into_iter()
            .collect())
    }

    pub fn record_item(
        &mut self,
        product: &str,
        step_key: &str,
        id: &str,
        name: &str,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        fault::journal_write();
        self.db.execute_with(
            "DELETE FROM upwiz_items WHERE step_key = ? AND item_id = ? AND (product = ? OR product IS NULL)",
            &[text(step_key), text(id), text(product)],
        )?;
        self.db
            .execute_with(
                "INSERT INTO upwiz_items (step_key, item_id, name, error, finished_at, product) VALUES (?, ?, ?, ?, ?, ?)",
                &[text(step_key), text(id), text(name), opt(error), text(&now_iso()), text(product)],
            )
            .map(|_| ())
    }

    /// Every item of `product` whose last attempt failed: (step key, id, name, error).
    pub fn all_failed_items(
        &mut self,
        product: &str,
    ) -> Result<Vec<(String, String, String, String)>, DbError> {
        if !self.db.table_exists("upwiz_items")? {
            return Ok(Vec::new());
        }
        Ok(self
            .db
            .query_with(
                "SELECT step_key, item_id, name, error FROM upwiz_items WHERE error IS NOT NULL AND (product = ? OR product IS NULL) ORDER BY step_key, item_id",
                &[text(product)],
            )?
            .rows
            .into_iter()
            .map(|r| {
                let t = |i: usize| r.get(i).and_then(Value::as_text).unwrap_or_default();
                (t(0), t(1), t(2), t(3))
            })
            .collect())
    }

    pub fn failed_items(
        &mut self,
        product: &str,
        step_key: &str,
    ) -> Result<Vec<(String, String, String)>, DbError> {
        Ok(self
            .db
            .query_with(
                "SELECT item_id, name, error FROM upwiz_items WHERE step_key = ? AND error IS NOT NULL AND (product = ? OR product IS NULL) ORDER BY item_id",
                &[text(step_key), text(product)],
            )?
            .rows
            .into_iter()
            .map(|r| {
                let t = |i: usize| r.get(i).and_then(Value::as_text).unwrap_or_default();
                (t(0), t(1), t(2))
            })
            .collect())
    }
}
