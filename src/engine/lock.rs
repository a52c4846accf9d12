//! One upgrade per database at a time: an owner record in `upwiz_lock`, taken in a
//! write transaction so two runs cannot both win.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::fault;
use super::log::now_iso;
use super::process;
use crate::db::{ConnectSpec, Database, DbError, DbErrorKind, OpenMode, Value};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockOwner {
    pub host: String,
    pub pid: u32,
    pub user: String,
    pub started_at: String,
    pub heartbeat_at: String,
    pub run_id: String,
    /// Set by `inspect` when the owner is gone.
    pub stale: bool,
}

impl fmt::Display for LockOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "process {} of user {} on host {}, started {}",
            self.pid, self.user, self.host, self.started_at
        )
    }
}

impl LockOwner {
    pub fn me(run_id: &str) -> Self {
        let now = now_iso();
        LockOwner {
            host: process::host_name(),
            pid: std::process::id(),
            user: process::user_name(),
            started_at: now.clone(),
            heartbeat_at: now,
            run_id: run_id.to_string(),
            stale: false,
        }
    }

    /// A process of this host, recorded as the owner, that no longer runs.
    fn died_here(&self) -> bool {
        self.host == process::host_name()
            && self.pid != 0
            && self.pid != std::process::id()
            && !process::is_alive(self.pid, parse_time(&self.started_at))
    }

    fn is_gone(&self) -> bool {
        if self.host == process::host_name() {
            return self.pid == std::process::id()
                || !process::is_alive(self.pid, parse_time(&self.started_at));
        }
        // Another host: all we can judge by is its heartbeat.
        parse_time(&self.heartbeat_at).is_some_and(|t| {
            SystemTime::now()
                .duration_since(t)
                .is_ok_and(|age| age > REMOTE_STALE_AFTER)
        })
    }
}

/// How old a heartbeat from another host must be before its lock counts as abandoned.
pub const REMOTE_STALE_AFTER: Duration = Duration::from_secs(300);

fn parse_time(s: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| SystemTime::from(t.with_timezone(&chrono::Utc)))
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another upgrade of this database is running: {0}; wait for it to finish")]
    Held(Box<LockOwner>),
    /// Another session holds the server's lock but has not recorded its owner yet.
    #[error("another upgrade of this database is starting in an upwiz session that has not recorded its owner yet; wait for it to finish")]
    Starting,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Takes the server's session lock (where the RDBMS has one) before anything else of
/// the lock: it also serialises the creation of the journal. A dead local owner's
/// connection is given a moment to be dropped by the server, as in `acquire`.
pub fn take_session_lock(db: &mut dyn Database) -> Result<(), LockError> {
    let deadline = std::time::Instant::now() + DEAD_SESSION_GRACE;
    loop {
        if db.session_lock()? != Some(false) {
            return Ok(());
        }
        match inspect(db)? {
            Some(owner) if owner.died_here() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(200));
            }
            Some(owner) => {
                return Err(LockError::Held(Box::new(LockOwner {
                    stale: false,
                    ..owner
                })))
            }
            None => return Err(LockError::Starting),
        }
    }
}

/// The lock as it is now; `stale` set when its owner is gone. On servers, the owner is
/// alive exactly while its session holds the server-side lock.
pub fn inspect(db: &mut dyn Database) -> Result<Option<LockOwner>, DbError> {
    if !db.table_exists("upwiz_lock")? {
        return Ok(None);
    }
    let session_held = db.session_lock_held()?;
    let r = db.query(
        "SELECT host, pid, os_user, started_at, heartbeat_at, run_id FROM upwiz_lock WHERE id = 1",
    )?;
    Ok(r.rows.first().map(|row| {
        let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
        let mut owner = LockOwner {
            host: t(0),
            pid: t(1).parse().unwrap_or(0),
            user: t(2),
            started_at: t(3),
            heartbeat_at: t(4),
            run_id: t(5),
            stale: false,
        };
        owner.stale = match session_held {
            Some(held) => !held,
            None => owner.is_gone(),
        };
        owner
    }))
}

/// How long to wait for a server to notice that a dead local owner's connection closed.
const DEAD_SESSION_GRACE: Duration = Duration::from_secs(10);

