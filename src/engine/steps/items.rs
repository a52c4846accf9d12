//! Per-item steps: a script run for each row of a query, each in its own transaction.

use super::{StepCx, StepError, StepResult};
use crate::db::Value;
use crate::engine::events::FailedItem;
use crate::engine::journal::Journal;
use crate::engine::template::bind;
use crate::package::LoadedScript;
use crate::plan::{Step, StepKind};

impl StepCx<'_> {
    pub(super) fn items(&mut self, step: &Step) -> StepResult {
        let StepKind::Items { index } = step.kind else {
            unreachable!()
        };
        let item = &self.req.package.items[index];
        let Some(query) = item.query.get(self.db.rdbms()) else {
            return StepResult::Failed(StepError::Package(format!(
                "per-item step '{}' has no query for this RDBMS",
                item.name
            )));
        };
        let rows = match self.db.query(query) {
            Ok(r) => r,
            Err(e) => {
                return StepResult::Failed(StepError::Package(format!(
                    "per-item query of '{}' failed: {e}",
                    item.name
                )))
            }
        };
        let script = &self.prepared.scripts[&step.key];
        let ok = match Journal::new(self.db).items_ok(&self.req.package.product.name, &step.key) {
            Ok(ok) => ok,
            Err(e) => return StepResult::Failed(StepError::journal("read the items done", e)),
        };
        let col = |name: &str| {
            rows.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
        };
        let id_col = col("id").unwrap_or(0);
        let name_col = col("name").unwrap_or(if rows.columns.len() > 1 { 1 } else { id_col });
        let total = rows.rows.len();
        let (mut passed, mut retried) = (0usize, 0usize);
        for (i, row) in rows.rows.iter().enumerate() {
            if self.cancel.is_cancelled() {
                return StepResult::Interrupted;
            }
            let id = row.get(id_col).map(Value::render).unwrap_or_default();
            let name = row.get(name_col).map(Value::render).unwrap_or_default();
            if ok.contains(&id) {
                continue;
            }
            retried += 1;
            let error = self.one_item(&step.key, &rows.columns, row, script, &id, &name);
            match &error {
                None => passed += 1,
                Some(e) => {
                    self.rep.error(format!("  item {id} '{name}' failed: {e}"));
                    if let Err(je) = Journal::new(self.db).record_item(
                        &self.req.package.product.name,
                        &step.key,
                        &id,
                        &name,
                        Some(e),
                    ) {
                        return StepResult::Failed(StepError::journal(
                            format!("record item {id}"),
                            je,
                        ));
                    }
                }
            }
            self.progress(i as u64 + 1, total as u64);
        }
        self.rep.info(format!(
            "  {passed} of {retried} item(s) upgraded{}",
            if retried < total {
                format!(" ({} done by an earlier run)", total - retried)
            } else {
                String::new()
            }
        ));
        let failed = match Journal::new(self.db)
            .failed_items(&self.req.package.product.name, &step.key)
        {
            Ok(f) => f,
            Err(e) => return StepResult::Failed(StepError::journal("read the failed items", e)),
        };
        if failed.is_empty() {
            return self.finish(step, None, StepResult::Done(None));
        }
        StepResult::ItemsFailed(
            failed
                .into_iter()
                .map(|(id, name, error)| FailedItem {
                    step: item.name.clone(),
                    id,
                    name,
                    error,
                })
                .collect(),
        )
    }

    /// One item in its own transaction; its outcome is recorded with it when it succeeds.
    pub(super) fn one_item(
        &mut self,
        key: &str,
        columns: &[String],
        row: &[Value],
        script: &LoadedScript,
        id: &str,
        name: &str,
    ) -> Option<String> {
        let column = |n: &str| {
            columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(n))
                .map(|i| row[i].clone())
        };
        let mut sqls = Vec::with_capacity(script.statements.len());
        for stmt in &script.statements {
            match bind(&stmt.sql, column) {
                Ok((sql, params)) => sqls.push((stmt.line, sql, params)),
                Err(e) => {
                    return Some(format!(
                        "{}, line {}: {e}",
                        script.path.display(),
                        stmt.line
                    ))
                }
            }
        }
        if let Err(e) = self.db.begin() {
            return Some(e.to_string());
        }
        for (line, sql, params) in &sqls {
            let r = if params.is_empty() {
                self.db.execute(sql)
            } else {
                self.db.execute_with(sql, params)
            };
            if let Err(e) = r {
                let _ = self.db.rollback();
                return Some(format!("{}, line {line}: {e}", script.path.display()));
            }
        }
        let r =
            Journal::new(self.db).record_item(&self.req.package.product.name, key, id, name, None);
        match r.and_then(|_| self.db.commit()) {
            Ok(()) => None,
            Err(e) => {
                let _ = self.db.rollback();
                Some(e.to_string())
            }
        }
    }
}
