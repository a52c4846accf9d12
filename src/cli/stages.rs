//! Stages on the command line: the gate of `upwiz run --environment NAME`, and
//! `upwiz stages`, every environment of the config file in stage order.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

use super::args::Target;
use super::exit;
use super::input::{environment_spec, BadInput, Input};
use super::print;
use crate::engine::{history, Session};
use crate::stages::evaluate::{self, Decision, Evidence, GateQuery};
use crate::stages::marks::{self, GateContext};
use crate::stages::{checksum, environments, Environment};

/// The stage gate's flags of `upwiz run`.
#[derive(Debug, Args, Default, Clone)]
pub struct GateFlags {
    /// With --environment: the report of the stage before ('upwiz report --json' there),
    /// read instead of its journal when its database cannot be reached from here.
    #[arg(long, value_name = "FILE")]
    pub stage_report: Option<PathBuf>,
    /// With --environment: upgrade although the stage before has not completed the same
    /// upgrade with this package. Needs --reason; both are recorded in the journal and
    /// the report.
    #[arg(long)]
    pub skip_stage_gate: bool,
    /// Why the stage gate (--skip-stage-gate) or the backup (--backup skip) is skipped;
    /// the journal and the report keep it.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// Before a run with --environment: refuses (exit 2, nothing changed) to upgrade a
/// stage to a version the stage before it has not completed with this package, unless
/// the operator skips the gate with a reason. Gives what the run records of it.
pub fn gate(input: &mut Input, t: &Target, f: &GateFlags) -> Result<Option<GateContext>, BadInput> {
    // A stage's database named by its connect string is still that stage: the gate
    // is not skipped by leaving out --environment.
    let named = input
        .settings
        .environment
        .clone()
        .or_else(|| evaluate::matching(&input.settings.environments, &input.spec).cloned());
    let Some(env) = named else {
        if f.skip_stage_gate || f.stage_report.is_some() || f.reason.is_some() {
            return Err(BadInput(
                "--skip-stage-gate, --reason and --stage-report go with --environment NAME: the stage gate is a rule between environments".into(),
            ));
        }
        return Ok(None);
    };
    let reason = f.reason.as_deref().map(str::trim);
    if reason.is_some() && !f.skip_stage_gate {
        return Err(BadInput(
            "--reason on 'upwiz run' says why --skip-stage-gate skips the stage gate; add --skip-stage-gate or leave it out".into(),
        ));
    }
    if f.skip_stage_gate && reason.is_none_or(str::is_empty) {
        return Err(BadInput(
            "--skip-stage-gate needs a reason: --reason TEXT (recorded in the journal and the report)".into(),
        ));
    }
    if let Some(first) = evaluate::first_stage(&env) {
        return Ok(Some(first));
    }
    let prev = env.follows.clone().unwrap_or_default();
    let prepared = {
        let mut session = input.connect()?;
        session.preview(input.settings.target.as_deref())?
    };
    if prepared.is_nothing_to_do() {
        return Ok(None);
    }
    let target = prepared.route.to.to_string();
    let report = f.stage_report.as_deref().map(read_report).transpose()?;
    let prev_spec;
    let evidence = match &report {
        Some(r) => Evidence::Report(r),
        None => {
            let prev_env = environments::find(&input.settings.environments, &prev)?;
            prev_spec = environment_spec(prev_env, t, &input.settings)?;
            Evidence::Journal(&prev_spec)
        }
    };
    let decision = evaluate::evaluate(&GateQuery {
        package: &input.package,
        env: &env,
        target: &target,
        evidence,
        skip_reason: reason.filter(|_| f.skip_stage_gate),
    })?;
    match decision {
        Decision::Open(context) => {
            print::debug(&format!("stage gate: {}", context.detail));
            Ok(Some(context))
        }
        Decision::Skipped { context, why } => {
            let reason = context.reason.clone().unwrap_or_default();
            print::error_line(&format!("warning: stage gate skipped ({reason}): {why}"));
            Ok(Some(context))
        }
        Decision::Unreachable { prev, error } => Err(BadInput(format!(
            "the stage gate of {env} needs the journal of {prev}, the stage before it, and its database cannot be reached from here ({error}): pass {prev}'s report with --stage-report FILE (made there with 'upwiz report --json --environment {prev} > FILE'), or skip the gate with --skip-stage-gate --reason TEXT; nothing was changed",
            env = env.name
        ))),
        Decision::Refused { prev, why } => {
            let package = if input.settings.is_demo {
                String::new()
            } else {
                format!(" --package {}", input.settings.package_dir.display())
            };
            Err(BadInput(format!(
                "the stage gate refuses to upgrade {env} to {target}: {env} follows {prev}, and {why}. Run the upgrade there first ('upwiz run --environment {prev}{package} --target {target}'), or go on anyway with --skip-stage-gate --reason TEXT (recorded in the journal and the report); nothing was changed",
                env = env.name
            )))
        }
    }
}

fn read_report(file: &Path) -> Result<Value, BadInput> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        BadInput(format!(
            "cannot read the stage report {}: {e}",
            file.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        BadInput(format!(
            "{}:{}: not the output of 'upwiz report --json' ({e})",
            file.display(),
            e.line()
        ))
    })
}

