//! Waiting for the upgrade lock (`run --wait-for-lock`): many hosts may start the same
//! upgrade at once; one takes the lock and the others wait here, telling the operator
//! who holds it and how far its run got, until it is free, the wait is over or the
//! operator stops it. What the waiting run then does is planned afresh under the lock.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::cancel::CancelToken;
use super::error::EngineError;
use super::events::{Event, Level, Outcome};
use super::journal::{Journal, RunState, WHOLE_STEP};
use super::lock::{self, LockOwner};
use super::log::Reporter;
use super::pause;
use super::prepare::Prepared;
use super::session::{LockFailure, LockedSession, Session};
use crate::db::{Database, DbErrorKind};

/// How long a run waits for the lock another live run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// Until the lock is free or the run is stopped (Ctrl-C).
    Forever,
    /// At most this long; then the run ends as locked (exit 3).
    UpTo(Duration),
}

/// How often a waiting run tries the lock again: often enough that the next run starts
/// soon after the holder ends, seldom enough not to load the server with many waiters.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How often, at most, the holder's progress is said as it changes: a run of many
/// short steps must not flood the waiting run's output.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// How often the same holder and progress are said again while nothing changes.
const REPEAT_EVERY: Duration = Duration::from_secs(30);

/// How far the run holding the lock got, from the journal (as `status` shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockProgress {
    pub run_id: String,
    pub from: String,
    pub to: String,
    /// The run's state in the journal (`running`, `failed`, ...).
    pub state: String,
    /// Steps the run (and the earlier runs it continues) has completed.
    pub steps_done: usize,
    /// The key of the step completed last, if any.
    pub last_step: Option<String>,
}

/// Who holds the lock a run waits for, and how far its upgrade got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockWaitInfo {
    /// None when the database is held by something that recorded no owner (a run
    /// still starting, or another program holding a SQLite file).
    pub owner: Option<LockOwner>,
    pub progress: Option<LockProgress>,
    /// Seconds waited so far.
    #[serde(serialize_with = "secs")]
    pub waited: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl LockWaitInfo {
    /// One line for the operator: who, where, since when, and how far.
    pub fn describe(&self) -> String {
        let who = match &self.owner {
            Some(o) => format!("the lock is held by {o}"),
            None => "the database is held by an upgrade that is starting or by another program"
                .to_string(),
        };
        let progress = match &self.progress {
            Some(p) => {
                let last = p
                    .last_step
                    .as_deref()
                    .map(|s| format!(", last {s}"))
                    .unwrap_or_default();
                format!(
                    "; its upgrade {} -> {} is {} ({} step(s) done{last})",
                    p.from, p.to, p.state, p.steps_done
                )
            }
            None => String::new(),
        };
        format!(
            "Waiting for the lock ({} s so far): {who}{progress}",
            self.waited.as_secs()
        )
    }
}

/// How the wait ended, when it did not end with the lock.
pub(super) enum NotLocked {
    /// Taking the lock failed for a reason waiting does not cure.
    Failed(LockFailure),
    /// The wait is over and the lock is still held: the owner as text, the time waited.
    TimedOut(String, Duration),
    /// The operator stopped the wait; nothing was changed.
    Cancelled,
}

/// Takes the lock for `me`, waiting as `wait` allows while another live run holds it
/// (or, on SQLite, while something holds the file). `emit` hears who holds it when that
/// changes, how far its run got at most every `PROGRESS_EVERY`, and the same again
/// every `REPEAT_EVERY`. A dead owner is taken over as by `lock`.
pub(super) fn lock_waiting(
    mut session: Session,
    me: LockOwner,
    wait: LockWait,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(&LockWaitInfo),
) -> Result<LockedSession, NotLocked> {
    pause::point("before-lock");
    let started = Instant::now();
    let mut said: Option<(Option<LockOwner>, Option<LockProgress>)> = None;
    let mut said_at = started;
    loop {
        let held = match session.try_lock(&me) {
            Ok(took_over) => return Ok(session.into_locked(me, took_over)),
            Err(e @ (LockFailure::Held(_) | LockFailure::Busy(_))) => e,
            Err(e) => return Err(NotLocked::Failed(e)),
        };
        if cancel.is_cancelled() {
            return Err(NotLocked::Cancelled);
        }
        let product = session.package().product.name.clone();
        let db = session.db();
        let owner = lock::inspect(db).ok().flatten().filter(|o| !o.stale);
        let progress = progress(db, &product);
        let now = (owner.as_ref().map(same_owner), progress.clone());
        let new_owner = said.as_ref().map(|(o, _)| o) != Some(&now.0);
        let moved = said.as_ref() != Some(&now) && said_at.elapsed() >= PROGRESS_EVERY;
        if new_owner || moved || said_at.elapsed() >= REPEAT_EVERY {
            emit(&LockWaitInfo {
                owner: owner.clone(),
                progress,
                waited: started.elapsed(),
            });
            said = Some(now);
            said_at = Instant::now();
        }
        if let LockWait::UpTo(limit) = wait {
            if started.elapsed() >= limit {
                let who = match (owner, held) {
                    (Some(o), _) => o.to_string(),
                    (None, LockFailure::Held(who)) => who,
                    (None, other) => other.to_string(),
                };
                return Err(NotLocked::TimedOut(who, started.elapsed()));
            }
        }
        if !nap(POLL_EVERY, cancel) {
            return Err(NotLocked::Cancelled);
        }
    }
}

