//! The one executor of the state machine's blocking effects: the runtime runs it on
//! worker threads, the flow tests in line, so the tests exercise what the binary runs.
//! Starting and cancelling the run belong to the loop that owns the engine thread.

use std::sync::Arc;

use super::event::{Done, Effect};
use super::model::PlanInfo;
use super::{ways_back, worker};
use crate::db::{ConnectSpec, Limits};
use crate::engine::{self, ConfirmedPlan, RunRequest};
use crate::package::Package;
use crate::paths::Dirs;

/// What the effects work with: the package, where things go, the target version.
#[derive(Clone)]
pub struct Context {
    pub package: Arc<Package>,
    pub dirs: Dirs,
    pub target: Option<String>,
    /// The configured connect and lock timeouts, for every connection the wizard makes.
    pub limits: Limits,
    /// Whether runs take their backup (the config's `backup`).
    pub backup: crate::engine::BackupChoice,
    /// The config file's stages, for the stage gate of the Plan screen.
    pub environments: Vec<crate::stages::Environment>,
    /// Whether passwords may come from the keyring (the stage before's, for its journal).
    pub keyring: bool,
}

/// Carries out a blocking effect and gives its answer; `Err` hands back the effects
/// that are not blocking jobs (Start, Cancel) for the loop to carry out.
pub fn work(effect: Effect, ctx: &Context) -> Result<Done, Box<Effect>> {
    Ok(match effect {
        Effect::Inspect { seq, spec } => Done::Inspected {
            seq,
            result: worker::inspect(&ctx.package, &spec.with_limits(ctx.limits)),
        },
        Effect::Test { seq, spec } => Done::Tested {
            seq,
            result: worker::inspect(&ctx.package, &spec.with_limits(ctx.limits)),
        },
        Effect::Plan {
            seq,
            spec,
            remember,
        } => {
            let spec = spec.with_limits(ctx.limits);
            Done::Planned {
                seq,
                result: worker::plan(
                    &ctx.package,
                    &spec,
                    ctx.target.as_deref(),
                    &ctx.dirs,
                    remember,
                )
                .map(|info| PlanInfo {
                    backup_skip: ctx.backup.skip_reason().map(str::to_string),
                    ..info
                })
                .map(|info| super::stage_gate::apply(ctx, &spec, info)),
            }
        }
        Effect::ReadStateFile { spec } => {
            let path = engine::state_file_path(&ctx.dirs.state_dir, &spec);
            Done::Followed(engine::follow::snapshot(
                &path,
                super::screens::welcome::FOLLOW_LINES,
            ))
        }
        Effect::ProbeKeyring { user, target } => {
            let (available, remembered) = worker::probe_keyring(&user, &target);
            Done::Keyring {
                available,
                remembered,
                place: worker::keyring_place(),
            }
        }
        Effect::ResetDemo => Done::DemoReset(worker::reset_demo(&ctx.package, &ctx.dirs)),
        Effect::Rehearse { spec } => Done::Rehearsed(rehearse(ctx, spec)),
        Effect::History { spec } => Done::History(ways_back::history(
            &ctx.package,
            &spec.with_limits(ctx.limits),
        )),
        Effect::Restore { spec, backup } => Done::Restored(ways_back::restore(
            &ctx.package,
            &spec.with_limits(ctx.limits),
            &ctx.dirs,
            backup.as_deref(),
        )),
        other @ (Effect::Start { .. } | Effect::Cancel { .. }) => return Err(Box::new(other)),
    })
}

/// Splits the blocking jobs, which may go to another thread, from what the loop
/// must carry out itself.
pub fn work_later(effect: Effect) -> Result<Effect, Box<Effect>> {
    match effect {
        Effect::Start { .. } | Effect::Cancel { .. } => Err(Box::new(effect)),
        job => Ok(job),
    }
}

/// A rehearsal with the wizard's settings; its events are not shown, its summary is.
fn rehearse(ctx: &Context, spec: ConnectSpec) -> Result<Box<engine::rehearse::Rehearsal>, String> {
    let req = engine::rehearse::RehearseRequest {
        package: ctx.package.clone(),
        spec: spec.with_limits(ctx.limits),
        target: ctx.target.clone(),
        dirs: ctx.dirs.clone(),
        accept_violations: false,
        keep: false,
    };
    engine::rehearse::rehearse(&req, Box::new(|_| {}), &engine::CancelToken::new())
        .map(Box::new)
        .map_err(|e| e.to_string())
}

/// The run the operator confirmed, as the engine takes it.
pub fn run_request(
    ctx: &Context,
    spec: ConnectSpec,
    accept_violations: bool,
    confirmed: ConfirmedPlan,
    stage: Option<crate::stages::marks::GateContext>,
) -> RunRequest {
    RunRequest {
        package: ctx.package.clone(),
        spec: spec.with_limits(ctx.limits),
        target: ctx.target.clone(),
        dirs: ctx.dirs.clone(),
        accept_violations,
        checklist_confirmed: true,
        confirmed: Some(confirmed),
        backup: ctx.backup.clone(),
        stage,
    }
}
