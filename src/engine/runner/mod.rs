//! One run: connect, lock, then every step of the plan in order, each recorded in the
//! journal as it completes, so that a later run continues exactly where this one stopped.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::error::EngineError;
use super::events::{Event, FailedItem, Outcome, RunReport, StepStatus, Summary};
use super::journal::{Journal, RunRecord, RunState};
use super::lock;
use super::lock_wait::LockWait;
use super::log::{now_iso, Reporter};
use super::prepare::Prepared;
use super::request::RunRequest;
use super::session::{LockedSession, Session};
use super::state_file;
use super::steps::{StepCx, StepResult};
use crate::plan::StepKey;

mod absorb;
mod records;

use absorb::{absorbable, step_version};

/// How often, at most, the state file follows the steps of a running upgrade. It is a
/// mirror for the wizard's first screen; the journal in the database is the record, and
/// the state file is always written when a run stops, fails or completes.
const MIRROR_EVERY: Duration = Duration::from_secs(1);

/// Runs the upgrade `req` describes, reporting to `sink`, until it completes, fails,
/// or `cancel` asks it to stop at the next safe point.
pub fn run(req: &RunRequest, sink: super::events::Sink, cancel: &CancelToken) -> RunReport {
    run_waiting(req, None, sink, cancel)
}

/// `run`, waiting for the lock as `wait` allows while another live run holds it
/// (`run --wait-for-lock`), instead of ending as locked at once.
pub fn run_waiting(
    req: &RunRequest,
    wait: Option<LockWait>,
    sink: super::events::Sink,
    cancel: &CancelToken,
) -> RunReport {
    let started = Instant::now();
    // Child processes started for this run stop when it is cancelled.
    let _entered = cancel.enter();
    let (mut rep, log_err) = Reporter::open(&req.dirs.log_dir, sink);
    let mut summary = Summary {
        product: req.package.product.name.clone(),
        log_path: Some(rep.path().to_path_buf()),
        ..Summary::default()
    };
    let outcome = match log_err {
        Some(source) => Outcome::BadInput {
            error: EngineError::LogDir {
                dir: req.dirs.log_dir.display().to_string(),
                source,
            }
            .to_string(),
        },
        None => Runner {
            req,
            rep: &mut rep,
            cancel,
            summary: &mut summary,
            mirrored: None,
            run_id: None,
            wait,
        }
        .go(),
    };
    summary.duration = started.elapsed();
    match &outcome {
        Outcome::Completed => rep.info("The upgrade procedure completed successfully."),
        Outcome::NothingToDo => {}
        Outcome::CompletedWithFailedItems { failed } => rep.warn(format!(
            "The upgrade completed with {} failed item(s); fix them and run upwiz again to retry only those.",
            failed.len()
        )),
        Outcome::Failed { step, error } => rep.error(format!(
            "The upgrade failed at step '{step}': {error}. Fix the cause and run upwiz again: it continues where it left off."
        )),
        Outcome::Interrupted { .. } => rep.warn(
            "The upgrade was interrupted at a safe point. Run upwiz again: it continues where it left off.",
        ),
        Outcome::Locked { owner } => rep.error(format!("another upgrade of this database is running: {owner}")),
        Outcome::Busy { reason } => rep.error(reason.clone()),
        Outcome::BadInput { error } => rep.error(error.clone()),
    }
    let report = RunReport { outcome, summary };
    // Everything is in UPGRADE.LOG before a front end hears that the run is over.
    rep.flush();
    rep.emit(Event::Finished(report.clone()));
    report
}

struct Runner<'a> {
    req: &'a RunRequest,
    rep: &'a mut Reporter,
    cancel: &'a CancelToken,
    summary: &'a mut Summary,
    /// When the state file was last written.
    mirrored: Option<Instant>,
    /// The journal's id of the run, once it is known.
    run_id: Option<String>,
    /// Whether and how long to wait for a lock another run holds.
    wait: Option<LockWait>,
}

