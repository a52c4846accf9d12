//! `upwiz repair`: a recorded way out of a stuck state, stated before it is done.

use std::path::Path;

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::said::Said;
use crate::engine::{ways_out, LockFailure, LockOwner, Repair, RepairError};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    abandon_run: bool,
    accept_checksum: Option<String>,
    reason: Option<String>,
    yes: bool,
    json: bool,
) -> Result<i32, BadInput> {
    let mut said = Said::new(json);
    let repair = match (abandon_run, accept_checksum) {
        (true, None) => Repair::AbandonRun,
        (false, Some(script)) => Repair::AcceptChecksum(script),
        _ => {
            return Err(BadInput(
                "say which repair: --abandon-run (close the failed or interrupted run) or --accept-checksum SCRIPT (accept a changed applied script)".into(),
            ))
        }
    };
    let reason = given_reason(reason)?;
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let plan = ways_out::plan_repair(session.db(), &input.package, &repair).map_err(refused)?;
    said.line(format!(
        "Repair of {} in {} database {}: {}.",
        input.package.product.name,
        input.spec.rdbms,
        input.spec.redacted(),
        plan.description
    ));
    said.line(format!("Reason: {reason}"));
    said.set("action", plan_action(&repair));
    said.set("description", &plan.description);
    said.set("reason", &reason);
    said.set("done", false);
    if !yes {
        said.line("Nothing was changed: run again with --yes to do it.".into());
        return Ok(said.finish(exit::BAD_INPUT));
    }
    let mut locked = match session.lock(LockOwner::me(&format!("repair-{}", std::process::id()))) {
        Ok(l) => l,
        Err(LockFailure::Held(owner)) => {
            said.error(format!(
                "refused: another upgrade of this database is running ({owner}); nothing was changed"
            ));
            return Ok(said.finish(exit::LOCKED));
        }
        Err(LockFailure::Busy(e)) => {
            said.error(format!("refused: {e}; nothing was changed"));
            return Ok(said.finish(exit::LOCKED));
        }
        Err(e) => {
            said.error(format!("repair failed: {e}"));
            return Ok(said.finish(exit::STEP_FAILED));
        }
    };
    // Decided again under the lock: a run may have moved things since it was shown.
    let plan = ways_out::plan_repair(locked.db(), &input.package, &repair).map_err(refused)?;
    match ways_out::apply_repair(locked.db(), &input.package, &plan, &reason) {
        Ok(record) => {
            said.set("done", true);
            said.set("record", &record);
            if let Some(run) = &record.run_id {
                ways_out::forget_mirror(
                    &input.settings.dirs.state_dir,
                    &input.spec,
                    Some(std::slice::from_ref(run)),
                );
            }
            said.line(format!(
                "Done: {} recorded in the journal at {} by {} on {}.",
                record.action, record.at, record.user, record.host
            ));
            Ok(said.finish(exit::OK))
        }
        Err(e) => {
            said.error(format!("repair failed: {e}"));
            Ok(said.finish(exit::STEP_FAILED))
        }
    }
}

/// `repair --list`: every way out recorded for the product, oldest first.
pub fn list(config: Option<&Path>, t: &Target, json: bool) -> Result<i32, BadInput> {
    let mut said = Said::new(json);
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let product = input.package.product.name.clone();
    let records = crate::engine::Journal::new(session.db()).repairs(&product)?;
    said.set("repairs", &records);
    if records.is_empty() {
        said.line(format!(
            "No repair, unlock or restore of {product} is on record here."
        ));
    }
    for r in records {
        let run = r
            .run_id
            .as_deref()
            .map(|id| format!(" run {id}:"))
            .unwrap_or_default();
        said.line(format!(
            "{} {} by {} on {}:{run} {}",
            r.at, r.action, r.user, r.host, r.detail
        ));
        said.line(format!("    reason: {}", r.reason));
    }
    Ok(said.finish(exit::OK))
}

fn plan_action(repair: &Repair) -> &'static str {
    match repair {
        Repair::AbandonRun => "abandon-run",
        Repair::AcceptChecksum(_) => "accept-checksum",
    }
}

fn refused(e: RepairError) -> BadInput {
    BadInput(format!("{e}; nothing was changed"))
}

/// The operator's reason, which every way out is recorded with.
pub fn given_reason(reason: Option<String>) -> Result<String, BadInput> {
    match reason.map(|r| r.trim().to_string()) {
        Some(r) if !r.is_empty() => Ok(r),
        _ => Err(BadInput(
            "give the reason with --reason \"...\": it is recorded in the journal with the repair"
                .into(),
        )),
    }
}
