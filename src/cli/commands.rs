//! The headless commands: install, plan, run, status; backups, history and report
//! live in files of their own.

use std::io::{IsTerminal, Write};
use std::path::Path;

use serde_json::json;

use super::args::{Command, Target};
use super::exit;
use super::input::{resolve, BadInput, Input};
use super::print;
use crate::engine::{self, CancelToken, Outcome, Prepared, RunRequest};
use crate::plan::StepKind;

/// Every line these commands print holds text from the database or the package, so
/// every line is cleaned of escape sequences on its way out.
macro_rules! say {
    () => {
        print::out("")
    };
    ($($arg:tt)*) => {
        print::out(&format!($($arg)*))
    };
}

pub fn dispatch(config: Option<&Path>, target: &Target, command: Command) -> i32 {
    print::set_verbosity(target.quiet, target.verbose);
    debug_settings(config, target);
    let code = dispatch_command(config, target, command);
    print::finish();
    code
}

/// With --verbose: where the settings came from, before anything connects.
fn debug_settings(config: Option<&Path>, t: &Target) {
    print::debug(&format!(
        "config file: {}",
        config.map_or("the platform default".into(), |c| c.display().to_string())
    ));
    if let Ok(s) = super::input::settings(config, t, None) {
        print::debug(&format!(
            "package: {}; rdbms: {}; log dir: {}; backup dir: {}",
            s.package_dir.display(),
            s.rdbms,
            s.dirs.log_dir.display(),
            s.dirs.backup_dir.display()
        ));
    }
}

fn dispatch_command(config: Option<&Path>, target: &Target, command: Command) -> i32 {
    let result = match command {
        Command::Install { version } => install(config, target, version),
        Command::Plan {
            target: to,
            sql,
            json,
        } => plan(config, target, to, sql, json),
        Command::Run {
            target: to,
            yes,
            json,
            accept_violations,
            wait_for_lock,
            stage,
            backup,
        } => run(
            config,
            target,
            to,
            yes,
            json,
            accept_violations,
            wait_for_lock.map(super::lock_wait::policy),
            &stage,
            backup,
        )
        .inspect(|_| {
            super::retention::apply(config, target, json);
        }),
        Command::Stages { json } => super::stages::stages(config, target, json),
        Command::Status { json, follow } => status(config, target, json, follow),
        Command::Backups { json } => super::backups::backups(config, target, json),
        Command::History { json } => super::history::history(config, target, json),
        Command::Report {
            run,
            format,
            output,
            json,
        } => super::report::report(config, target, run, &format, output, json),
        Command::Repair {
            list: true, json, ..
        } => super::repair::list(config, target, json),
        Command::Repair {
            abandon_run,
            accept_checksum,
            reason,
            yes,
            json,
            list: _,
        } => super::repair::run(
            config,
            target,
            abandon_run,
            accept_checksum,
            reason,
            yes,
            json,
        ),
        Command::Unlock {
            force,
            reason,
            yes,
            json,
        } => super::unlock::run(config, target, force, reason, yes, json),
        Command::Restore {
            backup,
            into,
            reason,
            yes,
            json,
        } => super::restore::run(config, target, backup, into, reason, yes, json),
        Command::Package { command } => super::package::dispatch(config, target, command),
        Command::Adopt {
            version,
            ignore_differences,
            reason,
            yes,
            json,
        } => super::adopt::run(
            config,
            target,
            super::adopt::AdoptArgs {
                version,
                ignore_differences,
                reason,
                yes,
                json,
            },
        ),
        Command::Rehearse {
            target: to,
            keep,
            accept_violations,
            json,
        } => super::rehearse::run(config, target, to, keep, accept_violations, json),
    };
    match result {
        Ok(code) => code,
        Err(BadInput(msg)) => {
            print::error_line(&msg);
            exit::BAD_INPUT
        }
    }
}

fn install(config: Option<&Path>, t: &Target, version: Option<String>) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, None)?;
    input.authenticate()?;
    let report = engine::install(
        &input.package,
        &input.spec,
        version.as_deref(),
        &input.settings.dirs,
        print::text_sink(),
    );
    if let Outcome::BadInput { error } = &report.outcome {
        return Err(BadInput(error.clone()));
    }
    if let Outcome::Failed { error, .. } = &report.outcome {
        print::error_line(&format!("install failed: {error}"));
    }
    Ok(exit::for_outcome(&report.outcome))
}

