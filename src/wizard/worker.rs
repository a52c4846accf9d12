//! The blocking jobs behind the effects: connecting, planning, the keyring, the demo
//! database. Each runs on its own thread (a remote server can take seconds) and
//! answers with one `AppEvent::Worker`.

use std::path::Path;
use std::sync::Arc;

use super::connect::is_auth_error;
use super::event::Remember;
use super::model::{Detected, PlanInfo, Unfinished};
use super::text::sanitize;
use crate::config::demo_database;
use crate::credentials;
use crate::db::{self, ConnectSpec, DbErrorKind};
use crate::engine::{self, EngineError, Outcome, Session};
use crate::package::Package;
use crate::paths::Dirs;
use crate::plan::StepKind;
use crate::rdbms::Rdbms;

/// A message fit for the screen: sanitised, and with the password scrubbed out in
/// case a driver quoted the connect string it was given.
pub fn plain(message: &str, spec: &ConnectSpec) -> String {
    let mut m = sanitize(&db::redact(message));
    if let Some(p) = spec
        .password
        .as_ref()
        .filter(|p| p.expose().chars().count() >= 3)
    {
        m = m.replace(&sanitize(p.expose()), "***");
    }
    m
}

/// Welcome and Test connection: server and product versions, unfinished runs, the lock.
pub fn inspect(package: &Arc<Package>, spec: &ConnectSpec) -> Result<Detected, String> {
    let busy = Detected {
        busy: true,
        ..Detected::default()
    };
    let mut session = match Session::connect(spec, package.clone()) {
        Ok(s) => s,
        Err(EngineError::Connect(e)) if e.kind == DbErrorKind::Locked => return Ok(busy),
        Err(EngineError::Connect(e)) => return Err(refused(&e.message, spec)),
        Err(e) => return Err(plain(&e.to_string(), spec)),
    };
    let i = match session.inspect() {
        Ok(i) => i,
        Err(e) if e.kind == DbErrorKind::Locked => return Ok(busy),
        Err(e) => return Err(plain(&e.message, spec)),
    };
    Ok(Detected {
        server_version: i.server_version,
        installed: i.installed,
        detect_error: i.detect_error.map(|e| plain(&e, spec)),
        unfinished: i.unfinished.map(|r| Unfinished {
            from: r.from,
            to: r.to,
            state: r.state,
            error: r.error,
            ..Unfinished::default()
        }),
        running_elsewhere: i.lock.filter(|l| !l.stale).map(|l| l.to_string()),
        busy: false,
    })
}

/// The Plan screen's content; nothing in the database is changed.
pub fn plan(
    package: &Arc<Package>,
    spec: &ConnectSpec,
    target: Option<&str>,
    dirs: &Dirs,
    remember: Remember,
) -> Result<PlanInfo, String> {
    let connect_error = |e: EngineError| match e {
        EngineError::Connect(e) => format!("Cannot connect: {}", refused(&e.message, spec)),
        e => format!("Cannot plan the upgrade: {}", plain(&e.to_string(), spec)),
    };
    let mut session = Session::connect(spec, package.clone()).map_err(connect_error)?;
    let server_version = session
        .server_version()
        .map_err(|e| plain(&e.message, spec))?;
    let keyring_note = keyring(spec, remember);
    // The preview a run will make again under its lock; a run that cannot be
    // continued is said here, before Finish.
    let prepared = session
        .preview(target)
        .and_then(|p| engine::check_resume(&p).map(|_| p))
        .map_err(connect_error)?;
    // The violation report a run would write first, read now: only meaningful for a
    // leg that starts at the installed version and has not been reported on yet.
    let violations = prepared
        .steps
        .iter()
        .find(|s| s.kind == StepKind::ViolationsBefore && !prepared.done.contains(&s.key))
        .map(|s| &prepared.route.legs[s.leg].from)
        .filter(|from| from.as_str() == prepared.installed)
        .map(|from| engine::find_violations(session.db(), package, from));
    let violation_hints = match &violations {
        Some(Ok(found)) => hints_for(package, found.iter().map(|v| v.check.as_str())),
        _ => Vec::new(),
    };
    let violations = violations.map(|r| {
        r.map(|v| v.iter().map(engine::describe_violation).collect())
            .map_err(|e| plain(&e, spec))
    });
    let stops = package
        .policy
        .required_stops
        .iter()
        .filter(|v| **v > prepared.route.from && **v < prepared.route.to)
        .map(|v| v.to_string())
        .collect();
    Ok(PlanInfo {
        server_version,
        installed: prepared.installed.clone(),
        from: prepared.route.from.to_string(),
        to: prepared.route.to.to_string(),
        route: prepared.route.describe(),
        stops,
        steps: prepared.step_infos(),
        resumed: prepared.resume.is_some(),
        nothing_to_do: prepared.is_nothing_to_do(),
        violations,
        violation_hints,
        keyring_note,
        backup: backup_dir_ok(&dirs.backup_dir),
        backup_skip: None,
        log_path: dirs.log_dir.join(engine::LOG_FILE),
        stage: None,
        stage_refused: None,
    })
}