impl Runner<'_> {
    fn go(&mut self) -> Outcome {
        let pkg = &self.req.package;
        self.rep.info(format!(
            "upwiz {} upgrading {} with the package in {}",
            env!("CARGO_PKG_VERSION"),
            pkg.product.name,
            pkg.dir.display()
        ));
        self.rep.info(format!(
            "Connecting to {} database {}",
            self.req.spec.rdbms,
            self.req.spec.redacted()
        ));
        let mut session = match Session::connect(&self.req.spec, pkg.clone()) {
            Ok(s) => s,
            Err(e) => return bad(e),
        };
        // A stop cancels the statement in flight instead of waiting for it.
        let _attached = self.cancel.attach(session.db().canceller());
        if let Ok(v) = session.server_version() {
            self.rep.info(format!("Connected: {v}"));
        }
        // A look before the lock, so that bad input (a wrong target, a changed script)
        // is refused with the database untouched, and a database already at its
        // target is left alone. Not what runs: that plan is made again under the lock,
        // since another run may move the database before this one holds it.
        let preview = session
            .preview(self.req.target.as_deref())
            .and_then(|p| super::prepare::check_resume(&p).map(|_| p));
        match preview {
            // Another run is moving the database: what it looks like now decides nothing.
            Err(e) if self.wait.is_some() && super::lock_wait::in_flux(&mut session, &e) => {
                self.rep.info(format!(
                    "Another upgrade of this database is running ({e}); waiting for it before planning."
                ));
            }
            Err(e) if e.is_bad_input() => return bad(e),
            // A backup that cannot be written is refused before the lock is written.
            Ok(p) if backup_pending(&p) && self.req.backup.skip_reason().is_none() => {
                if let Err(e) = session.db().backup_preflight(&self.req.dirs.backup_dir) {
                    return bad(EngineError::Connect(e));
                }
            }
            Ok(p)
                if p.is_nothing_to_do()
                    && self.req.confirmed.is_none()
                    && !super::maintenance::pending_off(session.db(), pkg) =>
            {
                self.summary.from = Some(p.route.from.to_string());
                self.summary.to = Some(p.route.to.to_string());
                self.summary.reached = Some(p.installed.clone());
                self.rep.info(format!(
                    "The database is already at {} {}; there is nothing to do.",
                    pkg.product.name, p.installed
                ));
                return Outcome::NothingToDo;
            }
            _ => {}
        }
        let taken = super::lock_wait::take(session, self.wait, self.rep, self.cancel);
        let (mut locked, waited) = match taken {
            Ok(l) => l,
            Err(outcome) => return outcome,
        };
        if let Some(prev) = locked.took_over() {
            let note =
                format!("Took over the lock of an upgrade that is no longer running ({prev}).");
            self.rep.warn(note);
        }
        let prepared = match locked.plan(self.req.target.as_deref()) {
            Ok(p) => p,
            Err(e) if e.is_bad_input() => return bad(e),
            Err(e) => return failed("prepare", e.to_string()),
        };
        if let Some(refused) = super::lock_wait::failed_meanwhile(&prepared, waited) {
            return refused;
        }
        self.summary.from = Some(prepared.route.from.to_string());
        self.summary.to = Some(prepared.route.to.to_string());
        self.summary.reached = Some(prepared.installed.clone());
        for other in &prepared.others_unfinished {
            self.rep.warn(format!(
                "An unfinished upgrade of {} ({} -> {}, {}) is also in this database; it belongs to another product's package and is left alone.",
                other.product.as_deref().unwrap_or("another product"),
                other.from,
                other.to,
                other.state.as_str()
            ));
        }
        if let Some(shown) = &self.req.confirmed {
            if let Some(e) = shown.differs(&prepared) {
                return bad(e);
            }
        }
        if prepared.is_nothing_to_do() {
            if let Some(failed) = super::maintenance::off_if_left_on(locked.db(), pkg, self.rep) {
                return failed;
            }
            self.rep.info(format!(
                "The database is already at {} {}; there is nothing to do.",
                pkg.product.name, prepared.installed
            ));
            return Outcome::NothingToDo;
        }
        if !pkg.checklist.is_empty() && !self.req.checklist_confirmed {
            return bad(EngineError::BadInput(
                "the package's checklist has not been confirmed; review it (upwiz plan) and confirm with --yes".into(),
            ));
        }
        let outcome = self.execute(&mut locked, prepared);
        super::maintenance::say_if_left_on(locked.db(), pkg, &outcome, self.rep);
        let stopped_at = match &outcome {
            Outcome::Failed { step, .. } => Some(step.clone()),
            _ => None,
        };
        self.write_report(&mut locked, stopped_at);
        if let Err(e) = locked.release() {
            self.rep.warn(format!("Could not release the lock: {e}"));
        }
        outcome
    }

    fn execute(&mut self, locked: &mut LockedSession, prepared: Prepared) -> Outcome {
        let run_id = prepared
            .resume
            .as_ref()
            .map(|r| r.run_id.clone())
            .unwrap_or_else(|| locked.owner().run_id.clone());
        self.rep.set_run(&run_id);
        self.run_id = Some(run_id.clone());
        if prepared.resume.is_some() {
            // The backups earlier attempts of this upgrade made come first in the
            // result: the pre-upgrade one is the way back.
            if let Ok(entries) = Journal::new(locked.db()).entries(&run_id) {
                let earlier: Vec<PathBuf> = entries
                    .iter()
                    .filter_map(|e| super::history::parse_backup(&run_id, e))
                    .map(|b| b.path)
                    .collect();
                self.summary.backups.splice(0..0, earlier);
            }
        }
        self.steps(locked, &prepared, &run_id)
    }

    fn steps(&mut self, locked: &mut LockedSession, prepared: &Prepared, run_id: &str) -> Outcome {
        let me = locked.owner().clone();
        let resumed = prepared.resume.is_some();
        let start = {
            let mut j = Journal::new(locked.db());
            match &prepared.resume {
                Some(_) => j.set_state(run_id, RunState::Running, None),
                None => j.start_run(
                    &RunRecord {
                        run_id: run_id.to_string(),
                        product: Some(self.req.package.product.name.clone()),
                        from: prepared.route.from.to_string(),
                        to: prepared.route.to.to_string(),
                        state: RunState::Running,
                        started_at: now_iso(),
                        error: None,
                    },
                    &me.host,
                    me.pid,
                    &me.user,
                ),
            }
        };
        if let Err(e) = start {
            return failed("start the run", e.to_string());
        }
        // The stage gates of later stages compare this package's checksum with theirs.
        if let Err(e) = crate::stages::marks::record_run(
            locked.db(),
            run_id,
            &self.req.package,
            self.req.stage.as_ref(),
        ) {
            return failed("start the run", e);
        }
        if resumed {
            self.rep.info(format!(
                "Continuing the unfinished upgrade {} where it left off ({} of {} steps already done).",
                prepared.route.describe(),
                prepared.done.len(),
                prepared.steps.len()
            ));
        } else {
            self.rep
                .info(format!("Upgrade route: {}", prepared.route.describe()));
        }
        self.rep.emit(Event::Planned {
            run_id: run_id.to_string(),
            route: prepared.route.describe(),
            steps: prepared.step_infos(),
            resumed,
            log_path: self.rep.path().to_path_buf(),
        });

        let state_path = state_file::path_for(&self.req.dirs.state_dir, &self.req.spec);
        let mut done: HashSet<StepKey> = prepared.done.clone();
        let mut failed_items: Vec<FailedItem> = Vec::new();
        let total = prepared.steps.len();
        let mut recovering = resumed;
        // The lock was taken with a fresh heartbeat.
        let mut beat = Instant::now();
        // A version step done in its script's transaction, already reported.
        let mut absorbed_index = None;
        for (index, step) in prepared.steps.iter().enumerate() {
            if absorbed_index == Some(index) {
                continue;
            }
            if self.cancel.is_cancelled() {
                return self.stop(locked.db(), run_id, prepared, &done, &state_path);
            }
            if done.contains(&step.key) {
                self.rep.emit(Event::StepStarted {
                    index,
                    title: step.title.clone(),
                });
                self.rep.emit(Event::StepFinished {
                    index,
                    status: StepStatus::Skipped,
                    elapsed: Default::default(),
                    message: Some("done by an earlier run".into()),
                });
                continue;
            }
            // Tests hold a run here, under its lock, between two steps.
            super::pause::point(&format!("step:{}", step.key.to_string().replace('/', "_")));
            if beat.elapsed() >= lock::HEARTBEAT_EVERY {
                locked.heartbeat();
                beat = Instant::now();
            }
            if self.mirrored.is_none_or(|t| t.elapsed() >= MIRROR_EVERY) {
                self.mirror(
                    &state_path,
                    prepared,
                    run_id,
                    RunState::Running,
                    &done,
                    Some(step),
                    None,
                );
            }
            self.rep
                .info(format!("Step {}/{total}: {}", index + 1, step.title));
            self.rep.emit(Event::StepStarted {
                index,
                title: step.title.clone(),
            });
            let t0 = Instant::now();
            let absorb = absorbable(prepared, index, &done);
            let mut absorbed = false;
            let result = StepCx {
                db: locked.db(),
                req: self.req,
                rep: self.rep,
                cancel: self.cancel,
                run_id,
                index,
                prepared,
                summary: self.summary,
                recovering,
                absorb,
                absorbed: &mut absorbed,
            }
            .run(step);
            recovering = false;
            let elapsed = t0.elapsed();
            // A statement or program cancelled by a stop fails: that failure is the stop.
            let result = match result {
                StepResult::Failed(_) if self.cancel.is_cancelled() => StepResult::Interrupted,
                r => r,
            };
            match result {
                StepResult::Done(message) => {
                    done.insert(step.key.clone());
                    if let Some(v) = step_version(step) {
                        self.summary.reached = Some(v);
                    }
                    self.rep.emit(Event::StepFinished {
                        index,
                        status: StepStatus::Done,
                        elapsed,
                        message,
                    });
                    if let Some(next) = absorb.filter(|_| absorbed) {
                        self.report_absorbed(index + 1, next, total);
                        done.insert(next.key.clone());
                        absorbed_index = Some(index + 1);
                    }
                }
                StepResult::Warned(message) => {
                    done.insert(step.key.clone());
                    self.summary.warnings.push(message.clone());
                    self.rep.emit(Event::StepFinished {
                        index,
                        status: StepStatus::Warned,
                        elapsed,
                        message: Some(message),
                    });
                }
                StepResult::ItemsFailed(items) => {
                    self.rep.emit(Event::StepFinished {
                        index,
                        status: StepStatus::Warned,
                        elapsed,
                        message: Some(format!("{} item(s) failed", items.len())),
                    });
                    failed_items.extend(items);
                }
                StepResult::Interrupted => {
                    self.rep.emit(Event::StepFinished {
                        index,
                        status: StepStatus::Failed,
                        elapsed,
                        message: Some("interrupted".into()),
                    });
                    return self.stop(locked.db(), run_id, prepared, &done, &state_path);
                }
                StepResult::Failed(error) => {
                    // One sentence from here on: the event, the journal, the outcome.
                    let error = error.to_string();
                    self.rep.emit(Event::StepFinished {
                        index,
                        status: StepStatus::Failed,
                        elapsed,
                        message: Some(error.clone()),
                    });
                    let _ =
                        Journal::new(locked.db()).set_state(run_id, RunState::Failed, Some(&error));
                    self.mirror(
                        &state_path,
                        prepared,
                        run_id,
                        RunState::Failed,
                        &done,
                        Some(step),
                        Some(&error),
                    );
                    return Outcome::Failed {
                        step: step.title.clone(),
                        error,
                    };
                }
            }
            let leg_ends = prepared
                .steps
                .get(index + 1)
                .is_none_or(|next| next.leg != step.leg);
            if leg_ends && !failed_items.is_empty() {
                let note = format!("{} item(s) failed", failed_items.len());
                let _ = Journal::new(locked.db()).set_state(
                    run_id,
                    RunState::CompletedWithFailedItems,
                    Some(&note),
                );
                self.mirror(
                    &state_path,
                    prepared,
                    run_id,
                    RunState::CompletedWithFailedItems,
                    &done,
                    None,
                    Some(&note),
                );
                return Outcome::CompletedWithFailedItems {
                    failed: failed_items,
                };
            }
        }
        if let Err(e) = Journal::new(locked.db()).set_state(run_id, RunState::Completed, None) {
            return failed("finish the run", e.to_string());
        }
        self.mirror(
            &state_path,
            prepared,
            run_id,
            RunState::Completed,
            &done,
            None,
            None,
        );
        Outcome::Completed
    }
}

fn backup_pending(p: &Prepared) -> bool {
    p.steps
        .iter()
        .any(|s| s.kind == crate::plan::StepKind::Backup && !p.done.contains(&s.key))
}

fn bad(e: EngineError) -> Outcome {
    Outcome::BadInput {
        error: e.to_string(),
    }
}

fn failed(step: &str, error: String) -> Outcome {
    Outcome::Failed {
        step: step.to_string(),
        error,
    }
}

pub(super) fn new_run_id() -> String {
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%3fZ"),
        std::process::id()
    )
}

/// Where this run's reports go.
pub fn report_path(dir: &std::path::Path, run_id: &str, what: &str) -> PathBuf {
    dir.join(format!("violations-{run_id}-{what}.txt"))
}