fn plan(
    config: Option<&Path>,
    t: &Target,
    to: Option<String>,
    sql: bool,
    json_out: bool,
) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, to)?;
    let prepared = preview(&mut input)?;
    if json_out {
        print::out_object(plan_json(&input, &prepared, sql));
    } else {
        show_plan(&input, &prepared, sql);
    }
    Ok(exit::OK)
}

fn preview(input: &mut Input) -> Result<Prepared, BadInput> {
    let mut session = input.connect()?;
    let prepared = session.preview(input.settings.target.as_deref())?;
    // What a run would refuse, the plan says now.
    engine::check_resume(&prepared)?;
    Ok(prepared)
}

/// `plan --json`: the plan as one object; `pending` says whether a run would change
/// anything.
fn plan_json(input: &Input, prepared: &Prepared, sql: bool) -> serde_json::Value {
    let pkg = &input.package;
    let steps: Vec<_> = prepared
        .steps
        .iter()
        .map(|step| {
            let mut v = json!({
                "key": step.key.to_string(),
                "title": step.title,
                "leg": step.leg,
                "done": prepared.done.contains(&step.key),
            });
            let script = prepared.scripts.get(&step.key);
            if let (true, Some(script)) = (sql, script) {
                let mut all: Vec<_> = (script.statements.iter().map(|s| (s, false)))
                    .chain(script.taken_over.iter().map(|s| (s, true)))
                    .collect();
                all.sort_by_key(|(s, _)| s.line);
                v["script"] = json!(script.path);
                v["statements"] = all
                    .into_iter()
                    .map(|(s, taken)| json!({"line": s.line, "sql": s.sql, "taken_over": taken}))
                    .collect();
            }
            v
        })
        .collect();
    json!({
        "product": pkg.product.name,
        "rdbms": input.spec.rdbms.to_string(),
        "database": input.spec.redacted(),
        "installed": prepared.installed,
        "target": prepared.route.to.to_string(),
        "pending": !prepared.is_nothing_to_do(),
        "route": prepared.route.describe(),
        "actions": prepared.route.legs.iter().map(|l| l.label()).collect::<Vec<_>>(),
        "resume": prepared.resume.as_ref().map(|r| json!({
            "run_id": r.run_id, "from": r.from, "to": r.to,
            "state": r.state.as_str(), "started_at": r.started_at,
        })),
        "downtime": pkg.product.downtime,
        "backup": if input.settings.backup.skip_reason().is_some() { "skip" } else { "take" },
        "backup_skip_reason": input.settings.backup.skip_reason(),
        "steps": steps,
        "checklist": pkg.checklist,
    })
}

/// The plan as text; a run without --yes on a terminal shows it before asking.
fn show_plan(input: &Input, prepared: &Prepared, sql: bool) {
    let pkg = &input.package;
    if prepared.is_nothing_to_do() {
        say!(
            "{} is at {}, the target; there is nothing to do.",
            pkg.product.name,
            prepared.installed
        );
        return;
    }
    say!(
        "{} upgrade plan for {} database {}",
        pkg.product.name,
        input.spec.rdbms,
        input.spec.redacted()
    );
    say!("Installed: {}", prepared.installed);
    say!("Route:     {}", prepared.route.describe());
    if let Some(reason) = input.settings.backup.skip_reason() {
        say!("{}", engine::BackupChoice::describe_skip(reason));
    }
    if let Some(run) = &prepared.resume {
        say!(
            "Unfinished: the upgrade {} -> {} started {} is {}; running continues it.",
            run.from,
            run.to,
            run.started_at,
            run.state.as_str()
        );
    }
    if let Some(d) = &pkg.product.downtime {
        say!("Downtime:  {d}");
    }
    for (i, leg) in prepared.route.legs.iter().enumerate() {
        say!();
        say!(
            "Action {} of {}: {}",
            i + 1,
            prepared.route.legs.len(),
            leg.label()
        );
        for (n, step) in prepared
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.leg == i)
        {
            let mark = if prepared.done.contains(&step.key) {
                " (done)"
            } else {
                ""
            };
            say!("  {:>3}. {}{mark}", n + 1, step.title);
            if sql {
                if let (StepKind::Script { .. } | StepKind::Items { .. }, Some(script)) =
                    (&step.kind, prepared.scripts.get(&step.key))
                {
                    say!("       -- {}", script.path.display());
                    let mut all: Vec<_> = (script.statements.iter().map(|s| (s, false)))
                        .chain(script.taken_over.iter().map(|s| (s, true)))
                        .collect();
                    all.sort_by_key(|(s, _)| s.line);
                    for (stmt, taken) in all {
                        if taken {
                            let flat = stmt.sql.split_whitespace().collect::<Vec<_>>();
                            say!(
                                "       -- line {}: {} (taken over by upwiz: not sent, the script runs in upwiz's transaction)",
                                stmt.line,
                                flat.join(" ")
                            );
                            continue;
                        }
                        say!("       -- line {}", stmt.line);
                        for line in stmt.sql.lines() {
                            say!("       {line}");
                        }
                        say!("       ;");
                    }
                }
            }
        }
    }
    if !pkg.checklist.is_empty() {
        say!();
        say!("Before running, confirm (upwiz run --yes confirms):");
        for c in &pkg.checklist {
            say!("  [ ] {c}");
        }
    }
}

