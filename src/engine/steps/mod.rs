//! What each kind of step does, and how it records itself in the journal: the dispatch
//! here, the work by kind in the submodules.

pub(crate) mod catalog;
pub(crate) mod ddl;
mod error;
mod items;
mod safeguards;
mod scripts;
pub(crate) mod statement;

pub use error::StepError;
pub(crate) use scripts::is_data_statement;

use super::cancel::CancelToken;
use super::events::{Event, FailedItem, Summary};
use super::journal::{Journal, WHOLE_STEP};
use super::log::Reporter;
use super::prepare::Prepared;
use super::request::RunRequest;
use crate::db::Database;
use crate::plan::{Step, StepKind};

pub enum StepResult {
    Done(Option<String>),
    /// Completed, with findings for the summary.
    Warned(String),
    ItemsFailed(Vec<FailedItem>),
    Interrupted,
    Failed(StepError),
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
    /// Statement states in the journal now say exactly what was cut short; kept for
    /// the runner that sets it.
    #[allow(dead_code)]
    pub recovering: bool,
    /// The release's version step, when this step is the release's last script: a
    /// script run in one transaction records the version in that transaction too (one
    /// commit instead of two, and nothing between them for a crash to split), and
    /// sets `absorbed`.
    pub absorb: Option<&'a Step>,
    pub absorbed: &'a mut bool,
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
            StepKind::Maintenance { on } => super::maintenance::switch_step(&mut self, *on),
        }
    }

    pub(super) fn record(&mut self, step: &Step, detail: Option<&str>) -> Result<(), StepError> {
        Journal::new(self.db)
            .record(self.run_id, &step.key, WHOLE_STEP, None, detail)
            .map_err(|e| StepError::journal("record the step", e))
    }

    pub(super) fn finish(
        &mut self,
        step: &Step,
        detail: Option<&str>,
        result: StepResult,
    ) -> StepResult {
        match self.record(step, detail) {
            Ok(()) => result,
            Err(e) => StepResult::Failed(e),
        }
    }

    pub(super) fn progress(&mut self, done: u64, total: u64) {
        self.rep.emit(Event::Progress {
            index: self.index,
            done,
            total,
        });
    }
}