/// Whether a backup could be written where backups go.
fn backup_dir_ok(dir: &Path) -> Result<std::path::PathBuf, String> {
    let fail = |e: std::io::Error| {
        format!(
            "cannot write to the backup directory {}: {e}",
            dir.display()
        )
    };
    crate::fsutil::private_dir(dir).map_err(fail)?;
    let probe = dir.join(format!(".upwiz-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir.to_path_buf())
}

/// A connect error as the screen says it; when the server refused us and no
/// password was given, it says so, since that is the likely cause.
fn refused(message: &str, spec: &ConnectSpec) -> String {
    let m = plain(message, spec);
    if spec.password.is_none() && spec.rdbms != Rdbms::Sqlite && is_auth_error(&m) {
        format!(
            "{m} (no password was given: type it on the Credentials screen, or set UPWIZ_PASSWORD)"
        )
    } else {
        m
    }
}

/// The package's hints for the checks that found something, each once, in order.
fn hints_for<'a>(package: &Package, checks: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in checks {
        let hint = package
            .violation_checks
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.hint.as_deref());
        if let Some(h) = hint {
            let line = sanitize(&format!("{name}: {h}"));
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

/// Where a remembered password goes here, and for how long: without a desktop
/// session the kernel keyring is used (see credentials::choose_store), and it
/// forgets at reboot.
pub fn keyring_place() -> &'static str {
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        "in the kernel keyring of this login session, until the session ends or the host reboots"
    } else {
        "in the desktop keyring (Secret Service), until you untick Remember"
    }
}

/// Only after a connection worked, so a mistyped password is never remembered.
/// Says what was done, for the Plan screen.
fn keyring(spec: &ConnectSpec, remember: Remember) -> Option<String> {
    let user = spec.user.as_deref().unwrap_or("");
    match (remember, &spec.password) {
        (Remember::Store, Some(p)) => {
            Some(match credentials::remember(user, &spec.redacted(), p) {
                Ok(()) => format!("remembered {}", keyring_place()),
                Err(e) => format!("not remembered: {}", sanitize(&e.to_string())),
            })
        }
        (Remember::Forget, _) => Some(match credentials::forget(user, &spec.redacted()) {
            Ok(()) => "forgotten: removed from the keyring".to_string(),
            Err(e) => format!(
                "could not be removed from the keyring: {}",
                sanitize(&e.to_string())
            ),
        }),
        _ => None,
    }
}

pub fn probe_keyring(user: &str, target: &str) -> (bool, Option<crate::secret::Secret>) {
    if !credentials::keyring_available() {
        return (false, None);
    }
    let remembered = if user.is_empty() || target.is_empty() {
        None
    } else {
        credentials::from_keyring(user, target)
    };
    (true, remembered)
}

fn demo_spec() -> ConnectSpec {
    super::connect::spec(
        Rdbms::Sqlite,
        &demo_database().display().to_string(),
        None,
        None,
    )
}

/// Makes the demo database at the package's first release, unless it exists.
pub fn ensure_demo(package: &Package, dirs: &Dirs) -> Result<(), String> {
    let path = demo_database();
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        crate::fsutil::private_dir(parent)
            .map_err(|e| format!("cannot create the demo directory {}: {e}", parent.display()))?;
    }
    let first = package.releases.first().map(|r| r.version.to_string());
    let report = engine::install(
        package,
        &demo_spec(),
        first.as_deref(),
        dirs,
        Box::new(|_| {}),
    );
    match report.outcome {
        Outcome::Completed => Ok(()),
        Outcome::BadInput { error } | Outcome::Failed { error, .. } => {
            let _ = std::fs::remove_file(&path);
            Err(format!("The demo database could not be made: {error}"))
        }
        other => Err(format!("The demo database could not be made: {other:?}")),
    }
}

/// Throws the demo database (and its state file) away and makes it anew.
pub fn reset_demo(package: &Package, dirs: &Dirs) -> Result<(), String> {
    let path = demo_database();
    let state = engine::state_file_path(&dirs.state_dir, &demo_spec());
    for p in [
        path.clone(),
        path.with_extension("db-wal"),
        path.with_extension("db-shm"),
        state,
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot remove {}: {e}", p.display())),
        }
    }
    ensure_demo(package, dirs)
}
