//! The stage gate as every front end applies it: which environment a run is for,
//! what the evidence of the stage before says, and what the run must record. The
//! command line and the wizard word the answer for their own operator.

use serde_json::Value as Json;

use super::gate::{self, Verdict};
use super::marks::GateContext;
use super::{checksum, Environment};
use crate::db::ConnectSpec;
use crate::engine::Session;
use crate::package::Package;
use std::sync::Arc;

/// Where the gate reads what the stage before did.
pub enum Evidence<'a> {
    /// The report its run wrote (`upwiz report --json`).
    Report(&'a Json),
    /// Its journal, over a connection to its database.
    Journal(&'a ConnectSpec),
}

/// What the gate asks of one run.
pub struct GateQuery<'a> {
    pub package: &'a Arc<Package>,
    /// The environment the run is for; it follows another (see [`first_stage`]).
    pub env: &'a Environment,
    /// The version the run upgrades to.
    pub target: &'a str,
    pub evidence: Evidence<'a>,
    /// The operator's reason to skip the gate, when they skip it.
    pub skip_reason: Option<&'a str>,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The run may go; it records this with itself.
    Open(GateContext),
    /// The gate would refuse (`why`), but the operator skipped it; the run records it.
    Skipped { context: GateContext, why: String },
    /// The stage before has not completed this upgrade with this package: `why` is a
    /// sentence about it ("test is at 10.0 ...").
    Refused { prev: String, why: String },
    /// The stage before cannot be reached, and there is no report of it.
    Unreachable { prev: String, error: String },
}

/// What went wrong while reading the evidence (not a refusal: the gate could not judge).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GateError(pub String);

/// The environment whose database `spec` names (the RDBMS and where the database is;
/// who connects does not matter), so a stage typed by hand is still that stage.
pub fn matching<'a>(envs: &'a [Environment], spec: &ConnectSpec) -> Option<&'a Environment> {
    let identity = spec.identity();
    envs.iter().find(|e| {
        e.rdbms == spec.rdbms
            && ConnectSpec::parse(e.rdbms, &e.connect, e.user.clone(), None)
                .is_ok_and(|s| s.identity() == identity)
    })
}

/// What a run of the first stage records: there is no stage before to ask.
pub fn first_stage(env: &Environment) -> Option<GateContext> {
    env.follows.is_none().then(|| GateContext {
        environment: env.name.clone(),
        gate: "first-stage".into(),
        reason: None,
        detail: "the first stage".into(),
    })
}

/// Judges whether the run of `q.env` to `q.target` may go. Nothing is changed anywhere:
/// the stage before is only read.
pub fn evaluate(q: &GateQuery) -> Result<Decision, GateError> {
    if let Some(c) = first_stage(q.env) {
        return Ok(Decision::Open(c));
    }
    let prev = q.env.follows.clone().unwrap_or_default();
    let product = q.package.product.name.clone();
    let target = q.target;
    let sha = checksum::package_sha256(&q.package.dir).map_err(|e| {
        GateError(format!(
            "cannot read the package {} to compute its checksum: {e}",
            q.package.dir.display()
        ))
    })?;
    let verdict = match &q.evidence {
        Evidence::Report(report) => gate::from_report(report, &prev, &product, &sha, target),
        Evidence::Journal(spec) => match Session::connect(spec, q.package.clone()) {
            Ok(mut s) => {
                let err = |e: &dyn std::fmt::Display| GateError(e.to_string());
                let installed = s.inspect().map_err(|e| err(&e))?.installed;
                gate::from_journal(s.db(), &prev, installed.as_deref(), &product, &sha, target)
                    .map_err(|e| err(&e))?
            }
            Err(e) if q.skip_reason.is_some() => {
                Verdict::Refused(format!("{prev} cannot be reached from here ({e})"))
            }
            Err(e) => {
                return Ok(Decision::Unreachable {
                    prev,
                    error: e.to_string(),
                })
            }
        },
    };
    let context = |gate: &str, reason: Option<String>, detail: String| GateContext {
        environment: q.env.name.clone(),
        gate: gate.into(),
        reason,
        detail,
    };
    Ok(match verdict {
        Verdict::Passed { run_id } => Decision::Open(context(
            "passed",
            None,
            format!("{prev} completed the upgrade to {target} with this package in run {run_id}"),
        )),
        Verdict::Refused(why) => match q.skip_reason {
            Some(reason) => Decision::Skipped {
                context: context("skipped", Some(reason.to_string()), why.clone()),
                why,
            },
            None => Decision::Refused { prev, why },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdbms::Rdbms;

    fn env(name: &str, rdbms: Rdbms, connect: &str, user: Option<&str>) -> Environment {
        Environment {
            name: name.into(),
            rdbms,
            connect: connect.into(),
            user: user.map(str::to_string),
            follows: None,
        }
    }

    #[test]
    fn a_database_is_its_environment_whoever_connects_and_however_it_is_spelled() {
        let envs = [
            env(
                "test",
                Rdbms::Postgres,
                "postgres://app@test-db:5432/repo",
                None,
            ),
            env(
                "prod",
                Rdbms::Postgres,
                "postgres://prod-db/repo",
                Some("app"),
            ),
        ];
        let spec = |s: &str| ConnectSpec::parse(Rdbms::Postgres, s, None, None).unwrap();
        let name = |s: &str| matching(&envs, &spec(s)).map(|e| e.name.clone());
        assert_eq!(
            name("postgres://dba@prod-db:5432/repo").as_deref(),
            Some("prod")
        );
        assert_eq!(name("postgres://test-db/repo").as_deref(), Some("test"));
        assert_eq!(name("postgres://prod-db/repo_copy"), None);
        let mysql = ConnectSpec::parse(Rdbms::Mysql, "mysql://prod-db/repo", None, None).unwrap();
        assert!(matching(&envs, &mysql).is_none(), "another RDBMS");
    }
}
