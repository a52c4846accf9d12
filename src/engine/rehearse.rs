//! A rehearsal: the database copied into a scratch database (a SQLite file made with
//! the backup API, or a temporary database on the same server filled from a fresh
//! dump), the whole upgrade run there by the same engine as a real run, with files
//! of its own, and the time of each step reported as the downtime to expect. The real
//! database is only read: no lock is taken on it and nothing is written to it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::cancel::CancelToken;
use super::events::{Event, FailedItem, Level, Outcome, RunReport, Sink, StepStatus};
use super::request::RunRequest;
use super::session::Session;
use crate::db::{self, ConnectSpec, Database};
use crate::package::{Package, Version};
use crate::paths::Dirs;
use crate::rdbms::Rdbms;

/// What to rehearse: the real database and the options a real run would be given.
#[derive(Debug, Clone)]
pub struct RehearseRequest {
    pub package: Arc<Package>,
    /// The real database; only read.
    pub spec: ConnectSpec,
    /// None: the newest release.
    pub target: Option<String>,
    /// The real run's directories: the rehearsal works under `state_dir/rehearse/<id>`.
    pub dirs: Dirs,
    pub accept_violations: bool,
    /// Leave the scratch copy in place (its connect string is reported).
    pub keep: bool,
}

/// The time one step took on the copy.
#[derive(Debug, Clone, Serialize)]
pub struct StepTime {
    pub index: usize,
    pub key: String,
    pub title: String,
    /// The leg it belongs to, e.g. "9.0 -> 10.1".
    pub leg: String,
    pub status: StepStatus,
    #[serde(serialize_with = "secs")]
    pub elapsed: Duration,
    pub message: Option<String>,
}

/// What a rehearsal found.
#[derive(Debug, Clone, Serialize)]
pub struct Rehearsal {
    /// The upgrade run on the copy, as `upwiz run` reports it.
    pub run: RunReport,
    /// "9.0 -> 10.1 -> 11.0", once planned.
    pub route: Option<String>,
    pub steps: Vec<StepTime>,
    /// The sum of the steps that ran: the downtime to expect of the real run.
    #[serde(serialize_with = "secs")]
    pub downtime: Duration,
    /// The legs whose steps make up `downtime`.
    pub downtime_legs: Vec<String>,
    /// How long copying the database took (not part of the real run's downtime).
    #[serde(serialize_with = "secs")]
    pub copy_time: Duration,
    pub failed_items: Vec<FailedItem>,
    /// Where it failed: the step's title, when a step failed.
    pub failed_at: Option<String>,
    /// Violations found in the copy after the run, described.
    pub violations: Vec<String>,
    /// The scratch copy's connect string (no password); `kept` says whether it is still there.
    pub scratch: String,
    pub kept: bool,
    /// Why the scratch copy could not be dropped, if it could not.
    pub drop_error: Option<String>,
    /// The rehearsal's own directory: its UPGRADE.LOG and reports.
    pub dir: PathBuf,
}

