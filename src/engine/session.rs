//! An engine session: one connection to one database for one product, shared by the
//! wizard and the headless commands.
//!
//! Read-only questions (`inspect`, `preview`) are answered on a plain `Session`. An
//! upgrade needs `lock`, and the plan it executes can only come from the resulting
//! `LockedSession`: it is made after the lock is held, so no other run can move the
//! database between planning and doing.

use std::sync::Arc;

use super::error::EngineError;
use super::journal::Journal;
use super::lock::{self, LockError, LockOwner};
use super::pause;
use super::prepare::{self, Inspection, Prepared};
use crate::db::{self, ConnectSpec, Database, DbError, DbErrorKind, OpenMode};
use crate::package::Package;

/// A connection to the database of `package`'s product; changes nothing by itself.
pub struct Session {
    db: Box<dyn Database>,
    package: Arc<Package>,
    spec: ConnectSpec,
}

/// Why a session could not take the lock.
#[derive(Debug, thiserror::Error)]
pub enum LockFailure {
    /// Another live upgrade holds it: exit 3.
    #[error("another upgrade of this database is running: {0}; wait for it to finish")]
    Held(String),
    /// Another program (not upwiz) holds the database.
    #[error("{0}")]
    Busy(DbError),
    #[error("cannot create the journal: {0}")]
    Journal(DbError),
    #[error("cannot take the lock: {0}")]
    Db(DbError),
}

impl Session {
    /// Connects to the database `spec` names.
    pub fn connect(spec: &ConnectSpec, package: Arc<Package>) -> Result<Session, EngineError> {
        let db = db::open(spec, OpenMode::Existing).map_err(EngineError::Connect)?;
        Ok(Session {
            db,
            package,
            spec: spec.clone(),
        })
    }

    pub fn spec(&self) -> &ConnectSpec {
        &self.spec
    }

    pub fn package(&self) -> &Package {
        &self.package
    }

    pub fn server_version(&mut self) -> Result<String, DbError> {
        self.db.server_version()
    }

    /// Versions, the unfinished run and the lock, as they are now.
    pub fn inspect(&mut self) -> Result<Inspection, DbError> {
        prepare::inspect(self.db.as_mut(), &self.package)
    }

    /// The plan a run would make now. Advisory only: another run may change the
    /// database before this one takes the lock, so a run plans again under it.
    pub fn preview(&mut self, target: Option<&str>) -> Result<Prepared, EngineError> {
        prepare::prepare(self.db.as_mut(), &self.package, target)
    }

    /// Read-only access for the front ends' reports (the violations on the Plan screen).
    pub fn db(&mut self) -> &mut dyn Database {
        self.db.as_mut()
    }

    /// Takes the lock for `me`. The journal's tables are created first when missing
    /// (the lock lives among them), which changes no product table.
    pub fn lock(mut self, me: LockOwner) -> Result<LockedSession, LockFailure> {
        pause::point("before-lock");
        let took_over = self.try_lock(&me)?;
        Ok(self.into_locked(me, took_over))
    }

    /// One attempt at the lock that leaves this session usable when it fails, so that
    /// a waiting run can try again on the same connection.
    pub(super) fn try_lock(&mut self, me: &LockOwner) -> Result<Option<LockOwner>, LockFailure> {
        // On servers the session lock comes first: it also serialises the creation of
        // the journal, which runs started at once on a new database would otherwise
        // race on (PostgreSQL fails one CREATE TABLE IF NOT EXISTS of two).
        lock::take_session_lock(self.db.as_mut()).map_err(failure)?;
        if let Err(e) = Journal::new(self.db.as_mut()).ensure_tables() {
            let failure = match e.kind {
                DbErrorKind::Locked => LockFailure::Busy(e),
                _ => LockFailure::Journal(e),
            };
            return Err(failure);
        }
        lock::acquire(self.db.as_mut(), me).map_err(failure)
    }

    /// The session, once `try_lock` took the lock for `me`.
    pub(super) fn into_locked(self, me: LockOwner, took_over: Option<LockOwner>) -> LockedSession {
        // Renewed on a connection of its own while steps run, however long one
        // takes; without it, the beat between steps still tells other hosts.
        let heartbeat = lock::Heartbeat::start(&self.spec, &me).ok();
        LockedSession {
            session: Some(self),
            me,
            took_over,
            heartbeat,
        }
    }
}

fn failure(e: LockError) -> LockFailure {
    match e {
        LockError::Held(owner) => LockFailure::Held(owner.to_string()),
        LockError::Starting => {
            LockFailure::Held("an upwiz session that has not recorded its owner yet".into())
        }
        LockError::Db(e) if e.kind == DbErrorKind::Locked => LockFailure::Busy(e),
        LockError::Db(e) => LockFailure::Db(e),
    }
}

/// A session holding the database's upgrade lock until it is dropped.
pub struct LockedSession {
    /// Always Some until drop releases the lock.
    session: Option<Session>,
    me: LockOwner,
    took_over: Option<LockOwner>,
    heartbeat: Option<lock::Heartbeat>,
}

impl LockedSession {
    fn inner(&mut self) -> &mut Session {
        self.session
            .as_mut()
            .expect("a locked session holds its session")
    }

    pub fn owner(&self) -> &LockOwner {
        &self.me
    }

    /// The dead run whose lock this session took over, if it did.
    pub fn took_over(&self) -> Option<&LockOwner> {
        self.took_over.as_ref()
    }

    /// The plan to execute, made under the lock; an unfinished run is checked against
    /// the database before it may be continued.
    pub fn plan(&mut self, target: Option<&str>) -> Result<Prepared, EngineError> {
        let s = self.inner();
        let prepared = prepare::prepare(s.db.as_mut(), &s.package, target)?;
        prepare::check_resume(&prepared)?;
        Ok(prepared)
    }

    pub fn db(&mut self) -> &mut dyn Database {
        self.inner().db.as_mut()
    }

    /// Renews the heartbeat that tells other hosts this run is alive, where no timer
    /// does it.
    pub fn heartbeat(&mut self) {
        if self.heartbeat.is_none() {
            let me = self.me.clone();
            let _ = lock::heartbeat(self.db(), &me);
        }
    }

    /// Releases the lock now, reporting a failure (drop releases it silently).
    pub fn release(mut self) -> Result<(), DbError> {
        self.heartbeat = None;
        let me = self.me.clone();
        let mut session = self.session.take().expect("held");
        lock::release(session.db.as_mut(), &me)
    }
}

impl Drop for LockedSession {
    fn drop(&mut self) {
        self.heartbeat = None;
        if let Some(mut s) = self.session.take() {
            let _ = lock::release(s.db.as_mut(), &self.me);
        }
    }
}
