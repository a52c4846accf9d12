//! `upwiz rehearse`: the whole upgrade on a scratch copy of the database, with the time
//! of each step and the downtime to expect of the real run.

use std::path::Path;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use super::said::Said;
use crate::engine::rehearse::{self, RehearseError, RehearseRequest};
use crate::engine::{CancelToken, Outcome};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    to: Option<String>,
    keep: bool,
    accept_violations: bool,
    json: bool,
) -> Result<i32, BadInput> {
    let mut said = Said::new(json);
    let mut input = resolve(config, t, to)?;
    // Asks for the password, if the server wants one, before anything starts.
    drop(input.connect()?);
    let cancel = CancelToken::new();
    super::signals::install(&cancel);
    let req = RehearseRequest {
        package: input.package.clone(),
        spec: input.spec.clone(),
        target: input.settings.target.clone(),
        dirs: input.settings.dirs.clone(),
        accept_violations,
        keep,
    };
    let sink = if json {
        Box::new(|_| {})
    } else {
        print::text_sink()
    };
    said.set("database", input.spec.redacted());
    let done = match rehearse::rehearse(&req, sink, &cancel) {
        Ok(done) => done,
        Err(RehearseError::BadInput(msg)) => return Err(BadInput(msg)),
        Err(e @ RehearseError::Locked(_)) => {
            said.error(format!("refused: {e}"));
            return Ok(said.finish(exit::LOCKED));
        }
        Err(e @ RehearseError::Copy { .. }) => {
            said.set("failed_at", "copy");
            said.error(e.to_string());
            // A stop asked for while copying ends the rehearsal as interrupted.
            let code = match cancel.is_cancelled() {
                true => Outcome::Interrupted {
                    signal: cancel.signal(),
                }
                .exit_code(),
                false => exit::STEP_FAILED,
            };
            return Ok(said.finish(code));
        }
    };
    let code = done.exit_code();
    let (outcome, detail) = describe(&done.run.outcome);
    said.set("outcome", outcome);
    said.set("rehearsal", &done);
    if done.run.outcome == Outcome::NothingToDo {
        said.line(format!(
            "{} is at {}, the target: there is nothing to rehearse; nothing was copied.",
            input.package.product.name,
            done.run.summary.reached.as_deref().unwrap_or("its target")
        ));
        return Ok(said.finish(code));
    }
    said.line(String::new());
    said.line(format!(
        "Rehearsal of {} on a copy of {}: {outcome}{detail}",
        input.package.product.name,
        input.spec.redacted()
    ));
    if let Some(route) = &done.route {
        said.line(format!("Route: {route}"));
    }
    said.line(format!(
        "Copy: {:.1}s (not part of the real run)",
        done.copy_time.as_secs_f64()
    ));
    for s in &done.steps {
        said.line(format!(
            "  {:>8.1}s  {:<13} [{}] {}",
            s.elapsed.as_secs_f64(),
            status(s.status),
            s.leg,
            s.title
        ));
    }
    let legs = if done.downtime_legs.is_empty() {
        "no step ran".to_string()
    } else {
        done.downtime_legs.join(", ")
    };
    said.line(format!(
        "Expected downtime of the real run: {:.1}s (the sum of its steps; legs {legs}), plus the time of the pre-upgrade backup it takes",
        done.downtime.as_secs_f64()
    ));
    if let Some(step) = &done.failed_at {
        said.line(format!("Failed at: {step}"));
    }
    if !done.failed_items.is_empty() {
        said.line(format!("Failed items: {}", done.failed_items.len()));
        for f in &done.failed_items {
            said.line(format!("  {} {} ({}): {}", f.step, f.id, f.name, f.error));
        }
    }
    if done.violations.is_empty() {
        said.line("Violations after the upgrade: none.".into());
    } else {
        said.line(format!(
            "Violations after the upgrade: {}",
            done.violations.len()
        ));
        for v in done.violations.iter().take(20) {
            said.line(format!("  {v}"));
        }
    }
    said.line(format!(
        "Log and reports of the rehearsal: {}",
        done.dir.display()
    ));
    if done.kept {
        said.line(format!(
            "The scratch copy is kept: {} (drop it when done)",
            done.scratch
        ));
    } else if let Some(e) = &done.drop_error {
        said.error(e.clone());
    } else {
        said.line(format!("The scratch copy {} was dropped.", done.scratch));
    }
    said.line("The real database was only read; nothing in it was changed.".into());
    Ok(said.finish(code))
}

fn describe(o: &Outcome) -> (&'static str, String) {
    match o {
        Outcome::Completed => ("completed", String::new()),
        Outcome::NothingToDo => ("nothing to do", String::new()),
        Outcome::CompletedWithFailedItems { failed } => (
            "completed with failed items",
            format!(" ({} failed)", failed.len()),
        ),
        Outcome::Failed { step, error } => ("failed", format!(" at step '{step}': {error}")),
        Outcome::Interrupted { .. } => ("interrupted", String::new()),
        Outcome::Locked { owner } => ("failed", format!(": the copy was locked ({owner})")),
        Outcome::Busy { reason } => ("failed", format!(": {reason}")),
        Outcome::BadInput { error } => ("failed", format!(": {error}")),
    }
}

fn status(s: crate::engine::StepStatus) -> &'static str {
    use crate::engine::StepStatus::*;
    match s {
        Done => "done",
        Skipped => "already done",
        Warned => "warnings",
        Failed => "FAILED",
    }
}
