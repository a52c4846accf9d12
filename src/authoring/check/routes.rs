//! Every route the policy allows, planned: from every release to the newest and to every
//! required stop above it, on every RDBMS the package installs.

use std::collections::BTreeSet;

use super::walk::Walked;
use super::{Problem, Report};
use crate::package::{position, Package, Version, MANIFEST};
use crate::plan::{plan_route, RouteError};
use crate::rdbms::Rdbms;

/// The RDBMSes a package claims: those its baselines have files for, or, without a
/// baseline, those any script has a file for.
pub fn claimed(pkg: &Package) -> Vec<Rdbms> {
    let from_baselines: Vec<Rdbms> = Rdbms::ALL
        .into_iter()
        .filter(|r| pkg.baselines.iter().any(|b| b.files.get(*r).is_some()))
        .collect();
    if !from_baselines.is_empty() {
        return from_baselines;
    }
    Rdbms::ALL
        .into_iter()
        .filter(|r| {
            pkg.releases
                .iter()
                .flat_map(|rel| &rel.scripts)
                .any(|s| s.files.get(*r).is_some())
        })
        .collect()
}

pub fn check(pkg: &Package, text: &str, walked: &Walked, report: &mut Report) {
    let mut targets: BTreeSet<&Version> = pkg.policy.required_stops.iter().collect();
    targets.insert(pkg.newest());
    let mut said = BTreeSet::new();
    for rdbms in claimed(pkg) {
        for from in pkg.releases.iter().map(|r| &r.version) {
            for to in targets.iter().filter(|t| **t > from) {
                report.routes += 1;
                if let Err(e) = plan_route(pkg, rdbms, from.as_str(), to) {
                    let message = format!("{} from {from} to {to}: {e}", rdbms.key());
                    // The same missing script blocks many routes: once is enough.
                    if said.insert(e.to_string()) {
                        let (line, column) = locate(&e, text, walked);
                        report.problems.push(Problem {
                            file: MANIFEST.into(),
                            line,
                            column,
                            message,
                        });
                    }
                }
            }
        }
    }
}

fn locate(e: &RouteError, text: &str, walked: &Walked) -> (usize, usize) {
    let key = |k: &str| text.find(k).map_or((1, 1), |at| position(text, at));
    match e {
        RouteError::NoScripts { release, .. } => {
            walked.release_at.get(release).copied().unwrap_or((1, 1))
        }
        RouteError::NoVersionSql { .. } => key("[version]"),
        RouteError::JumpTooLarge { .. } => key("max_major_jump"),
        _ => (1, 1),
    }
}
