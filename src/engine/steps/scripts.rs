//! Release scripts, in one transaction or statement by statement, and version records.

use super::{StepCx, StepResult};
use crate::db::Value;
use crate::engine::journal::{Journal, WHOLE_STEP};
use crate::engine::template::fill;
use crate::package::{LoadedScript, Version};
use crate::plan::Step;

impl StepCx<'_> {
    pub(super) fn script(
        &mut self,
        step: &Step,
        script: &LoadedScript,
        transactional: bool,
    ) -> StepResult {
        if transactional && self.db.transactional_ddl() {
            return self.script_in_transaction(step, script);
        }
        self.script_by_statement(step, script, transactional)
    }

    /// The whole script and its journal record commit together, or not at all.
    pub(super) fn script_in_transaction(
        &mut self,
        step: &Step,
        script: &LoadedScript,
    ) -> StepResult {
        let total = script.statements.len();
        self.rep.info(format!(
            "Running {} ({total} statements)",
            script.path.display()
        ));
        if let Err(e) = self.db.begin() {
            return StepResult::Failed(format!("cannot start a transaction: {e}"));
        }
        for (i, stmt) in script.statements.iter().enumerate() {
            if self.cancel.is_cancelled() {
                let _ = self.db.rollback();
                return StepResult::Interrupted;
            }
            if let Err(e) = self.db.execute(&stmt.sql) {
                let _ = self.db.rollback();
                return StepResult::Failed(statement_failed(script, stmt, &e));
            }
            self.progress(i as u64 + 1, total as u64);
        }
        let recorded = Journal::new(self.db).record(
            self.run_id,
            &step.key,
            WHOLE_STEP,
            Some(&script.checksum),
            None,
        );
        match recorded.and_then(|_| self.db.commit()) {
            Ok(()) => StepResult::Done(None),
            Err(e) => {
                let _ = self.db.rollback();
                StepResult::Failed(format!("cannot commit {}: {e}", script.path.display()))
            }
        }
    }

    /// Each statement is journaled as it completes, for scripts that cannot run in one
    /// transaction (DDL on MySQL, CREATE INDEX CONCURRENTLY on PostgreSQL). A resumed
    /// run starts at the first statement not journaled.
    pub(super) fn script_by_statement(
        &mut self,
        step: &Step,
        script: &LoadedScript,
        marked_transactional: bool,
    ) -> StepResult {
        let total = script.statements.len();
        let first = match Journal::new(self.db).done_statements(self.run_id, &step.key) {
            Ok(n) => n,
            Err(e) => return StepResult::Failed(e.to_string()),
        };
        self.rep.info(format!(
            "Running {} ({total} statements, each journaled as it completes)",
            script.path.display()
        ));
        if first > 0 {
            self.rep.info(format!(
                "  {first} statement(s) already done by an earlier run; continuing at statement {}",
                first + 1
            ));
        }
        // DML on MySQL commits with its journal record; a script marked non-transactional
        // on PostgreSQL must run outside any transaction block.
        let wrap = marked_transactional;
        for (i, stmt) in script.statements.iter().enumerate().skip(first) {
            if self.cancel.is_cancelled() {
                return StepResult::Interrupted;
            }
            if wrap {
                if let Err(e) = self.db.begin() {
                    return StepResult::Failed(format!("cannot start a transaction: {e}"));
                }
            }
            if let Err(e) = self.db.execute(&stmt.sql) {
                if wrap {
                    let _ = self.db.rollback();
                }
                // The statement a crash interrupted may have taken effect before its
                // journal record was written: "already exists" then means done.
                let in_flight = i == first && self.recovering;
                if !(in_flight && self.db.already_applied(&e)) {
                    return StepResult::Failed(statement_failed(script, stmt, &e));
                }
                self.rep.warn(format!(
                    "  statement {} (line {}) had already taken effect before the interruption ({e}); continuing",
                    i + 1,
                    stmt.line
                ));
                if wrap {
                    if let Err(e) = self.db.begin() {
                        return StepResult::Failed(format!("cannot start a transaction: {e}"));
                    }
                }
            }
            let recorded =
                Journal::new(self.db).record(self.run_id, &step.key, i as i64, None, None);
            let committed = recorded.and_then(|_| if wrap { self.db.commit() } else { Ok(()) });
            if let Err(e) = committed {
                if wrap {
                    let _ = self.db.rollback();
                }
                return StepResult::Failed(format!(
                    "cannot record statement {} in the journal: {e}",
                    i + 1
                ));
            }
            self.progress(i as u64 + 1, total as u64);
        }
        match Journal::new(self.db).record(
            self.run_id,
            &step.key,
            WHOLE_STEP,
            Some(&script.checksum),
            None,
        ) {
            Ok(()) => StepResult::Done(None),
            Err(e) => StepResult::Failed(format!(
                "cannot record {} in the journal: {e}",
                script.path.display()
            )),
        }
    }

    pub(super) fn record_version(&mut self, step: &Step, release: &Version) -> StepResult {
        let Some(template) = self.req.package.record.get(self.db.rdbms()) else {
            return StepResult::Failed("the package cannot record versions on this RDBMS".into());
        };
        let literal = self.db.quote(&Value::Text(release.to_string()));
        let sql = match fill(template, |n| (n == "version").then(|| literal.clone())) {
            Ok(s) => s,
            Err(e) => return StepResult::Failed(format!("[version] record: {e}")),
        };
        let r = self
            .db
            .begin()
            .and_then(|_| self.db.execute(&sql))
            .and_then(|_| {
                Journal::new(self.db).record(self.run_id, &step.key, WHOLE_STEP, None, None)
            });
        match r.and_then(|_| self.db.commit()) {
            Ok(()) => {
                self.rep
                    .info(format!("The database is now at version {release}."));
                StepResult::Done(None)
            }
            Err(e) => {
                let _ = self.db.rollback();
                StepResult::Failed(format!("cannot record version {release}: {e}"))
            }
        }
    }
}

fn statement_failed(
    script: &LoadedScript,
    stmt: &crate::sql::Statement,
    e: &crate::db::DbError,
) -> String {
    format!(
        "{}, line {}: {e} (statement: {})",
        script.path.display(),
        stmt.line,
        excerpt(&stmt.sql)
    )
}

/// The start of a statement, on one line, for error messages.
fn excerpt(sql: &str) -> String {
    let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        format!("{}...", one_line.chars().take(117).collect::<String>())
    } else {
        one_line
    }
}
