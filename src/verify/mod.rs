//! `upwiz package verify`: a package proved on scratch databases. Every baseline and
//! every release a baseline reaches is installed and upgraded to the newest release by
//! the same engine `upwiz install` and `upwiz run` use, and each result's schema is
//! compared with a fresh install of the newest release (or, when that has no baseline,
//! with the route from the newest baseline).

pub mod compare;
pub mod read;
pub mod routes;
pub mod schema;
mod scratch;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::db::{self, ConnectSpec, OpenMode};
use crate::engine::{self, CancelToken, Outcome, RunRequest};
use crate::package::{Package, Version};
use crate::paths::Dirs;
use crate::rdbms::Rdbms;
use routes::{Reference, RoutePlan};
use schema::Schema;
pub use scratch::ScratchPlace;

#[derive(Debug, Clone)]
pub struct VerifyRequest {
    pub package: Arc<Package>,
    pub rdbms: Rdbms,
    pub scratch: ScratchPlace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteStatus {
    /// What the others are compared with.
    Reference,
    Same,
    Differs,
    /// A run failed, or the planner refused the route.
    Failed,
    /// Not run: the reference failed, or verify was stopped.
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteResult {
    /// The version a database starts the route at.
    pub start: String,
    /// "9.0 -> 10.1 -> 11.0", or two runs: "9.0 -> 9.1, then 9.1 -> 10.1 -> 11.0".
    pub route: String,
    pub result: RouteStatus,
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    pub differences: Vec<String>,
    /// Index names that differ: not failures.
    pub notes: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub product: String,
    pub rdbms: Rdbms,
    pub newest: String,
    /// What the routes were compared with: "a fresh 11.0 install", or the route from
    /// the newest baseline.
    pub reference: String,
    /// False when the newest release has no baseline of its own.
    pub fresh_reference: bool,
    pub routes: Vec<RouteResult>,
    /// Scratch databases or files that could not be removed.
    pub cleanup_errors: Vec<String>,
    /// Post-upgrade tests that verify leaves out: HTTP and command tests check the
    /// application's servers, which work on the real database, not on a scratch one.
    pub tests_not_run: Vec<String>,
    /// The signal that stopped verify, if one did.
    #[serde(skip)]
    pub interrupted: Option<i32>,
}

impl Verification {
    /// 0 every route ends as the reference, 1 one differs or failed, 128 + n when a
    /// signal stopped verify.
    pub fn exit_code(&self) -> i32 {
        if let Some(sig) = self.interrupted {
            return 128 + sig;
        }
        let bad = self
            .routes
            .iter()
            .any(|r| matches!(r.result, RouteStatus::Differs | RouteStatus::Failed));
        i32::from(bad || !self.cleanup_errors.is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Nothing was run (exit 2).
    #[error("{0}")]
    BadInput(String),
}

/// Why a route did not reach the end.
enum Stop {
    Failed(String),
    /// No scratch database could be made: before any route ran, bad input.
    CannotCreate(String),
    Interrupted(Option<i32>),
}

/// Runs every route; `on_route` hears of each as it ends.
pub fn verify(
    req: &VerifyRequest,
    cancel: &CancelToken,
    on_route: &mut dyn FnMut(&RouteResult),
) -> Result<Verification, VerifyError> {
    let package = &req.package;
    let (reference, mut plans) = routes::routes(package, req.rdbms).ok_or_else(|| {
        VerifyError::BadInput(format!(
            "the package has no {} baseline: there is nothing verify can install; add a [[baseline]] with a {} script",
            req.rdbms.key(),
            req.rdbms.key()
        ))
    })?;
    let newest = package.newest().clone();
    let mut scratches = scratch::Scratches::open(&req.scratch).map_err(VerifyError::BadInput)?;
    let (scratch_package, tests_not_run) = for_scratch(package);
    let mut runner = Runner {
        package: Arc::new(scratch_package),
        scratches: &mut scratches,
        cancel,
        runs: 0,
    };
    let (ref_start, ref_label, ref_phrase, reference_text) = match &reference {
        Reference::Fresh(v) => (
            v.clone(),
            format!("fresh install of {v}"),
            format!("in a fresh {v} install"),
            format!("a fresh {v} install"),
        ),
        Reference::Route(b) => {
            let at = plans
                .iter()
                .position(|p| p.baseline == *b && p.stop.is_none())
                .expect("routes() plans a route from every baseline");
            let label = plans[at].label.clone();
            (
                b.clone(),
                label.clone(),
                format!("after the route {label}"),
                format!("the route {label} from the newest baseline {b}"),
            )
        }
    };
    let declared = package
        .release(&newest)
        .map(|r| r.columns.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let made = match &reference {
        Reference::Fresh(v) => runner.route(v, &[]),
        Reference::Route(b) => {
            let plan = plans.remove(
                plans
                    .iter()
                    .position(|p| p.baseline == *b && p.stop.is_none())
                    .expect("found above"),
            );
            match plan.refused {
                Some(e) => Err(Stop::Failed(e)),
                None => runner.route(b, &[None]),
            }
        }
    };
    let mut out = Verification {
        product: package.product.name.clone(),
        rdbms: req.rdbms,
        newest: newest.to_string(),
        reference: reference_text,
        fresh_reference: matches!(reference, Reference::Fresh(_)),
        routes: Vec::new(),
        cleanup_errors: Vec::new(),
        tests_not_run,
        interrupted: None,
    };
    let mut row = RouteResult {
        start: ref_start.to_string(),
        route: ref_label,
        result: RouteStatus::Reference,
        elapsed: started.elapsed(),
        differences: Vec::new(),
        notes: Vec::new(),
        error: None,
    };
    if let Err(Stop::CannotCreate(e)) = made {
        return Err(VerifyError::BadInput(e));
    }
    let want: Option<Schema> = match made {
        Ok(s) => {
            let place = match &reference {
                Reference::Fresh(_) => "in the fresh install",
                Reference::Route(_) => "after the upgrade",
            };
            row.differences = compare::declared_missing(&s, &declared, newest.as_str(), place);
            if !row.differences.is_empty() {
                row.result = RouteStatus::Differs;
            }
            Some(s)
        }
        Err(Stop::Failed(e) | Stop::CannotCreate(e)) => {
            row.result = RouteStatus::Failed;
            row.error = Some(e);
            None
        }
        Err(Stop::Interrupted(sig)) => {
            out.interrupted = Some(sig.unwrap_or(libc::SIGINT));
            row.result = RouteStatus::NotRun;
            row.error = Some("stopped by a signal".into());
            None
        }
    };
    on_route(&row);
    out.routes.push(row);
    for plan in plans {
        let result = match (&want, out.interrupted) {
            (Some(want), None) => {
                run_plan(&mut runner, &plan, want, &ref_phrase, &declared, &newest)
            }
            (None, _) | (_, Some(_)) => RouteResult {
                start: plan.start.to_string(),
                route: plan.label.clone(),
                result: RouteStatus::NotRun,
                elapsed: Duration::ZERO,
                differences: Vec::new(),
                notes: Vec::new(),
                error: Some(match out.interrupted {
                    Some(_) => "not run: verify was stopped".into(),
                    None => "not run: the reference could not be made".into(),
                }),
            },
        };
        if result.result == RouteStatus::NotRun && out.interrupted.is_none() && want.is_some() {
            out.interrupted = Some(cancel.signal().unwrap_or(libc::SIGINT));
        }
        on_route(&result);
        out.routes.push(result);
    }
    out.cleanup_errors = scratches.finish();
    Ok(out)
}

fn run_plan(
    runner: &mut Runner,
    plan: &RoutePlan,
    want: &Schema,
    reference: &str,
    declared: &std::collections::BTreeMap<String, Vec<String>>,
    newest: &Version,
) -> RouteResult {
    let started = Instant::now();
    let mut row = RouteResult {
        start: plan.start.to_string(),
        route: plan.label.clone(),
        result: RouteStatus::Same,
        elapsed: Duration::ZERO,
        differences: Vec::new(),
        notes: Vec::new(),
        error: None,
    };
    let made = match &plan.refused {
        Some(e) => Err(Stop::Failed(format!("the planner refuses this route: {e}"))),
        None => match &plan.stop {
            Some(stop) => runner.route(&plan.baseline, &[Some(stop.as_str()), None]),
            None => runner.route(&plan.baseline, &[None]),
        },
    };
    row.elapsed = started.elapsed();
    match made {
        Ok(got) => {
            let c = compare::compare(&got, want, reference);
            row.differences = c.differences;
            row.differences.extend(compare::declared_missing(
                &got,
                declared,
                newest.as_str(),
                "after the upgrade",
            ));
            row.notes = c.notes;
            if !row.differences.is_empty() {
                row.result = RouteStatus::Differs;
            }
        }
        Err(Stop::Failed(e) | Stop::CannotCreate(e)) => {
            row.result = RouteStatus::Failed;
            row.error = Some(e);
        }
        Err(Stop::Interrupted(_)) => {
            row.result = RouteStatus::NotRun;
            row.error = Some("stopped by a signal".into());
        }
    }
    row
}

struct Runner<'a> {
    package: Arc<Package>,
    scratches: &'a mut scratch::Scratches,
    cancel: &'a CancelToken,
    /// Scratch databases made so far.
    runs: usize,
}

impl Runner<'_> {
    /// Installs `baseline` on a new scratch database, runs upgrades to each of
    /// `targets` in turn (None: the newest release) as `upwiz run --yes` would, reads
    /// the schema and drops the database.
    fn route(&mut self, baseline: &Version, targets: &[Option<&str>]) -> Result<Schema, Stop> {
        if self.cancel.is_cancelled() {
            return Err(Stop::Interrupted(self.cancel.signal()));
        }
        let spec = self.scratches.create().map_err(Stop::CannotCreate)?;
        self.runs += 1;
        let result = self.go(&spec, baseline, targets);
        let dropped = self.scratches.remove(&spec);
        let _ = std::fs::remove_dir_all(self.scratches.run_dir(self.runs));
        match (result, dropped) {
            (Ok(s), Ok(())) => Ok(s),
            (Ok(_), Err(e)) => Err(Stop::Failed(e)),
            (Err(e), _) => Err(e),
        }
    }

    fn go(
        &mut self,
        spec: &ConnectSpec,
        baseline: &Version,
        targets: &[Option<&str>],
    ) -> Result<Schema, Stop> {
        let base = self.scratches.run_dir(self.runs);
        let dirs = Dirs {
            state_dir: base.clone(),
            log_dir: base.clone(),
            backup_dir: base.join("backups"),
        };
        crate::fsutil::private_dir(&dirs.backup_dir).map_err(|e| {
            Stop::Failed(format!("cannot create {}: {e}", dirs.backup_dir.display()))
        })?;
        let installed = engine::install(
            &self.package,
            spec,
            Some(baseline.as_str()),
            &dirs,
            Box::new(|_| {}),
        );
        if let Some(why) = failure(&installed.outcome) {
            return Err(Stop::Failed(format!(
                "the install of baseline {baseline} failed: {why}"
            )));
        }
        let mut from = baseline.to_string();
        for target in targets {
            if self.cancel.is_cancelled() {
                return Err(Stop::Interrupted(self.cancel.signal()));
            }
            let run = RunRequest {
                package: self.package.clone(),
                spec: spec.clone(),
                target: target.map(str::to_string),
                dirs: dirs.clone(),
                // The reports are written, but a verify is about the schema: a baseline's
                // sample data with violations must not stop it.
                accept_violations: true,
                checklist_confirmed: true,
                confirmed: None,
                backup: Default::default(),
                stage: None,
            };
            let report = engine::run(&run, Box::new(|_| {}), self.cancel);
            let to = target.map_or_else(|| self.package.newest().to_string(), str::to_string);
            if let Outcome::Interrupted { signal } = report.outcome {
                return Err(Stop::Interrupted(signal));
            }
            if let Some(why) = failure(&report.outcome) {
                return Err(Stop::Failed(format!(
                    "the run {from} -> {to} failed: {why}"
                )));
            }
            from = to;
        }
        let mut db = db::open(spec, OpenMode::Existing)
            .map_err(|e| Stop::Failed(format!("cannot read the upgraded scratch database: {e}")))?;
        read::read(db.as_mut())
            .map_err(|e| Stop::Failed(format!("cannot read the schema from the catalog: {e}")))
    }
}

/// The package as routes on scratch databases run it: only its SQL tests. An HTTP or
/// command test asks the application's servers, which use the real database: on a
/// scratch database it would test the wrong thing, or fail for want of a server. For the
/// same reason a maintenance mode switched by a program is left out (it would lock the
/// live application out); one switched by SQL acts on the scratch database and stays.
fn for_scratch(package: &Package) -> (Package, Vec<String>) {
    let mut p = package.clone();
    if p.maintenance.as_ref().is_some_and(|m| m.runs_a_program()) {
        p.maintenance = None;
    }
    let (sql, other): (Vec<_>, Vec<_>) = p
        .tests
        .drain(..)
        .partition(|t| matches!(t.probe, crate::package::TestProbe::Sql { .. }));
    p.tests = sql;
    (p, other.into_iter().map(|t| t.name).collect())
}

/// What went wrong, in words, or None for a run that completed.
fn failure(o: &Outcome) -> Option<String> {
    match o {
        Outcome::Completed | Outcome::NothingToDo => None,
        Outcome::Failed { step, error } => Some(format!("at step '{step}': {error}")),
        Outcome::CompletedWithFailedItems { failed } => Some(format!(
            "{} item(s) failed: {}",
            failed.len(),
            failed
                .iter()
                .map(|f| format!("{} {} ({}): {}", f.step, f.id, f.name, f.error))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        Outcome::BadInput { error } => Some(error.clone()),
        Outcome::Locked { owner } => Some(format!("the scratch database was locked ({owner})")),
        Outcome::Busy { reason } => Some(reason.clone()),
        Outcome::Interrupted { .. } => Some("stopped by a signal".into()),
    }
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}
