//! The stage gate on the wizard's Plan screen: the same judgement as
//! `upwiz run --environment`, made with the plan's preview, before Finish. The wizard
//! has no override and reads no stage report: its refusal names the command line's.

use super::effects::Context;
use super::model::PlanInfo;
use crate::credentials;
use crate::db::ConnectSpec;
use crate::rdbms::Rdbms;
use crate::stages::evaluate::{self, Decision, Evidence, GateQuery};
use crate::stages::{environments, Environment};

/// Fills in the plan's stage gate: what the run records, or why it is refused.
pub fn apply(ctx: &Context, spec: &ConnectSpec, mut info: PlanInfo) -> PlanInfo {
    if info.nothing_to_do {
        return info;
    }
    let Some(env) = evaluate::matching(&ctx.environments, spec) else {
        return info;
    };
    match judge(ctx, env, &info.to) {
        Ok(stage) => info.stage = stage,
        Err(why) => info.stage_refused = Some(why),
    }
    info
}

fn judge(
    ctx: &Context,
    env: &Environment,
    target: &str,
) -> Result<Option<crate::stages::marks::GateContext>, String> {
    let Some(prev) = env.follows.as_deref() else {
        return Ok(evaluate::first_stage(env));
    };
    let name = &env.name;
    let cli = format!("upwiz run --environment {name} --skip-stage-gate --reason \"...\"");
    let prev_env = environments::find(&ctx.environments, prev).map_err(|e| {
        format!("The stage gate of {name} cannot find {prev}, the stage before it: {e}. Nothing was changed.")
    })?;
    let decision = evaluate::evaluate(&GateQuery {
        package: &ctx.package,
        env,
        target,
        evidence: Evidence::Journal(&prev_spec(ctx, prev_env)),
        skip_reason: None,
    })
    .map_err(|e| {
        format!("The stage gate of {name} cannot read what {prev}, the stage before it, did: {e}. Nothing was changed. To go on anyway, use the command line: {cli}")
    })?;
    match decision {
        Decision::Open(c) | Decision::Skipped { context: c, .. } => Ok(Some(c)),
        Decision::Refused { why, .. } => Err(format!(
            "The stage gate refuses to upgrade {name} to {target}: {name} follows {prev}, and {why}. Run the upgrade on {prev} first. Nothing was changed. To go on anyway (recorded in the journal), use the command line: {cli}"
        )),
        Decision::Unreachable { error, .. } => Err(format!(
            "The stage gate of {name} needs the journal of {prev}, the stage before it, and its database cannot be reached from here ({error}). Nothing was changed. Use the command line: upwiz run --environment {name} --stage-report FILE (FILE made on {prev} with 'upwiz report --json --environment {prev} > FILE'), or {cli}"
        )),
    }
}

/// The stage before's database, with the password the wizard would use for it.
fn prev_spec(ctx: &Context, env: &Environment) -> ConnectSpec {
    let user = env.user.as_deref();
    let bare = super::connect::spec(env.rdbms, &env.connect, user, None);
    let password = match env.rdbms {
        Rdbms::Sqlite => None,
        _ => credentials::from_env().or_else(|| {
            let user = bare.user.clone()?;
            ctx.keyring
                .then(|| credentials::from_keyring(&user, &bare.redacted()))
                .flatten()
        }),
    };
    super::connect::spec(env.rdbms, &env.connect, user, password).with_limits(ctx.limits)
}