/// The owner without its heartbeat, which changes without news for the operator.
fn same_owner(o: &LockOwner) -> LockOwner {
    LockOwner {
        heartbeat_at: String::new(),
        ..o.clone()
    }
}

/// Sleeps `d` in short slices; false when the run was stopped meanwhile.
fn nap(d: Duration, cancel: &CancelToken) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if cancel.is_cancelled() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50).min(until - Instant::now()));
    }
    !cancel.is_cancelled()
}

/// The unfinished run of `product` and how far it got; None when there is none or the
/// journal cannot be read now (a writer holds it).
fn progress(db: &mut dyn Database, product: &str) -> Option<LockProgress> {
    let run = Journal::new(db).unfinished_run(product).ok().flatten()?;
    let entries = Journal::new(db).entries(&run.run_id).ok()?;
    let steps: Vec<_> = entries
        .iter()
        .filter(|e| e.stmt_index == WHOLE_STEP)
        .collect();
    Some(LockProgress {
        run_id: run.run_id.clone(),
        from: run.from,
        to: run.to,
        state: run.state.as_str().to_string(),
        steps_done: steps.len(),
        last_step: steps.last().map(|e| e.step_key.clone()),
    })
}

/// Takes the lock for a new run of the runner: at once without `wait`, or waiting; with
/// whether it waited for another run, or the outcome to end with when it cannot.
pub(super) fn take(
    session: Session,
    wait: Option<LockWait>,
    rep: &mut Reporter,
    cancel: &CancelToken,
) -> Result<(LockedSession, bool), Outcome> {
    let me = LockOwner::me(&super::runner::new_run_id());
    let mut waited = false;
    let failure = match wait {
        None => session.lock(me).map_err(NotLocked::Failed),
        Some(wait) => {
            let locked = lock_waiting(session, me, wait, cancel, &mut |info| {
                waited = true;
                rep.write_line(Level::Info, &info.describe());
                rep.emit(Event::LockWait(info.clone()));
            });
            if waited && locked.is_ok() {
                rep.info(
                    "The lock is free: planning again under it, from what the database holds now.",
                );
            }
            locked
        }
    };
    failure.map(|l| (l, waited)).map_err(|e| match e {
        NotLocked::Failed(LockFailure::Held(owner)) => Outcome::Locked { owner },
        NotLocked::Failed(LockFailure::Busy(e)) => Outcome::Busy { reason: e.message },
        NotLocked::Failed(e @ LockFailure::Journal(_)) => failed("create the journal", e),
        NotLocked::Failed(e @ LockFailure::Db(_)) => failed("take the lock", e),
        NotLocked::TimedOut(owner, waited) => {
            rep.error(format!(
                "Gave up waiting for the lock after {} s; nothing was changed. It is still held by {owner}.",
                waited.as_secs()
            ));
            Outcome::Locked { owner }
        }
        NotLocked::Cancelled => {
            rep.warn("Stopped while waiting for the lock; nothing was changed.");
            Outcome::Interrupted {
                signal: cancel.signal(),
            }
        }
    })
}

fn failed(step: &str, e: LockFailure) -> Outcome {
    Outcome::Failed {
        step: step.to_string(),
        error: e.to_string(),
    }
}

/// Whether a preview's refusal may come from another run being mid-upgrade (its lock is
/// held, or it holds the SQLite file) rather than from bad input: then the waiting run
/// looks again under the lock instead of refusing.
pub(super) fn in_flux(session: &mut Session, e: &EngineError) -> bool {
    if let EngineError::Connect(db) | EngineError::Db(db) = e {
        if db.kind == DbErrorKind::Locked {
            return true;
        }
    }
    match lock::inspect(session.db()) {
        Ok(owner) => owner.is_some_and(|o| !o.stale),
        Err(e) => e.kind == DbErrorKind::Locked,
    }
}

/// A run that waited for another one does not take over what that one left failed: the
/// same cause would likely fail it again, on every host of a fleet in turn. It stops
/// with the failure (exit 1, nothing changed) for the operator to look at.
pub(super) fn failed_meanwhile(prepared: &Prepared, waited: bool) -> Option<Outcome> {
    let run = prepared.resume.as_ref().filter(|_| waited)?;
    if !matches!(
        run.state,
        RunState::Failed | RunState::CompletedWithFailedItems
    ) {
        return None;
    }
    Some(Outcome::Failed {
        step: "wait for the lock".into(),
        error: format!(
            "the upgrade {} -> {} that held the lock ended {}{}; this run changed nothing: look at it (upwiz status, the log), fix the cause, and run upwiz again to continue it",
            run.from,
            run.to,
            run.state.as_str(),
            run.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
    })
}