/// What `upwiz stages` shows of one environment.
fn look(env: &Environment, t: &Target, input: &Input, sha: &str) -> Value {
    let mut v = json!({
        "name": env.name,
        "follows": env.follows,
        "rdbms": env.rdbms.to_string(),
        "database": "",
        "reachable": false,
        "error": null,
        "version": null,
        "last_run": null,
        "package_sha256": null,
        "this_package": null,
    });
    let spec = match environment_spec(env, t, &input.settings) {
        Ok(s) => s,
        Err(BadInput(e)) => {
            v["error"] = json!(e);
            return v;
        }
    };
    v["database"] = json!(spec.redacted());
    // A stage that does not answer is marked as such, not waited for.
    let mut limits = spec.limits;
    limits.connect = limits.connect.min(Duration::from_secs(3));
    let spec = spec.with_limits(limits);
    let mut session = match Session::connect(&spec, input.package.clone()) {
        Ok(s) => s,
        Err(e) => {
            v["error"] = json!(e.to_string());
            return v;
        }
    };
    v["reachable"] = json!(true);
    let product = &input.package.product.name;
    match session.inspect() {
        Ok(i) => v["version"] = json!(i.installed),
        Err(e) => v["error"] = json!(e.to_string()),
    }
    let runs = history::history(session.db(), product).unwrap_or_default();
    if let Some(r) = runs.last() {
        v["last_run"] = json!({
            "run_id": r.run_id, "from": r.from, "to": r.to, "what": r.route_words(), "state": r.state,
            "started_at": r.started_at, "finished_at": r.finished_at,
        });
    }
    // The package of the newest completed run: what this stage hands on to the next.
    if let Some(r) = runs.iter().rev().find(|r| r.state == "completed") {
        if let Ok(Some(m)) = marks::of(session.db(), &r.run_id) {
            v["this_package"] = json!(m.package_sha256 == sha);
            v["package_sha256"] = json!(m.package_sha256);
        }
    }
    v
}

/// `upwiz stages`: every environment in stage order, its version, its last run and
/// whether it completed with the package its predecessor completed with.
pub fn stages(config: Option<&Path>, t: &Target, json_out: bool) -> Result<i32, BadInput> {
    let settings = super::input::settings(config, t, None)?;
    if settings.environments.is_empty() {
        return Err(BadInput(
            "the config file defines no [[environment]]: add one per stage (see config.example.toml and docs/fleet.md)".into(),
        ));
    }
    let package = std::sync::Arc::new(settings.load_package()?);
    let sha = checksum::package_sha256(&package.dir).unwrap_or_default();
    let spec = crate::db::ConnectSpec::parse(crate::rdbms::Rdbms::Sqlite, ":memory:", None, None)?;
    let input = Input {
        settings,
        package,
        spec,
    };
    let mut rows: Vec<Value> = Vec::new();
    for env in &input.settings.environments {
        let mut v = look(env, t, &input, &sha);
        let prev = env
            .follows
            .as_ref()
            .and_then(|f| rows.iter().find(|r| r["name"] == json!(f)));
        v["matches_previous"] = match prev {
            None => Value::Null,
            Some(p) => match (p["package_sha256"].as_str(), v["package_sha256"].as_str()) {
                (Some(a), Some(b)) => json!(a == b),
                _ => Value::Null,
            },
        };
        rows.push(v);
    }
    if json_out {
        print::out_object(json!({
            "product": input.package.product.name,
            "package_sha256": sha,
            "environments": rows,
        }));
        return Ok(exit::OK);
    }
    print::out(&format!(
        "{} stages (this package: {})",
        input.package.product.name,
        checksum::short(&sha)
    ));
    for v in &rows {
        print::out(&text_row(v));
    }
    Ok(exit::OK)
}

fn text_row(v: &Value) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    let name = match v["follows"].as_str() {
        Some(f) => format!("{} (after {f})", s("name")),
        None => s("name"),
    };
    if v["reachable"] != json!(true) {
        return format!(
            "  {name:<24} unreachable: {}",
            v["error"].as_str().unwrap_or("unknown error")
        );
    }
    let version = v["version"].as_str().unwrap_or("not installed");
    let last = match v.get("last_run").filter(|r| !r.is_null()) {
        Some(r) => format!(
            "last run {} {} {}",
            r["what"].as_str().unwrap_or("-"),
            r["state"].as_str().unwrap_or("-"),
            r["finished_at"]
                .as_str()
                .or(r["started_at"].as_str())
                .unwrap_or("-")
        ),
        None => "no run yet".into(),
    };
    let package = match (v["package_sha256"].as_str(), &v["matches_previous"]) {
        (None, _) => String::new(),
        (Some(p), Value::Bool(true)) => {
            format!("; package {} as its predecessor", checksum::short(p))
        }
        (Some(p), Value::Bool(false)) => {
            format!(
                "; package {} DIFFERS from its predecessor's",
                checksum::short(p)
            )
        }
        (Some(p), _) => format!("; package {}", checksum::short(p)),
    };
    format!("  {name:<24} {version:<10} {last}{package}")
}
