//! The interactive wizard: the classic Upgrade Wizard's screens in a terminal, over
//! the same engine as the headless CLI.
//!
//! One loop on the main thread owns the state and the terminal. Everything else
//! (keys, engine events, worker answers, signals, the clock) arrives as an
//! `AppEvent` on one channel; the state machine answers with `Effect`s, which the
//! loop carries out on worker threads.

mod app;
mod connect;
mod effects;
mod event;
mod help;
mod logpane;
mod model;
mod runtime;
mod screens;
mod stage_gate;
mod terminal;
mod text;
mod theme;
mod ways_back;
mod widgets;
mod worker;

#[cfg(test)]
mod tests;

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::config::{demo_database, Settings};
use crate::engine;

pub use text::sanitize;

/// Runs the wizard until the operator leaves; returns the process exit code:
/// 0 success or nothing to do, 1 failed, 2 could not start, 128 + n on signal n
/// (0 when the operator quit before an upgrade ran).
pub fn run(settings: Settings) -> anyhow::Result<i32> {
    let package = match settings.load_package() {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("upwiz: {e}");
            return Ok(2);
        }
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "upwiz: the wizard needs a terminal; without one use 'upwiz run' (see upwiz --help)"
        );
        return Ok(2);
    }
    let demo_db = settings.is_demo && settings.connect.is_none();
    let connect = match &settings.connect {
        Some(c) => c.clone(),
        None if settings.is_demo => demo_database().display().to_string(),
        None => String::new(),
    };
    let notice = if demo_db {
        worker::ensure_demo(&package, &settings.dirs).err()
    } else {
        None
    };
    let state_file = (!connect.is_empty())
        .then(|| {
            let spec = connect::spec(settings.rdbms, &connect, settings.user.as_deref(), None);
            engine::read_state_file(&engine::state_file_path(&settings.dirs.state_dir, &spec))
        })
        .flatten();
    let init = app::Init {
        package: model::PackageInfo::from_package(&package),
        rdbms: settings.rdbms,
        connect,
        user: settings.user.clone().unwrap_or_default(),
        is_demo: demo_db,
        keyring: settings.keyring,
        env_password: crate::credentials::from_env(),
        log_path: settings
            .dirs
            .log_dir
            .join(engine::LOG_FILE)
            .display()
            .to_string(),
        state_file,
        notice,
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        theme: theme::Theme::from_env(),
        size: (80, 24),
    };
    let keep = settings.backups_keep;
    let dirs = settings.dirs.clone();
    let mut app = app::App::new(init);
    app.offer_environments(settings.environments.clone());
    let code = {
        let (mut tui, _guard) = terminal::enter(terminal::Capabilities::from_env())?;
        runtime::Runtime::new(package, settings).run(&mut app, &mut tui)?
    };
    // The alternate screen is gone with the guard: what stays on the terminal now is
    // the operator's record of the run.
    let mut lines = app.farewell();
    if let Some(keep) = keep.filter(|_| app.ran()) {
        let mut spec = app.spec();
        spec.password = None;
        lines.extend(ways_back::prune(&dirs, &spec, keep));
    }
    let mut out = std::io::stdout().lock();
    for line in lines {
        // A terminal that has gone away must not turn the exit code into a panic.
        let _ = writeln!(out, "{}", crate::text::clean(&line));
    }
    Ok(code)
}
