//! What a run leaves behind besides the database: its upgrade report, the state file
//! that mirrors its steps for the wizard's first screen, and the record of a stop.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::super::events::{Event, Outcome, StepStatus};
use super::super::journal::{Journal, RunState};
use super::super::log::now_iso;
use super::super::prepare::Prepared;
use super::super::session::LockedSession;
use super::super::state_file::{self, StateFile};
use super::absorb::step_version;
use super::Runner;
use crate::db::Database;
use crate::plan::{Step, StepKey};

impl Runner<'_> {
    /// Writes the upgrade report of the run next to UPGRADE.LOG, from the journal, and
    /// adds it to the summary's reports. A report that cannot be written is a warning:
    /// the upgrade itself is done or stopped either way.
    pub(super) fn write_report(&mut self, locked: &mut LockedSession, stopped_at: Option<String>) {
        let Some(run_id) = self.run_id.clone() else {
            return;
        };
        let path = super::super::report::path_for(
            &self.req.dirs.log_dir,
            &run_id,
            super::super::report::Format::Markdown,
        );
        let built = super::super::report::build(
            locked.db(),
            &self.req.package,
            &self.req.spec,
            Some(&run_id),
            &self.summary.warnings,
        );
        let written = match built {
            Ok(Some(mut r)) => {
                r.stopped_at = stopped_at;
                super::super::report::write(&path, &r, super::super::report::Format::Markdown)
                    .map_err(|e| e.to_string())
            }
            Ok(None) => Err("the journal has no record of the run".into()),
            Err(e) => Err(e.to_string()),
        };
        match written {
            Ok(()) => {
                self.rep.info(format!("Upgrade report: {}", path.display()));
                self.summary.reports.push(path);
            }
            Err(e) => self.rep.warn(format!(
                "cannot write the upgrade report {}: {e}",
                path.display()
            )),
        }
    }

    /// Reports the version step a script's transaction did, as if it had run alone.
    pub(super) fn report_absorbed(&mut self, index: usize, step: &Step, total: usize) {
        self.rep
            .info(format!("Step {}/{total}: {}", index + 1, step.title));
        self.rep.emit(Event::StepStarted {
            index,
            title: step.title.clone(),
        });
        if let Some(v) = step_version(step) {
            self.rep
                .info(format!("The database is now at version {v}."));
            self.summary.reached = Some(v);
        }
        self.rep.emit(Event::StepFinished {
            index,
            status: StepStatus::Done,
            elapsed: Duration::ZERO,
            message: None,
        });
    }

    pub(super) fn stop(
        &mut self,
        db: &mut dyn Database,
        run_id: &str,
        prepared: &Prepared,
        done: &HashSet<StepKey>,
        state_path: &std::path::Path,
    ) -> Outcome {
        let _ = Journal::new(db).set_state(run_id, RunState::Interrupted, Some("interrupted"));
        self.mirror(
            state_path,
            prepared,
            run_id,
            RunState::Interrupted,
            done,
            None,
            None,
        );
        Outcome::Interrupted {
            signal: self.cancel.signal(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn mirror(
        &mut self,
        path: &std::path::Path,
        prepared: &Prepared,
        run_id: &str,
        state: RunState,
        done: &HashSet<StepKey>,
        current: Option<&Step>,
        error: Option<&str>,
    ) {
        let file = StateFile {
            product: self.req.package.product.name.clone(),
            package: self.req.package.dir.clone(),
            rdbms: self.req.spec.rdbms,
            target: self.req.spec.redacted(),
            run_id: run_id.to_string(),
            from: prepared.route.from.to_string(),
            to: prepared.route.to.to_string(),
            state,
            completed_steps: prepared
                .steps
                .iter()
                .filter(|s| done.contains(&s.key))
                .map(|s| s.key.to_string())
                .collect(),
            total_steps: prepared.steps.len(),
            current_step: current.map(|s| s.title.clone()),
            error: error.map(str::to_string),
            // The run's own log: what a follower shows is this run's lines alone.
            log_path: self.rep.run_path().unwrap_or(self.rep.path()).to_path_buf(),
            updated_at: now_iso(),
        };
        self.mirrored = Some(Instant::now());
        if let Err(e) = state_file::write(path, &file) {
            self.rep.write_line(
                super::super::events::Level::Warn,
                &format!("cannot write the state file {}: {e}", path.display()),
            );
        }
    }
}