/// A run without --yes: on a terminal, the plan and the checklist, then y/N; anything
/// but yes changes nothing and exits 2, as a headless run without --yes always has.
fn confirm(input: &mut Input) -> Result<bool, BadInput> {
    let no_terminal = || {
        BadInput(
            "a headless run needs --yes to confirm the plan and the checklist; review them first with 'upwiz plan'".into(),
        )
    };
    if !std::io::stdin().is_terminal() {
        return Err(no_terminal());
    }
    let prepared = preview(input)?;
    if prepared.is_nothing_to_do() {
        // Nothing to confirm: the run says so itself.
        return Ok(true);
    }
    print::shown_whole(|| show_plan(input, &prepared, false));
    let _ = write!(
        std::io::stderr(),
        "Run this upgrade, having done the checklist above? [y/N] "
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return Ok(false);
    }
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

// One parameter a flag of `upwiz run`, as clap hands them over.
#[allow(clippy::too_many_arguments)]
fn run(
    config: Option<&Path>,
    t: &Target,
    to: Option<String>,
    yes: bool,
    json: bool,
    accept_violations: bool,
    wait_for_lock: Option<engine::LockWait>,
    stage: &super::stages::GateFlags,
    backup: Option<String>,
) -> Result<i32, BadInput> {
    if !yes && json {
        // A script reads the events: it confirms with --yes, and is never asked.
        return Err(BadInput(
            "a headless run with --json needs --yes to confirm the plan and the checklist; review them first with 'upwiz plan'".into(),
        ));
    }
    let mut input = resolve(config, t, to)?;
    // One --reason says why an override is taken: --backup skip, --skip-stage-gate, or
    // both (then both record it).
    let skip_backup = backup.as_deref() == Some("skip");
    if stage.reason.is_some() && !skip_backup && !stage.skip_stage_gate {
        return Err(BadInput(
            "--reason says why --backup skip or --skip-stage-gate overrides what upwiz does by default; add one of them, or leave --reason out".into(),
        ));
    }
    let backup_reason = stage.reason.as_deref().filter(|_| skip_backup);
    let gate_flags = super::stages::GateFlags {
        reason: stage.reason.clone().filter(|_| stage.skip_stage_gate),
        ..stage.clone()
    };
    input.settings.backup =
        super::backup_choice::choose(&input.settings, backup.as_deref(), backup_reason)?;
    // Refused before the operator is asked to confirm anything.
    let gate_context = super::stages::gate(&mut input, t, &gate_flags)?;
    if !yes && !confirm(&mut input)? {
        return Err(BadInput("not confirmed; nothing was changed".into()));
    }
    input.authenticate()?;
    let cancel = CancelToken::new();
    super::signals::install(&cancel);
    let req = RunRequest {
        package: input.package.clone(),
        spec: input.spec.clone(),
        target: input.settings.target.clone(),
        dirs: input.settings.dirs.clone(),
        accept_violations,
        checklist_confirmed: true,
        confirmed: None,
        backup: input.settings.backup.clone(),
        stage: gate_context,
    };
    let sink = if json {
        print::json_sink()
    } else {
        print::text_sink()
    };
    let report = engine::run_waiting(&req, wait_for_lock, sink, &cancel);
    if json {
        if let Outcome::BadInput { error } = &report.outcome {
            print::error_line(error);
        }
    } else {
        print::summary(&report, &input.package.after);
    }
    Ok(exit::for_outcome(&report.outcome))
}

fn status(
    config: Option<&Path>,
    t: &Target,
    json_out: bool,
    follow: bool,
) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let followed = follow
        .then(|| super::follow::until_done(&mut session, &input.settings.dirs, json_out))
        .flatten();
    let code = followed.unwrap_or(exit::OK);
    let inspection = session.inspect()?;
    let maintenance = engine::maintenance_state(session.db(), &input.package)?;
    let newest = input.package.newest().to_string();
    let state = match (&inspection.unfinished, &inspection.installed) {
        (Some(run), _) if run.state == engine::RunState::Installing => "install-incomplete",
        (Some(run), _)
            if matches!(
                run.state,
                engine::RunState::Failed | engine::RunState::CompletedWithFailedItems
            ) =>
        {
            "failed"
        }
        (Some(_), _) => "in-progress",
        (None, None) => "not-installed",
        (None, Some(v))
            if v.parse::<crate::package::Version>().ok()
                == Some(input.package.newest().clone()) =>
        {
            "up-to-date"
        }
        (None, Some(_)) => "pending",
    };
    let log_path = input.settings.dirs.log_dir.join(engine::LOG_FILE);
    if json_out {
        let unfinished = inspection.unfinished.as_ref().map(|r| {
            json!({"run_id": r.run_id, "from": r.from, "to": r.to, "state": r.state.as_str(), "started_at": r.started_at, "error": r.error})
        });
        let v = json!({
            "product": input.package.product.name,
            "version": inspection.installed,
            "newest": newest,
            "state": state,
            "lock": inspection.lock,
            "maintenance": maintenance,
            "unfinished": unfinished,
            "other_products_unfinished": inspection.others_unfinished.iter().map(|r| json!({
                "product": r.product, "run_id": r.run_id, "from": r.from, "to": r.to,
                "state": r.state.as_str(), "started_at": r.started_at,
            })).collect::<Vec<_>>(),
            "server": inspection.server_version,
            "log": log_path,
        });
        print::out_object(v);
        return Ok(code);
    }
    say!("Product:   {}", input.package.product.name);
    say!("Database:  {} {}", input.spec.rdbms, input.spec.redacted());
    say!("Server:    {}", inspection.server_version);
    match &inspection.installed {
        Some(v) => say!("Version:   {v} (newest in the package: {newest})"),
        None => say!(
            "Version:   not installed ({})",
            inspection.detect_error.as_deref().unwrap_or("unknown")
        ),
    }
    say!("State:     {state}");
    if state == "install-incomplete" {
        say!("           the install did not finish: run install again to finish it");
    }
    if let Some(r) = &inspection.unfinished {
        say!(
            "Unfinished: {} -> {} started {} ({}){}",
            r.from,
            r.to,
            r.started_at,
            r.state.as_str(),
            r.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        );
    }
    for r in &inspection.others_unfinished {
        say!(
            "Other:     an unfinished upgrade of {} ({} -> {}, {}) is in this database; its own package continues it",
            r.product.as_deref().unwrap_or("another product"),
            r.from,
            r.to,
            r.state.as_str()
        );
    }
    match &inspection.lock {
        None => say!("Lock:      free"),
        Some(o) if o.stale => say!("Lock:      stale ({o}); the next run takes it over"),
        Some(o) => say!("Lock:      held by {o}"),
    }
    match maintenance {
        Some("on") => say!(
            "Maintenance: on: the application is locked out until a run completes the upgrade and switches it off"
        ),
        Some(m) => say!("Maintenance: {m}"),
        None => {}
    }
    say!("Log:       {}", log_path.display());
    Ok(code)
}
