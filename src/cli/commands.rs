//! The headless commands: install, plan, run, status; backups, history and report
//! live in files of their own.

use std::path::Path;

use serde_json::json;

use super::args::{Command, Target};
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::engine::{self, CancelToken, Outcome, RunRequest};
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
    let result = match command {
        Command::Install { version } => install(config, target, version),
        Command::Plan { target: to, sql } => plan(config, target, to, sql),
        Command::Run {
            target: to,
            yes,
            json,
            accept_violations,
        } => run(config, target, to, yes, json, accept_violations).inspect(|_| {
            super::retention::apply(config, target, json);
        }),
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

fn plan(config: Option<&Path>, t: &Target, to: Option<String>, sql: bool) -> Result<i32, BadInput> {
    let mut input = resolve(config, t, to.clone())?;
    let mut session = input.connect()?;
    let prepared = session.preview(input.settings.target.as_deref())?;
    // What a run would refuse, the plan says now.
    engine::check_resume(&prepared)?;
    let pkg = &input.package;
    if prepared.is_nothing_to_do() {
        say!(
            "{} is at {}, the target; there is nothing to do.",
            pkg.product.name,
            prepared.installed
        );
        return Ok(exit::OK);
    }
    say!(
        "{} upgrade plan for {} database {}",
        pkg.product.name,
        input.spec.rdbms,
        input.spec.redacted()
    );
    say!("Installed: {}", prepared.installed);
    say!("Route:     {}", prepared.route.describe());
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
    Ok(exit::OK)
}

fn run(
    config: Option<&Path>,
    t: &Target,
    to: Option<String>,
    yes: bool,
    json: bool,
    accept_violations: bool,
) -> Result<i32, BadInput> {
    if !yes {
        return Err(BadInput(
            "a headless run needs --yes to confirm the plan and the checklist; review them first with 'upwiz plan'".into(),
        ));
    }
    let mut input = resolve(config, t, to)?;
    input.authenticate()?;
    let cancel = CancelToken::new();
    super::signals::install(&cancel);
    let req = RunRequest {
        package: input.package.clone(),
        spec: input.spec.clone(),
        target: input.settings.target.clone(),
        dirs: input.settings.dirs.clone(),
        accept_violations,
        checklist_confirmed: yes,
        confirmed: None,
    };
    let sink = if json {
        print::json_sink()
    } else {
        print::text_sink()
    };
    let report = engine::run(&req, sink, &cancel);
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
            "unfinished": unfinished,
            "other_products_unfinished": inspection.others_unfinished.iter().map(|r| json!({
                "product": r.product, "run_id": r.run_id, "from": r.from, "to": r.to,
                "state": r.state.as_str(), "started_at": r.started_at,
            })).collect::<Vec<_>>(),
            "server": inspection.server_version,
            "log": log_path,
        });
        print::out_json(&v.to_string());
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
    say!("Log:       {}", log_path.display());
    Ok(code)
}