impl Rehearsal {
    /// 0 the upgrade completed on the copy, 1 it failed (or items failed), 128 + n
    /// when a signal stopped it.
    pub fn exit_code(&self) -> i32 {
        match &self.run.outcome {
            Outcome::BadInput { .. } | Outcome::Locked { .. } | Outcome::Busy { .. } => 1,
            o => o.exit_code(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RehearseError {
    /// A running upgrade holds the real database: a copy of it mid-upgrade is meaningless.
    #[error("the database is being upgraded right now ({0}); a rehearsal of a database in the middle of an upgrade tells nothing: wait for that run to end, then rehearse")]
    Locked(String),
    /// The real database cannot be read as given (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// The copy could not be made (exit 1); nothing was run and the real database is as it was.
    #[error("the rehearsal failed while {stage}: {error}; the real database was not changed")]
    Copy { stage: &'static str, error: String },
}

/// Copies the database, runs the upgrade on the copy, and reports; events of the run
/// (and of the copy, as log lines) go to `sink`.
pub fn rehearse(
    req: &RehearseRequest,
    mut sink: Sink,
    cancel: &CancelToken,
) -> Result<Rehearsal, RehearseError> {
    // The dump tools started for the copy stop with the rehearsal, as a run's do.
    let _entered = cancel.enter();
    let mut real = Session::connect(&req.spec, req.package.clone())
        .map_err(|e| RehearseError::BadInput(e.to_string()))?;
    let _attached = cancel.attach(real.db().canceller());
    let look = real
        .inspect()
        .map_err(|e| RehearseError::BadInput(e.to_string()))?;
    if let Some(owner) = look.lock.as_ref().filter(|o| !o.stale) {
        return Err(RehearseError::Locked(owner.to_string()));
    }
    if real.db().session_lock_held().ok().flatten() == Some(true) {
        return Err(RehearseError::Locked(
            "an upwiz session holds the server's lock".into(),
        ));
    }
    // What a run would refuse as bad input (a target the package lacks, a changed
    // script) is refused here, before anything is copied.
    let plan = real
        .preview(req.target.as_deref())
        .and_then(|p| super::prepare::check_resume(&p).map(|_| p))
        .map_err(|e| RehearseError::BadInput(e.to_string()))?;
    if plan.is_nothing_to_do() {
        return Ok(nothing_to_do(req, &plan.installed));
    }
    let id = scratch_id();
    let dir = req.dirs.state_dir.join("rehearse").join(&id);
    let dirs = Dirs {
        state_dir: dir.clone(),
        log_dir: dir.clone(),
        backup_dir: dir.join("backups"),
    };
    crate::fsutil::private_dir(&dirs.backup_dir).map_err(|e| RehearseError::Copy {
        stage: "creating its directory",
        error: format!("cannot create {}: {e}", dirs.backup_dir.display()),
    })?;
    let say = |sink: &mut Sink, message: String| {
        sink(Event::Log {
            level: Level::Info,
            message,
        })
    };
    say(
        &mut sink,
        format!(
            "Rehearsal {id}: copying {} database {} (read only) into a scratch database",
            req.spec.rdbms,
            req.spec.redacted()
        ),
    );
    let started = Instant::now();
    let scratch = copy(real.db(), &req.spec, &id, &dir)?;
    let copy_time = started.elapsed();
    say(
        &mut sink,
        format!(
            "Copied in {:.1}s into {}; running the upgrade there",
            copy_time.as_secs_f64(),
            scratch.spec.redacted()
        ),
    );
    let run_req = RunRequest {
        package: super::maintenance::for_rehearsal(&req.package),
        spec: scratch.spec.clone(),
        target: req.target.clone(),
        dirs,
        accept_violations: req.accept_violations,
        checklist_confirmed: true,
        confirmed: None,
        backup: Default::default(),
        stage: None,
    };
    let legs = leg_labels(&scratch.spec, &req.package, req.target.as_deref());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let collect = seen.clone();
    let forward = Box::new(move |ev: Event| {
        if let Ok(mut s) = collect.lock() {
            s.note(&ev);
        }
        sink(ev);
    });
    let report = super::runner::run(&run_req, forward, cancel);
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
    let violations = report
        .summary
        .reached
        .as_deref()
        .and_then(|v| v.parse::<Version>().ok())
        .and_then(|v| {
            let mut db = db::open(&scratch.spec, db::OpenMode::Existing).ok()?;
            super::checks::violations(db.as_mut(), &req.package, &v).ok()
        })
        .unwrap_or_default()
        .iter()
        .map(super::checks::describe)
        .collect();
    let steps: Vec<StepTime> = seen
        .finished
        .iter()
        .map(|(index, status, elapsed, message)| {
            let info = seen.planned.get(*index);
            let leg = info.map_or(0, |i| i.leg);
            StepTime {
                index: *index,
                key: info.map(|i| i.key.clone()).unwrap_or_default(),
                title: info.map(|i| i.title.clone()).unwrap_or_default(),
                leg: legs
                    .get(leg)
                    .cloned()
                    .unwrap_or_else(|| format!("leg {}", leg + 1)),
                status: *status,
                elapsed: *elapsed,
                message: message.clone(),
            }
        })
        .collect();
    let ran: Vec<&StepTime> = steps
        .iter()
        .filter(|s| s.status != StepStatus::Skipped)
        .collect();
    let downtime = ran.iter().map(|s| s.elapsed).sum();
    let mut downtime_legs: Vec<String> = Vec::new();
    for s in &ran {
        if !downtime_legs.contains(&s.leg) {
            downtime_legs.push(s.leg.clone());
        }
    }
    let (failed_items, failed_at) = match &report.outcome {
        Outcome::CompletedWithFailedItems { failed } => (failed.clone(), None),
        Outcome::Failed { step, .. } => (Vec::new(), Some(step.clone())),
        _ => (Vec::new(), None),
    };
    let scratch_text = scratch.spec.redacted();
    let drop_error = match req.keep {
        true => None,
        false => {
            // Backups of a scratch copy are of no use once it is gone.
            let _ = std::fs::remove_dir_all(dir.join("backups"));
            scratch.remove(real.db()).err()
        }
    };
    Ok(Rehearsal {
        run: report,
        route: seen.route,
        steps,
        downtime,
        downtime_legs,
        copy_time,
        failed_items,
        failed_at,
        violations,
        scratch: scratch_text,
        kept: req.keep,
        drop_error,
        dir,
    })
}

/// The database is at its target already: nothing is copied and nothing runs.
fn nothing_to_do(req: &RehearseRequest, installed: &str) -> Rehearsal {
    Rehearsal {
        run: RunReport {
            outcome: Outcome::NothingToDo,
            summary: super::events::Summary {
                product: req.package.product.name.clone(),
                from: Some(installed.to_string()),
                to: Some(installed.to_string()),
                reached: Some(installed.to_string()),
                ..Default::default()
            },
        },
        route: None,
        steps: Vec::new(),
        downtime: Duration::ZERO,
        downtime_legs: Vec::new(),
        copy_time: Duration::ZERO,
        failed_items: Vec::new(),
        failed_at: None,
        violations: Vec::new(),
        scratch: String::new(),
        kept: false,
        drop_error: None,
        dir: PathBuf::new(),
    }
}

/// What the run on the copy reported, as it went.
#[derive(Default)]
struct Seen {
    route: Option<String>,
    planned: Vec<super::events::StepInfo>,
    finished: Vec<(usize, StepStatus, Duration, Option<String>)>,
}

impl Seen {
    fn note(&mut self, ev: &Event) {
        match ev {
            Event::Planned { route, steps, .. } => {
                self.route = Some(route.clone());
                self.planned = steps.clone();
            }
            Event::StepFinished {
                index,
                status,
                elapsed,
                message,
            } => self
                .finished
                .push((*index, *status, *elapsed, message.clone())),
            _ => {}
        }
    }
}

/// The labels of the legs the copy's plan would take, in order.
fn leg_labels(spec: &ConnectSpec, package: &Arc<Package>, target: Option<&str>) -> Vec<String> {
    Session::connect(spec, package.clone())
        .ok()
        .and_then(|mut s| s.preview(target).ok())
        .map(|p| p.route.legs.iter().map(|l| l.label()).collect())
        .unwrap_or_default()
}

/// The scratch copy: where it is, and how it goes away.
struct Scratch {
    spec: ConnectSpec,
    /// The server database's name; None for a SQLite file.
    name: Option<String>,
}

impl Scratch {
    fn remove(self, admin: &mut dyn Database) -> Result<(), String> {
        match &self.name {
            Some(name) => db::drop_database(admin, name).map_err(|e| {
                format!("the scratch database {name} could not be dropped ({e}); drop it by hand",)
            }),
            None => {
                let Some(path) = self.spec.sqlite_path() else {
                    return Ok(());
                };
                for p in [
                    path.to_path_buf(),
                    suffixed(path, "-wal"),
                    suffixed(path, "-shm"),
                    suffixed(path, "-journal"),
                ] {
                    if p.exists() {
                        std::fs::remove_file(&p).map_err(|e| {
                            format!(
                                "the scratch copy {} could not be removed ({e}); remove it by hand",
                                p.display()
                            )
                        })?;
                    }
                }
                Ok(())
            }
        }
    }
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copies the real database (through `real`, read only) into a new scratch database.
fn copy(
    real: &mut dyn Database,
    spec: &ConnectSpec,
    id: &str,
    dir: &Path,
) -> Result<Scratch, RehearseError> {
    let fail = |stage: &'static str| {
        move |e: db::DbError| RehearseError::Copy {
            stage,
            error: e.to_string(),
        }
    };
    // The dump (or, for SQLite, the copy itself) is a backup of the real database made
    // as `upwiz run` makes its own: online, with the password passed safely.
    let copied = real
        .backup(dir, "copy", &mut |_, _| {})
        .map_err(fail("copying the database"))?;
    if spec.rdbms == Rdbms::Sqlite {
        return Ok(Scratch {
            spec: spec.with_database(&copied.path.display().to_string()),
            name: None,
        });
    }
    let real_name = spec.database_name().unwrap_or_default();
    let name = db::scratch_name(&real_name, id);
    db::create_database(real, &name).map_err(fail("creating the scratch database"))?;
    let scratch = Scratch {
        spec: spec.with_database(&name),
        name: Some(name),
    };
    let filled = db::open(&scratch.spec, db::OpenMode::Existing)
        .and_then(|mut s| s.restore(&copied.path).map(drop));
    let _ = std::fs::remove_file(&copied.path);
    if let Err(e) = filled {
        let _ = scratch.remove(real);
        return Err(fail("filling the scratch database")(e));
    }
    Ok(scratch)
}

/// A new rehearsal's id: [a-z0-9] only, since it names a database.
fn scratch_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{:x}{:04x}",
        now.as_millis() % 0x0100_0000_0000,
        std::process::id() & 0xffff
    )
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}