/// Takes the lock for `me`; returns the previous owner when it was taken over from a dead one.
/// On servers the session lock is taken first and held until this connection closes, so a
/// killed run's lock dies with its connection; when the recorded owner is a process of this
/// host that is gone, the server is given a moment to notice.
pub fn acquire(db: &mut dyn Database, me: &LockOwner) -> Result<Option<LockOwner>, LockError> {
    let deadline = std::time::Instant::now() + DEAD_SESSION_GRACE;
    loop {
        match try_acquire(db, me) {
            Err(LockError::Held(owner))
                if owner.died_here() && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn try_acquire(db: &mut dyn Database, me: &LockOwner) -> Result<Option<LockOwner>, LockError> {
    // Cheap look first, so a second run reports the owner without queuing for the write lock.
    if let Some(owner) = inspect(db)? {
        if !owner.stale {
            return Err(LockError::Held(Box::new(owner)));
        }
    }
    let session = db.session_lock()?;
    if session == Some(false) {
        let owner = inspect(db)?.unwrap_or_else(|| LockOwner {
            host: "unknown".into(),
            pid: 0,
            user: "unknown".into(),
            started_at: "just now".into(),
            heartbeat_at: String::new(),
            run_id: String::new(),
            stale: false,
        });
        return Err(LockError::Held(Box::new(LockOwner {
            stale: false,
            ..owner
        })));
    }
    db.begin()?;
    let result = (|| {
        let mut previous = inspect(db)?;
        if session == Some(true) {
            // Holding the session lock proves any recorded owner is gone.
            if let Some(p) = previous.as_mut() {
                p.stale = true;
            }
        }
        if let Some(owner) = &previous {
            if !owner.stale {
                return Err(LockError::Held(Box::new(owner.clone())));
            }
        }
        fault::journal_write();
        db.execute("DELETE FROM upwiz_lock")?;
        db.execute_with(
            "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, ?, ?, ?, ?, ?, ?)",
            &[
                text(&me.host),
                Value::Int(me.pid.into()),
                text(&me.user),
                text(&me.started_at),
                text(&me.heartbeat_at),
                text(&me.run_id),
            ],
        )?;
        Ok(previous)
    })();
    match result {
        Ok(prev) => {
            db.commit()?;
            Ok(prev)
        }
        Err(e) => {
            let _ = db.rollback();
            Err(e)
        }
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

pub fn heartbeat(db: &mut dyn Database, me: &LockOwner) -> Result<(), DbError> {
    db.execute_with(
        "UPDATE upwiz_lock SET heartbeat_at = ? WHERE id = 1 AND pid = ? AND host = ?",
        &[text(&now_iso()), Value::Int(me.pid.into()), text(&me.host)],
    )
    .map(|_| ())
}

pub fn release(db: &mut dyn Database, me: &LockOwner) -> Result<(), DbError> {
    db.execute_with(
        "DELETE FROM upwiz_lock WHERE id = 1 AND pid = ? AND host = ?",
        &[Value::Int(me.pid.into()), text(&me.host)],
    )
    .map(|_| ())
}

/// Removes the owner record of `owner` (`upwiz unlock`: the operator has seen it and
/// decided it may go); 0 when the lock changed hands since it was shown.
pub fn clear(db: &mut dyn Database, owner: &LockOwner) -> Result<u64, DbError> {
    fault::journal_write();
    db.execute_with(
        "DELETE FROM upwiz_lock WHERE id = 1 AND pid = ? AND host = ? AND started_at = ?",
        &[
            Value::Int(owner.pid.into()),
            text(&owner.host),
            text(&owner.started_at),
        ],
    )
}

/// Writes `me` back as the owner after the owner record was replaced from outside
/// (a restore brings back the record of the run that took the backup), so that the
/// lock is still this session's and is released with it.
pub fn reclaim(db: &mut dyn Database, me: &LockOwner) -> Result<(), DbError> {
    db.execute("DELETE FROM upwiz_lock")?;
    db.execute_with(
        "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, ?, ?, ?, ?, ?, ?)",
        &[
            text(&me.host),
            Value::Int(me.pid.into()),
            text(&me.user),
            text(&me.started_at),
            text(&now_iso()),
            text(&me.run_id),
        ],
    )
    .map(|_| ())
}

/// How often `Heartbeat` renews the owner record.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);
const _: () = assert!(HEARTBEAT_EVERY.as_secs() * 5 <= REMOTE_STALE_AFTER.as_secs());

/// Renews the lock's heartbeat every `HEARTBEAT_EVERY` from a thread with its own
/// connection, so that a step longer than the stale limit (a long data migration)
/// does not make another host take the lock over. Stops when dropped.
pub struct Heartbeat {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts beating for `me` on a new connection to `spec`.
    pub fn start(spec: &ConnectSpec, me: &LockOwner) -> Result<Heartbeat, DbError> {
        Self::start_every(spec, me, HEARTBEAT_EVERY)
    }

    /// `start` with another period (tests).
    pub fn start_every(
        spec: &ConnectSpec,
        me: &LockOwner,
        every: Duration,
    ) -> Result<Heartbeat, DbError> {
        let mut db = crate::db::open(spec, OpenMode::Existing)?;
        let me = me.clone();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("upwiz-heartbeat".into())
            .spawn(move || {
                // A busy SQLite database (the run holds the write lock) skips a beat:
                // the next one comes 30 s later, far inside the stale limit.
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(every)
                {
                    let _ = heartbeat(db.as_mut(), &me);
                }
            })
            .map_err(|e| {
                DbError::new(DbErrorKind::Io, format!("cannot start the heartbeat: {e}"))
            })?;
        Ok(Heartbeat {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::journal::Journal;
    use crate::rdbms::Rdbms;

    #[test]
    fn the_heartbeat_is_renewed_while_a_step_runs_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ConnectSpec::parse(
            Rdbms::Sqlite,
            &dir.path().join("hb.db").display().to_string(),
            None,
            None,
        )
        .unwrap();
        let mut db = crate::db::open(&spec, OpenMode::Create).unwrap();
        Journal::new(db.as_mut()).ensure_tables().unwrap();
        let mut me = LockOwner::me("run-1");
        me.heartbeat_at = "2000-01-01T00:00:00Z".into();
        acquire(db.as_mut(), &me).unwrap();
        let beat = |db: &mut dyn Database| {
            db.query("SELECT heartbeat_at FROM upwiz_lock")
                .unwrap()
                .scalar()
                .unwrap_or_default()
        };
        let hb = Heartbeat::start_every(&spec, &me, Duration::from_millis(20)).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while beat(db.as_mut()).starts_with("2000") {
            assert!(
                std::time::Instant::now() < deadline,
                "no heartbeat was written"
            );
            std::thread::yield_now();
        }
        drop(hb);
        db.execute("UPDATE upwiz_lock SET heartbeat_at = 'stopped'")
            .unwrap();
        // Dropping joined the thread: nothing writes after it.
        assert_eq!(beat(db.as_mut()), "stopped");
    }
}
