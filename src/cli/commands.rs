//! The headless commands: install, plan, run, status.

use std::path::Path;

use serde_json::json;

use super::args::{Command, Target};
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::db::{self, OpenMode};
use crate::engine::{self, CancelToken, Outcome, RunRequest};
use crate::plan::StepKind;

pub fn dispatch(config: Option<&Path>, target: &Target, command: Command) -> i32 {
    let result = match command {
        Command::Install { version } => install(config, target, version),
        Command::Plan { target: to, sql } => plan(config, target, to, sql),
        Command::Run {
            target: to,
            yes,
            json,
            accept_violations,
        } => run(config, target, to, yes, json, accept_violations),
        Command::Status { json } => status(config, target, json),
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
    let input = resolve(config, t, None)?;
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
    let input = resolve(config, t, to.clone())?;
    let mut conn = db::open(&input.spec, OpenMode::Existing)?;
    let prepared = engine::prepare(
        conn.as_mut(),
        &input.package,
        input.settings.target.as_deref(),
    )?;
    let pkg = &input.package;
    if prepared.is_nothing_to_do() {
        println!(
            "{} is at {}, the target; there is nothing to do.",
            pkg.product.name, prepared.installed
        );
        return Ok(exit::OK);
    }
    println!(
        "{} upgrade plan for {} database {}",
        pkg.product.name,
        input.spec.rdbms,
        input.spec.redacted()
    );
    println!("Installed: {}", prepared.installed);
    println!("Route:     {}", prepared.route.describe());
    if let Some(run) = &prepared.resume {
        println!(
            "Unfinished: the upgrade {} -> {} started {} is {}; running continues it.",
            run.from,
            run.to,
            run.started_at,
            run.state.as_str()
        );
    }
    if let Some(d) = &pkg.product.downtime {
        println!("Downtime:  {d}");
    }
    for (i, leg) in prepared.route.legs.iter().enumerate() {
        println!();
        println!(
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
            println!("  {:>3}. {}{mark}", n + 1, step.title);
            if sql {
                if let (StepKind::Script { .. } | StepKind::Items { .. }, Some(script)) =
                    (&step.kind, prepared.scripts.get(&step.key))
                {
                    println!("       -- {}", script.path.display());
                    for stmt in &script.statements {
                        println!("       -- line {}", stmt.line);
                        for line in stmt.sql.lines() {
                            println!("       {line}");
                        }
                        println!("       ;");
                    }
                }
            }
        }
    }
    if !pkg.checklist.is_empty() {
        println!();
        println!("Before running, confirm (upwiz run --yes confirms):");
        for c in &pkg.checklist {
            println!("  [ ] {c}");
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
    let input = resolve(config, t, to)?;
    let cancel = CancelToken::new();
    super::signals::install(&cancel);
    let req = RunRequest {
        package: input.package.clone(),
        spec: input.spec.clone(),
        target: input.settings.target.clone(),
        dirs: input.settings.dirs.clone(),
        accept_violations,
        checklist_confirmed: yes,
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
        print::summary(&report);
    }
    Ok(exit::for_outcome(&report.outcome))
}

fn status(config: Option<&Path>, t: &Target, json_out: bool) -> Result<i32, BadInput> {
    let input = resolve(config, t, None)?;
    let mut conn = db::open(&input.spec, OpenMode::Existing)?;
    let inspection = engine::inspect(conn.as_mut(), &input.package)?;
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
            "server": inspection.server_version,
            "log": log_path,
        });
        println!("{v}");
        return Ok(exit::OK);
    }
    println!("Product:   {}", input.package.product.name);
    println!("Database:  {} {}", input.spec.rdbms, input.spec.redacted());
    println!("Server:    {}", inspection.server_version);
    match &inspection.installed {
        Some(v) => println!("Version:   {v} (newest in the package: {newest})"),
        None => println!(
            "Version:   not installed ({})",
            inspection.detect_error.as_deref().unwrap_or("unknown")
        ),
    }
    println!("State:     {state}");
    if state == "install-incomplete" {
        println!("           the install did not finish: run install again to finish it");
    }
    if let Some(r) = &inspection.unfinished {
        println!(
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
    match &inspection.lock {
        None => println!("Lock:      free"),
        Some(o) if o.stale => println!("Lock:      stale ({o}); the next run takes it over"),
        Some(o) => println!("Lock:      held by {o}"),
    }
    println!("Log:       {}", log_path.display());
    Ok(exit::OK)
}
