//! One upgrade per database at a time: an owner record in `upwiz_lock`, taken in a
//! write transaction so two runs cannot both win.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::fault;
use super::log::now_iso;
use super::process;
use crate::db::{Database, DbError, Value};

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
    #[error(transparent)]
    Db(#[from] DbError),
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
        let q = |v: &str| db.quote(&Value::Text(v.to_string()));
        let sql = format!(
            "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, {}, {}, {}, {}, {}, {})",
            q(&me.host),
            me.pid,
            q(&me.user),
            q(&me.started_at),
            q(&me.heartbeat_at),
            q(&me.run_id)
        );
        db.execute(&sql)?;
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

pub fn heartbeat(db: &mut dyn Database, me: &LockOwner) -> Result<(), DbError> {
    let sql = format!(
        "UPDATE upwiz_lock SET heartbeat_at = {} WHERE id = 1 AND pid = {} AND host = {}",
        db.quote(&Value::Text(now_iso())),
        me.pid,
        db.quote(&Value::Text(me.host.clone()))
    );
    db.execute(&sql).map(|_| ())
}

pub fn release(db: &mut dyn Database, me: &LockOwner) -> Result<(), DbError> {
    let sql = format!(
        "DELETE FROM upwiz_lock WHERE id = 1 AND pid = {} AND host = {}",
        me.pid,
        db.quote(&Value::Text(me.host.clone()))
    );
    db.execute(&sql).map(|_| ())
}
