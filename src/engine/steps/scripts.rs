//! Release scripts, in one transaction or statement by statement, and version records.

use super::error::StepError;
use super::statement::run_committing;
use super::{StepCx, StepResult};
use crate::engine::journal::{Journal, StmtState, WHOLE_STEP};
use crate::engine::versions_table::{version_write, How, VersionWrite};
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
            return StepResult::Failed(StepError::transaction("start a transaction", e));
        }
        for (i, stmt) in script.statements.iter().enumerate() {
            if self.cancel.is_cancelled() {
                let _ = self.db.rollback();
                return StepResult::Interrupted;
            }
            if let Err(e) = self.db.execute(&stmt.sql) {
                let _ = self.db.rollback();
                return StepResult::Failed(statement_failed(script, stmt, e));
            }
            self.progress(i as u64 + 1, total as u64);
        }
        // The script's record first, then its release's version: the journal (and
        // `history`) lists them in the order they happened, and both commit together.
        let recorded = Journal::new(self.db).record(
            self.run_id,
            &step.key,
            WHOLE_STEP,
            Some(&script.checksum),
            None,
        );
        if let Err(e) = recorded {
            let _ = self.db.rollback();
            return StepResult::Failed(StepError::journal(
                format!("record {}", script.path.display()),
                e,
            ));
        }
        let version = match self.absorb {
            Some(next) => match self.version_in_transaction(next) {
                Ok(v) => Some(v),
                Err(e) => {
                    let _ = self.db.rollback();
                    return StepResult::Failed(e);
                }
            },
            None => None,
        };
        let committed = self.db.commit();
        match committed {
            Ok(()) => {
                if version.is_some() {
                    *self.absorbed = true;
                }
                StepResult::Done(None)
            }
            Err(e) => {
                let _ = self.db.rollback();
                StepResult::Failed(StepError::transaction(
                    format!("commit {}", script.path.display()),
                    e,
                ))
            }
        }
    }

    /// Each statement is journaled as it completes, for scripts that cannot run in one
    /// transaction (DDL on MySQL, CREATE INDEX CONCURRENTLY on PostgreSQL). A statement
    /// that commits on its own is recorded as started before it runs and as failed when
    /// it fails, so that a resumed run knows which one, if any, was running when its
    /// predecessor died: only that one may have taken effect unrecorded, and the
    /// catalog settles it. A failed statement is simply run again.
    ///
    /// In a script marked transactional (on MySQL, where DDL commits implicitly), a run
    /// of data statements shares one transaction with their journal records, committed
    /// before the next statement that may commit implicitly; a statement of that kind
    /// has its completion recorded with the data statements after it, or before the next
    /// such statement. If a data statement fails, its run rolls back, and the next run
    /// starts at the first statement of it.
    pub(super) fn script_by_statement(
        &mut self,
        step: &Step,
        script: &LoadedScript,
        marked_transactional: bool,
    ) -> StepResult {
        let total = script.statements.len();
        let states = match Journal::new(self.db).statement_states(self.run_id, &step.key) {
            Ok(s) => s,
            Err(e) => return StepResult::Failed(StepError::journal("read the statements done", e)),
        };
        let first = (0..)
            .take_while(|i| states.get(i) == Some(&StmtState::Done))
            .count();
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
        // transaction block: each statement commits on its own as it completes (a data
        // statement in one with its record).
        let group = marked_transactional;
        let mut run = Pending::default();
        for (i, stmt) in script.statements.iter().enumerate().skip(first) {
            if self.cancel.is_cancelled() {
                // A safe point: what is done so far is kept.
                return match self.write_pending(step, script, &mut run, None) {
                    Ok(()) => StepResult::Interrupted,
                    Err(e) => StepResult::Failed(e),
                };
            }
            // A data statement always commits with its record (alone, or with the
            // others of its run in a script marked transactional), so that a crash
            // leaves both or neither and it never runs twice.
            let data = is_data_statement(&stmt.sql);
            if data {
                if !run.open {
                    if let Err(e) = self.db.begin() {
                        return StepResult::Failed(StepError::transaction(
                            "start a transaction",
                            e,
                        ));
                    }
                    run.open = true;
                }
                if let Err(e) = self.db.execute(&stmt.sql) {
                    self.abandon(step, script, &mut run);
                    return StepResult::Failed(statement_failed(script, stmt, e));
                }
                run.done.push(Done {
                    index: i,
                    data,
                    known: states.contains_key(&i),
                });
                if !group {
                    if let Err(e) = self.write_pending(step, script, &mut run, None) {
                        return StepResult::Failed(e);
                    }
                }
                self.progress(i as u64 + 1, total as u64);
                continue;
            }
            if let Err(e) = self.write_pending(step, script, &mut run, None) {
                return StepResult::Failed(e);
            }
            let rep = &mut *self.rep;
            let ran = run_committing(
                self.db,
                &mut |m| rep.warn(m),
                self.run_id,
                &step.key,
                script,
                i,
                states.get(&i),
            );
            if let Err(e) = ran {
                self.abandon(step, script, &mut run);
                return StepResult::Failed(e);
            }
            run.done.push(Done {
                index: i,
                data,
                known: true,
            });
            if !group {
                if let Err(e) = self.write_pending(step, script, &mut run, None) {
                    return StepResult::Failed(e);
                }
            }
            self.progress(i as u64 + 1, total as u64);
        }
        match self.write_pending(step, script, &mut run, Some(&script.checksum)) {
            Ok(()) => StepResult::Done(None),
            Err(e) => StepResult::Failed(e),
        }
    }

    /// Records the statements done since the last record (and with `whole` the script),
    /// committing the transaction of data statements if one is open.
    fn write_pending(
        &mut self,
        step: &Step,
        script: &LoadedScript,
        run: &mut Pending,
        whole: Option<&str>,
    ) -> Result<(), StepError> {
        if run.done.is_empty() && whole.is_none() && !run.open {
            return Ok(());
        }
        let indexes: Vec<(usize, bool, &str)> = run
            .done
            .iter()
            .map(|d| (d.index, d.known, script.statements[d.index].sql.as_str()))
            .collect();
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
            return Err(match indexes.first().map(|d| d.0) {
                Some(i) => StepError::journal(format!("record statement {}", i + 1), e),
                None => StepError::journal("record the completed script", e),
            });
        }
        run.open = false;
        run.done.clear();
        Ok(())
    }

    /// A statement failed: an open transaction of data statements rolls back, and the
    /// record of a statement before it that took effect on its own is still written
    /// (best effort: without it, the next run settles that statement by the catalog).
    fn abandon(&mut self, step: &Step, script: &LoadedScript, run: &mut Pending) {
        if run.open {
            let _ = self.db.rollback();
            run.open = false;
        }
        run.done.retain(|d| !d.data);
        let _ = self.write_pending(step, script, run, None);
    }

    /// The version step's statement and journal record, in the transaction open now;
    /// the caller commits. Gives the version recorded.
    fn version_in_transaction(&mut self, step: &Step) -> Result<Version, StepError> {
        let crate::plan::StepKind::RecordVersion { release } = &step.kind else {
            return Err(StepError::Package(format!(
                "'{}' is not a version step",
                step.title
            )));
        };
        let write = self.version_write(release)?;
        write
            .apply(self.db)
            .and_then(|_| {
                Journal::new(self.db).record(self.run_id, &step.key, WHOLE_STEP, None, None)
            })
            .map_err(|e| StepError::journal(format!("record version {release}"), e))?;
        Ok(release.clone())
    }

    fn version_write(&self, release: &Version) -> Result<VersionWrite, StepError> {
        version_write(
            &self.req.package,
            self.db.rdbms(),
            release.as_str(),
            How::Upgraded,
        )
        .map_err(StepError::Package)
    }

    pub(super) fn record_version(&mut self, step: &Step, release: &Version) -> StepResult {
        let write = match self.version_write(release) {
            Ok(w) => w,
            Err(e) => return StepResult::Failed(e),
        };
        // The version and its journal record commit together.
        let r = self.db.begin().and_then(|_| {
            write.apply(self.db)?;
            Journal::new(self.db).record_and_commit(self.run_id, &step.key, WHOLE_STEP, None)
        });
        match r {
            Ok(()) => {
                self.rep
                    .info(format!("The database is now at version {release}."));
                StepResult::Done(None)
            }
            Err(e) => {
                let _ = self.db.rollback();
                StepResult::Failed(StepError::journal(format!("record version {release}"), e))
            }
        }
    }
}

/// A statement done but not yet recorded as done.
struct Done {
    index: usize,
    /// A data statement, in the open transaction.
    data: bool,
    /// The journal has a record of it (a started one) to update.
    known: bool,
}

/// Statements done but not yet in the journal.
#[derive(Default)]
struct Pending {
    done: Vec<Done>,
    /// A transaction of data statements is open.
    open: bool,
}

/// Whether `sql` only changes rows (INSERT, UPDATE, DELETE, REPLACE), and so never
/// commits implicitly on MySQL. Leading comments are skipped, but not MySQL's
/// executable comments (`/*!...*/`, `/*M!...*/`), which may hold anything.
pub(crate) fn is_data_statement(sql: &str) -> bool {
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

pub(super) fn statement_failed(
    script: &LoadedScript,
    stmt: &crate::sql::Statement,
    source: crate::db::DbError,
) -> StepError {
    StepError::Statement {
        path: script.path.display().to_string(),
        line: stmt.line,
        excerpt: excerpt(&stmt.sql),
        source,
    }
}

/// The start of a statement, on one line, for error messages.
pub(super) fn excerpt(sql: &str) -> String {
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
