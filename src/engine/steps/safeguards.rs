//! Preflight checks, the backup, violation reports and post-upgrade tests.

use std::time::Instant;

use super::{StepCx, StepError, StepResult};
use crate::engine::checks::{self, CheckError};
use crate::engine::events::Event;
use crate::engine::journal::Journal;
use crate::fsutil;
use crate::package::Version;
use crate::plan::Step;

impl StepCx<'_> {
    pub(super) fn preflight(&mut self, step: &Step) -> StepResult {
        let checks = &self.req.package.preflight;
        let mut problems = Vec::new();
        for (i, check) in checks.iter().enumerate() {
            self.progress(i as u64, checks.len() as u64);
            match checks::run_check(self.db, check, &self.req.package.dir, &mut *self.rep) {
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
                Err(CheckError::Locked(why)) => return locked("preflight checks", &why),
                Err(CheckError::Failed(e)) => {
                    self.rep.error(format!("  FAILED: {e}"));
                    problems.push(check.name.clone());
                }
            }
        }
        if !problems.is_empty() {
            return stopped(format!(
                "preflight check(s) failed: {}; see UPGRADE.LOG for what to do",
                problems.join(", ")
            ));
        }
        self.finish(step, None, StepResult::Done(None))
    }

    pub(super) fn backup(&mut self, step: &Step, from: &Version) -> StepResult {
        if let Some(reason) = self.req.backup.skip_reason() {
            // The journal keeps the operator's reason where the backup's file would be,
            // so the report and `upwiz history` say there is no upwiz backup, and why.
            let said = crate::engine::BackupChoice::describe_skipped(reason);
            self.rep.warn(said.clone());
            let detail = crate::engine::history::skipped_backup_detail(reason);
            return self.finish(step, Some(&detail), StepResult::Warned(said));
        }
        let dir = self.req.dirs.backup_dir.clone();
        if let Err(e) = fsutil::private_dir(&dir) {
            return stopped(format!(
                "cannot create the backup directory {}: {e}",
                dir.display()
            ));
        }
        // The database's id tells apart two databases of one name (two app.db files, two
        // databases on one server); the run id two backups of one database. A backup
        // is never overwritten: a name that is taken fails the step.
        let mut stem = format!(
            "{}-{from}-{}-{}",
            backup_name(&self.req.spec.redacted()),
            crate::engine::state_file::database_id(&self.req.spec),
            self.run_id
        );
        // A run that stopped between writing its backup and recording it finds that
        // backup under this name: it is kept, and the new one gets a name of its own.
        if self.recovering {
            stem = free_stem(&dir, &stem);
        }
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
                self.rep.info(format!(
                    "Backup written: {} ({} bytes, {})",
                    info.path.display(),
                    info.bytes,
                    info.verified
                ));
                // Computed once, now: the report and `upwiz backups` quote it, and a
                // restore can tell the file is still the one that was written.
                let computed = info.sha256.clone().ok_or(());
                let sha256 =
                    match computed.or_else(|()| crate::engine::history::sha256_file(&info.path)) {
                        Ok(s) => s,
                        Err(e) => {
                            return stopped(format!(
                                "cannot read the backup {} back: {e}",
                                info.path.display()
                            ))
                        }
                    };
                self.rep.info(format!("Backup SHA-256: {sha256}"));
                self.summary.backups.push(info.path.clone());
                let shown = info.path.display().to_string();
                let detail = crate::engine::history::backup_detail(&info, &sha256);
                self.finish(step, Some(&detail), StepResult::Done(Some(shown)))
            }
            Err(e) => stopped(format!("backup failed: {e}")),
        }
    }

    pub(super) fn violations_before(&mut self, step: &Step, version: &Version) -> StepResult {
        let pkg = &self.req.package;
        let found = match checks::violations_reporting(self.db, pkg, version, &mut *self.rep) {
            Ok(v) => v,
            Err(e) => return stopped(format!("the violation report could not run: {e}")),
        };
        let lines: Vec<String> = found.iter().map(checks::describe).collect();
        let path = crate::engine::runner::report_path(
            &self.req.dirs.log_dir,
            self.run_id,
            &format!("{version}-before"),
        );
        if let Err(e) = checks::write_report(
            &path,
            &format!("Violations in the source database ({version})"),
            &lines,
        ) {
            return stopped(format!("cannot write the report {}: {e}", path.display()));
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
            return stopped(format!(
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

    pub(super) fn violations_after(
        &mut self,
        step: &Step,
        from: &Version,
        to: &Version,
    ) -> StepResult {
        let pkg = &self.req.package;
        let found = match checks::violations_reporting(self.db, pkg, to, &mut *self.rep) {
            Ok(v) => v,
            Err(e) => return stopped(format!("the violation report could not run: {e}")),
        };
        let lines: Vec<String> = found.iter().map(checks::describe).collect();
        let before_key = step
            .key
            .sibling(crate::plan::LegPart::ViolationsBefore)
            .map(|k| k.to_string())
            .unwrap_or_default();
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
        let path = crate::engine::runner::report_path(
            &self.req.dirs.log_dir,
            self.run_id,
            &format!("{to}-after"),
        );
        if let Err(e) = checks::write_report(
            &path,
            &format!("Violations in the target database ({to})"),
            &report,
        ) {
            return stopped(format!("cannot write the report {}: {e}", path.display()));
        }
        self.summary.reports.push(path.clone());
        // Kept for the upgrade report, which shows before, after and the difference.
        let detail = serde_json::to_string(&lines).unwrap_or_default();
        if new.is_empty() {
            self.rep
                .info(format!("No new violations. Report: {}", path.display()));
            return self.finish(step, Some(&detail), StepResult::Done(None));
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
        self.finish(step, Some(&detail), StepResult::Warned(note))
    }

    pub(super) fn tests(&mut self, step: &Step) -> StepResult {
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
                &mut *self.rep,
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
                Err(CheckError::Locked(why)) => return locked("post-upgrade tests", &why),
                Err(CheckError::Failed(e)) => {
                    self.rep.error(format!("  FAILED: {}: {e}", test.name));
                    failures.push(test.name.clone());
                }
            }
        }
        if !failures.is_empty() {
            return stopped(format!(
                "post-upgrade test(s) failed: {}",
                failures.join(", ")
            ));
        }
        self.finish(step, None, StepResult::Done(None))
    }
}

/// Checks that could not run because another program locks the database: that is
/// the failure, not the checks, which found nothing either way.
fn locked(what: &str, why: &str) -> StepResult {
    stopped(format!("the {what} could not run: {why}"))
}

/// `stem`, or `stem-2`, `stem-3`, ...: the first that no file in `dir` is named after.
fn free_stem(dir: &std::path::Path, stem: &str) -> String {
    let taken: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let used = |s: &str| taken.iter().any(|n| n.starts_with(&format!("{s}.")));
    (1..)
        .map(|n| {
            if n == 1 {
                stem.to_string()
            } else {
                format!("{stem}-{n}")
            }
        })
        .find(|s| !used(s))
        .unwrap_or_else(|| stem.to_string())
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

/// A safeguard stopped the run: preflight checks, the backup, a violation report or the
/// post-upgrade tests.
fn stopped(why: String) -> StepResult {
    StepResult::Failed(StepError::Safeguard(why))
}

#[cfg(test)]
mod tests {
    use super::free_stem;

    #[test]
    fn a_backup_left_by_an_interrupted_attempt_keeps_its_name() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_stem(dir.path(), "app-9.0-id-run"), "app-9.0-id-run");
        std::fs::write(dir.path().join("app-9.0-id-run.sqlite"), "").unwrap();
        std::fs::write(dir.path().join(".app-9.0-id-run-2.sqlite.partial"), "").unwrap();
        assert_eq!(free_stem(dir.path(), "app-9.0-id-run"), "app-9.0-id-run-2");
    }
}
