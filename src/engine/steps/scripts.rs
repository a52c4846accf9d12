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
        let committed = Journal::new(self.db).record_and_commit(
            None,
            self.run_id,
            &step.key,
            WHOLE_STEP,
            Some(&script.checksum),
        );
        match committed {
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
    ///
    /// In a script marked transactional (on MySQL, where DDL commits implicitly), a run
    /// of data statements shares one transaction with their journal records, committed
    /// before the next statement that may commit implicitly; a statement of that kind
    /// has its record written with the data statements after it, or before the next
    /// such statement. If a data statement fails, its run rolls back, and the next run
    /// starts at the first statement of it (or at the statement before it whose record
    /// went with it, which then reports "already exists" and counts as done).
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
        // A script marked non-transactional on PostgreSQL must run outside any
        // transaction block: each statement is recorded on its own as it completes.
        let group = marked_transactional;
        let mut run = Pending::default();
        for (i, stmt) in script.statements.iter().enumerate().skip(first) {
            if self.cancel.is_cancelled() {
                // A safe point: what is done so far is kept.
                return match self.write_pending(step, &mut run, None) {
                    Ok(()) => StepResult::Interrupted,
                    Err(e) => StepResult::Failed(e),
                };
            }
            let data = group && is_data_statement(&stmt.sql);
            if !data {
                if let Err(e) = self.write_pending(step, &mut run, None) {
                    return StepResult::Failed(e);
                }
            } else if !run.open {
                if let Err(e) = self.db.begin() {
                    return StepResult::Failed(format!("cannot start a transaction: {e}"));
                }
                run.open = true;
            }
            if let Err(e) = self.db.execute(&stmt.sql) {
                // The statement a crash interrupted may have taken effect before its
                // journal record was written: "already exists" then means done.
                let in_flight = i == first && self.recovering;
                if !(in_flight && self.db.already_applied(&e)) {
                    self.abandon(step, &mut run);
                    return StepResult::Failed(statement_failed(script, stmt, &e));
                }
                self.rep.warn(format!(
                    "  statement {} (line {}) had already taken effect before the interruption ({e}); continuing",
                    i + 1,
                    stmt.line
                ));
            }
            run.done.push((i, data));
            if !group {
                if let Err(e) = self.write_pending(step, &mut run, None) {
                    return StepResult::Failed(e);
                }
            }
            self.progress(i as u64 + 1, total as u64);
        }
        match self.write_pending(step, &mut run, Some(&script.checksum)) {
            Ok(()) => StepResult::Done(None),
            Err(e) => StepResult::Failed(e),
        }
    }

    /// Records the statements done since the last record (and with `whole` the script),
    /// committing the transaction of data statements if one is open.
    fn write_pending(
        &mut self,
        step: &Step,
        run: &mut Pending,
        whole: Option<&str>,
    ) -> Result<(), String> {
        if run.done.is_empty() && whole.is_none() && !run.open {
            return Ok(());
        }
        let indexes: Vec<usize> = run.done.iter().map(|(i, _)| *i).collect();
        let written = Journal::new(self.db).record_statements(
            self.run_id,
            &step.key,
            &indexes,
            whole,
            run.open,
        );
        if let Err(e) = written {
            if run.open {
                let _ = self.db.rollback();
            }
            run.open = false;
            run.done.clear();
            return Err(match indexes.first() {
                Some(i) => format!("cannot record statement {} in the journal: {e}", i + 1),
                None => format!("cannot record the completed script in the journal: {e}"),
            });
        }
        run.open = false;
        run.done.clear();
        Ok(())
    }

    /// A data statement failed: its transaction rolls back, and the record of a statement
    /// before it that took effect on its own is still written (best effort: without it,
    /// the next run finds that statement already applied).
    fn abandon(&mut self, step: &Step, run: &mut Pending) {
        if run.open {
            let _ = self.db.rollback();
            run.open = false;
        }
        run.done.retain(|(_, data)| !data);
        let _ = self.write_pending(step, run, None);
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
        // The version and its journal record commit together, in one round trip after
        // the BEGIN.
        let r = self.db.begin().and_then(|_| {
            Journal::new(self.db).record_and_commit(
                Some(&sql),
                self.run_id,
                &step.key,
                WHOLE_STEP,
                None,
            )
        });
        match r {
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

/// Statements done but not yet in the journal: (index, whether a data statement).
#[derive(Default)]
struct Pending {
    done: Vec<(usize, bool)>,
    /// A transaction of data statements is open.
    open: bool,
}

/// Whether `sql` only changes rows (INSERT, UPDATE, DELETE, REPLACE), and so never
/// commits implicitly on MySQL. Leading comments are skipped, but not MySQL's
/// executable comments (`/*!...*/`, `/*M!...*/`), which may hold anything.
fn is_data_statement(sql: &str) -> bool {
    let mut rest = sql.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("--").or_else(|| rest.strip_prefix('#')) {
            rest = r
                .split_once('\n')
                .map_or("", |(_, after)| after)
                .trim_start();
        } else if rest.starts_with("/*") && !rest.starts_with("/*!") && !rest.starts_with("/*M!") {
            match rest[2..].split_once("*/") {
                Some((_, after)) => rest = after.trim_start(),
                None => return false,
            }
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(word.as_str(), "INSERT" | "UPDATE" | "DELETE" | "REPLACE")
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

#[cfg(test)]
mod tests {
    use super::is_data_statement;

    #[test]
    fn data_statements_are_told_from_those_that_may_commit() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set a = 1",
            "  -- fill\n  DELETE FROM t",
            "/* note */ REPLACE INTO t VALUES (1)",
            "# mysql comment\nUPDATE t SET a = 2",
        ] {
            assert!(is_data_statement(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE t (a INT)",
            "ALTER TABLE t ADD COLUMN b INT",
            "SET autocommit = 1",
            "/*!40000 ALTER TABLE t DISABLE KEYS */",
            "/*M!100000 UPDATE t SET a = 1 */",
            "CALL fill()",
            "LOAD DATA INFILE 'x' INTO TABLE t",
            "INSERTX",
            "/* unterminated",
            "",
        ] {
            assert!(!is_data_statement(sql), "{sql}");
        }
    }
}
