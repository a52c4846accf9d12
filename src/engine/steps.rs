//! What each kind of step does, and how it records itself in the journal.

use std::time::Instant;

use super::cancel::CancelToken;
use super::checks;
use super::events::{Event, FailedItem, Summary};
use super::journal::{Journal, WHOLE_STEP};
use super::log::Reporter;
use super::prepare::Prepared;
use super::request::RunRequest;
use super::template::fill;
use crate::db::{Database, Value};
use crate::fsutil;
use crate::package::{LoadedScript, Version};
use crate::plan::{Step, StepKind};

pub enum StepResult {
    Done(Option<String>),
    /// Completed, with findings for the summary.
    Warned(String),
    ItemsFailed(Vec<FailedItem>),
    Interrupted,
    Failed(String),
}

pub struct StepCx<'a> {
    pub db: &'a mut dyn Database,
    pub req: &'a RunRequest,
    pub rep: &'a mut Reporter,
    pub cancel: &'a CancelToken,
    pub run_id: &'a str,
    pub index: usize,
    pub prepared: &'a Prepared,
    pub summary: &'a mut Summary,
    /// This is the first step a resumed run executes: the one a crash may have cut short.
    pub recovering: bool,
}

impl StepCx<'_> {
    pub fn run(mut self, step: &Step) -> StepResult {
        let leg = &self.prepared.route.legs[step.leg];
        match &step.kind {
            StepKind::Preflight => self.preflight(step),
            StepKind::Backup => self.backup(step, &leg.from.clone()),
            StepKind::ViolationsBefore => self.violations_before(step, &leg.from.clone()),
            StepKind::Script { .. } => {
                let script = &self.prepared.scripts[&step.key];
                let transactional = match &step.kind {
                    StepKind::Script { release, index } => {
                        self.req.package.release(release).expect("release").scripts[*index]
                            .transactional
                    }
                    _ => true,
                };
                self.script(step, script, transactional)
            }
            StepKind::RecordVersion { release } => self.record_version(step, release),
            StepKind::Items { .. } => self.items(step),
            StepKind::ViolationsAfter => {
                self.violations_after(step, &leg.from.clone(), &leg.to.clone())
            }
            StepKind::Tests => self.tests(step),
        }
    }

    fn record(&mut self, step: &Step, detail: Option<&str>) -> Result<(), String> {
        Journal::new(self.db)
            .record(self.run_id, &step.key, WHOLE_STEP, None, detail)
            .map_err(|e| format!("cannot record the step in the journal: {e}"))
    }

    fn finish(&mut self, step: &Step, detail: Option<&str>, result: StepResult) -> StepResult {
        match self.record(step, detail) {
            Ok(()) => result,
            Err(e) => StepResult::Failed(e),
        }
    }

    fn preflight(&mut self, step: &Step) -> StepResult {
        let checks = &self.req.package.preflight;
        let mut problems = Vec::new();
        for (i, check) in checks.iter().enumerate() {
            self.progress(i as u64, checks.len() as u64);
            match checks::run_check(self.db, check, &self.req.package.dir) {
                Ok(None) => self.rep.info(format!("  ok: {}", check.name)),
                Ok(Some(found)) => {
                    let hint = check
                        .hint
                        .as_deref()
                        .map(|h| format!(" {h}"))
                        .unwrap_or_default();
                    self.rep
                        .error(format!("  FAILED: {}: {found}.{hint}", check.name));
                    problems.push(check.name.clone());
                }
                Err(e) => {
                    self.rep.error(format!("  FAILED: {e}"));
                    problems.push(check.name.clone());
                }
            }
        }
        if !problems.is_empty() {
            return StepResult::Failed(format!(
                "preflight check(s) failed: {}; see UPGRADE.LOG for what to do",
                problems.join(", ")
            ));
        }
        self.finish(step, None, StepResult::Done(None))
    }

    fn backup(&mut self, step: &Step, from: &Version) -> StepResult {
        let dir = self.req.dirs.backup_dir.clone();
        if let Err(e) = fsutil::private_dir(&dir) {
            return StepResult::Failed(format!(
                "cannot create the backup directory {}: {e}",
                dir.display()
            ));
        }
        let stem = format!(
            "{}-{from}-{}",
            backup_name(&self.req.spec.target),
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        );
        self.rep.info(format!("Backing up to {}", dir.display()));
        let index = self.index;
        let mut last = Instant::now();
        let rep = &mut *self.rep;
        let result = self.db.backup(&dir, &stem, &mut |done, total| {
            if last.elapsed().as_millis() >= 100 || done == total {
                last = Instant::now();
                rep.emit(Event::Progress { index, done, total });
            }
        });
        match result {
            Ok(info) => {
                let _ = fsutil::make_private(&info.path);
                self.rep.info(format!(
                    "Backup written: {} ({} bytes, {})",
                    info.path.display(),
                    info.bytes,
                    info.verified
                ));
                self.summary.backups.push(info.path.clone());
                let detail = info.path.display().to_string();
                self.finish(step, Some(&detail), StepResult::Done(Some(detail.clone())))
            }
            Err(e) => StepResult::Failed(format!("backup failed: {e}")),
        }
    }

    fn violations_before(&mut self, step: &Step, version: &Version) -> StepResult {
        let found = match checks::violations(self.db, &self.req.package, version) {
            Ok(v) => v,
            Err(e) => {
                return StepResult::Failed(format!("the violation report could not run: {e}"))
            }
        };
        let lines: Vec<String> = found.iter().map(checks::describe).collect();
        let path = super::runner::report_path(
            &self.req.dirs.log_dir,
            self.run_id,
            &format!("{version}-before"),
        );
        if let Err(e) = checks::write_report(
            &path,
            &format!("Violations in the source database ({version})"),
            &lines,
        ) {
            return StepResult::Failed(format!("cannot write the report {}: {e}", path.display()));
        }
        self.summary.reports.push(path.clone());
        for l in lines.iter().take(20) {
            self.rep.warn(format!("  {l}"));
        }
        let detail = serde_json::to_string(&lines).unwrap_or_default();
        if found.is_empty() {
            self.rep
                .info(format!("No violations. Report: {}", path.display()));
            return self.finish(step, Some(&detail), StepResult::Done(None));
        }
        if !self.req.accept_violations {
            return StepResult::Failed(format!(
                "{} violation(s) in the source database (report: {}); fix them and run upwiz again, or accept them with --accept-violations",
                found.len(),
                path.display()
            ));
        }
        let note = format!(
            "{} violation(s) on the source accepted by the operator (report: {})",
            found.len(),
            path.display()
        );
        self.rep.warn(note.clone());
        self.finish(step, Some(&detail), StepResult::Warned(note))
    }

    fn violations_after(&mut self, step: &Step, from: &Version, to: &Version) -> StepResult {
        let found = match checks::violations(self.db, &self.req.package, to) {
            Ok(v) => v,
            Err(e) => {
                return StepResult::Failed(format!("the violation report could not run: {e}"))
            }
        };
        let lines: Vec<String> = found.iter().map(checks::describe).collect();
        let before_key = step.key.replace("/violations-after", "/violations-before");
        let before: Vec<String> = Journal::new(self.db)
            .step_detail(self.run_id, &before_key)
            .ok()
            .flatten()
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default();
        let new: Vec<&String> = lines.iter().filter(|l| !before.contains(l)).collect();
        let fixed = before.iter().filter(|l| !lines.contains(l)).count();
        let mut report = lines.clone();
        report.push(String::new());
        report.push(format!(
            "Compared with the source ({from}): {} new, {fixed} gone, {} unchanged.",
            new.len(),
            lines.len() - new.len()
        ));
        for l in &new {
            report.push(format!("new: {l}"));
        }
        let path =
            super::runner::report_path(&self.req.dirs.log_dir, self.run_id, &format!("{to}-after"));
        if let Err(e) = checks::write_report(
            &path,
            &format!("Violations in the target database ({to})"),
            &report,
        ) {
            return StepResult::Failed(format!("cannot write the report {}: {e}", path.display()));
        }
        self.summary.reports.push(path.clone());
        if new.is_empty() {
            self.rep
                .info(format!("No new violations. Report: {}", path.display()));
            return self.finish(step, None, StepResult::Done(None));
        }
        for l in new.iter().take(20) {
            self.rep.warn(format!("  new: {l}"));
        }
        let note = format!(
            "{} new violation(s) after upgrading to {to} (report: {}); fix them before the servers go back into use",
            new.len(),
            path.display()
        );
        self.rep.warn(note.clone());
        self.finish(step, None, StepResult::Warned(note))
    }

    fn script(&mut self, step: &Step, script: &LoadedScript, transactional: bool) -> StepResult {
        if transactional && self.db.transactional_ddl() {
            return self.script_in_transaction(step, script);
        }
        self.script_by_statement(step, script, transactional)
    }

    /// The whole script and its journal record commit together, or not at all.
    fn script_in_transaction(&mut self, step: &Step, script: &LoadedScript) -> StepResult {
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
    fn script_by_statement(
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

    fn record_version(&mut self, step: &Step, release: &Version) -> StepResult {
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

    fn items(&mut self, step: &Step) -> StepResult {
        let StepKind::Items { index } = step.kind else {
            unreachable!()
        };
        let item = &self.req.package.items[index];
        let Some(query) = item.query.get(self.db.rdbms()) else {
            return StepResult::Failed(format!(
                "per-item step '{}' has no query for this RDBMS",
                item.name
            ));
        };
        let rows = match self.db.query(query) {
            Ok(r) => r,
            Err(e) => {
                return StepResult::Failed(format!("per-item query of '{}' failed: {e}", item.name))
            }
        };
        let script = &self.prepared.scripts[&step.key];
        let ok = match Journal::new(self.db).items_ok(&step.key) {
            Ok(ok) => ok,
            Err(e) => return StepResult::Failed(e.to_string()),
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
                    if let Err(je) =
                        Journal::new(self.db).record_item(&step.key, &id, &name, Some(e))
                    {
                        return StepResult::Failed(format!("cannot record item {id}: {je}"));
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
        let failed = match Journal::new(self.db).failed_items(&step.key) {
            Ok(f) => f,
            Err(e) => return StepResult::Failed(e.to_string()),
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
    fn one_item(
        &mut self,
        key: &str,
        columns: &[String],
        row: &[Value],
        script: &LoadedScript,
        id: &str,
        name: &str,
    ) -> Option<String> {
        let literal = |n: &str| {
            columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(n))
                .map(|i| self.db.quote(&row[i]))
        };
        let mut sqls = Vec::with_capacity(script.statements.len());
        for stmt in &script.statements {
            match fill(&stmt.sql, literal) {
                Ok(s) => sqls.push((stmt.line, s)),
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
        for (line, sql) in &sqls {
            if let Err(e) = self.db.execute(sql) {
                let _ = self.db.rollback();
                return Some(format!("{}, line {line}: {e}", script.path.display()));
            }
        }
        let r = Journal::new(self.db).record_item(key, id, name, None);
        match r.and_then(|_| self.db.commit()) {
            Ok(()) => None,
            Err(e) => {
                let _ = self.db.rollback();
                Some(e.to_string())
            }
        }
    }

    fn tests(&mut self, step: &Step) -> StepResult {
        let tests = &self.req.package.tests;
        let mut failures = Vec::new();
        for (i, test) in tests.iter().enumerate() {
            self.progress(i as u64, tests.len() as u64);
            let cancel = self.cancel.clone();
            let mut notes = Vec::new();
            let r = checks::run_test(
                self.db,
                test,
                &self.req.package.dir,
                &mut |n| notes.push(n),
                &|| cancel.is_cancelled(),
            );
            for n in notes {
                self.rep.info(format!("  {n}"));
            }
            if self.cancel.is_cancelled() {
                return StepResult::Interrupted;
            }
            match r {
                Ok(()) => self.rep.info(format!("  passed: {}", test.name)),
                Err(e) => {
                    self.rep.error(format!("  FAILED: {}: {e}", test.name));
                    failures.push(test.name.clone());
                }
            }
        }
        if !failures.is_empty() {
            return StepResult::Failed(format!(
                "post-upgrade test(s) failed: {}",
                failures.join(", ")
            ));
        }
        self.finish(step, None, StepResult::Done(None))
    }

    fn progress(&mut self, done: u64, total: u64) {
        self.rep.emit(Event::Progress {
            index: self.index,
            done,
            total,
        });
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

/// A file-name-safe name for the database's backups.
fn backup_name(target: &str) -> String {
    let base = std::path::Path::new(target)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".into());
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    if clean.is_empty() {
        "database".into()
    } else {
        clean
    }
}
