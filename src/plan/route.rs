//! The route from the installed version to the target: legs split at required stops
//! and wherever a leg would jump more major versions than the package allows.

use std::collections::BTreeSet;

use crate::package::{Package, Release, Version};
use crate::rdbms::Rdbms;

/// One upgrade action: from one version to another, run as a whole
/// (preflight, backup, checks, scripts, tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub from: Version,
    pub to: Version,
    /// The releases whose scripts this leg applies, ascending.
    pub releases: Vec<Version>,
}

impl Leg {
    pub fn label(&self) -> String {
        format!("{} -> {}", self.from, self.to)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub from: Version,
    pub to: Version,
    pub legs: Vec<Leg>,
}

impl Route {
    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    /// The versions the route stops at, such as "9.0 -> 10.1 -> 11.0".
    pub fn describe(&self) -> String {
        let mut s = self.from.to_string();
        for leg in &self.legs {
            s.push_str(" -> ");
            s.push_str(leg.to.as_str());
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the installed version {found} is not a release of this package (it knows {known}); use the package for this version")]
    UnknownInstalled { found: String, known: String },
    #[error("target {target} is not a release of this package (it knows {known})")]
    UnknownTarget { target: String, known: String },
    #[error("the database is at {from}, newer than the target {to}; upwiz does not downgrade, restore a backup instead")]
    Downgrade { from: Version, to: Version },
    #[error("release {release} has no {rdbms} script for '{script}' (only {covered}); this package cannot upgrade a {rdbms} database: add a {key} file to the script, or nothing_on = [\"{key}\"] if it has nothing to do on {rdbms}", key = rdbms.key())]
    NoScripts {
        release: Version,
        script: String,
        rdbms: Rdbms,
        covered: String,
    },
    #[error("the package cannot detect or record versions on {rdbms}: [version] {what} has no {key} entry")]
    NoVersionSql {
        rdbms: Rdbms,
        what: &'static str,
        key: &'static str,
    },
    #[error("going from {from} to {to} jumps more than {max} major versions and there is no release in between to stop at")]
    JumpTooLarge {
        from: Version,
        to: Version,
        max: u32,
    },
}

fn known(package: &Package) -> String {
    package
        .releases
        .iter()
        .map(|r| r.version.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a target given by the operator and checks that the package has it.
pub fn resolve_target(package: &Package, target: Option<&str>) -> Result<Version, RouteError> {
    let Some(t) = target else {
        return Ok(package.newest().clone());
    };
    let unknown = || RouteError::UnknownTarget {
        target: t.to_string(),
        known: known(package),
    };
    let v: Version = t.parse().map_err(|_| unknown())?;
    package
        .release(&v)
        .map(|r| r.version.clone())
        .ok_or_else(unknown)
}

pub fn plan_route(
    package: &Package,
    rdbms: Rdbms,
    installed: &str,
    target: &Version,
) -> Result<Route, RouteError> {
    let from: Version = installed
        .parse()
        .ok()
        .and_then(|v| package.release(&v).map(|r| r.version.clone()))
        .ok_or_else(|| RouteError::UnknownInstalled {
            found: installed.to_string(),
            known: known(package),
        })?;
    if &from > target {
        return Err(RouteError::Downgrade {
            from,
            to: target.clone(),
        });
    }
    let queries = package.version_store == crate::package::VersionStore::Queries;
    if queries && package.detect.get(rdbms).is_none() {
        return Err(RouteError::NoVersionSql {
            rdbms,
            what: "detect",
            key: rdbms.key(),
        });
    }
    if queries && package.record.get(rdbms).is_none() {
        return Err(RouteError::NoVersionSql {
            rdbms,
            what: "record",
            key: rdbms.key(),
        });
    }
    // One pass over the releases, in order: looking each one up again would make
    // planning quadratic in the number of releases.
    let steps: Vec<&Release> = package
        .releases
        .iter()
        .filter(|r| r.version > from && &r.version <= target)
        .collect();
    for release in &steps {
        for s in &release.scripts {
            if s.files.get(rdbms).is_none() && !s.nothing_on(rdbms) {
                let covered = [Rdbms::Sqlite, Rdbms::Postgres, Rdbms::Mysql]
                    .into_iter()
                    .filter(|r| s.files.get(*r).is_some())
                    .map(|r| r.key())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(RouteError::NoScripts {
                    release: release.version.clone(),
                    script: s.name.clone(),
                    rdbms,
                    covered,
                });
            }
        }
    }
    let stops: BTreeSet<&Version> = package.policy.required_stops.iter().collect();

    let mut legs = Vec::new();
    let mut leg = Leg {
        from: from.clone(),
        to: from.clone(),
        releases: Vec::new(),
    };
    for v in steps.iter().map(|r| &r.version) {
        let too_far = package
            .policy
            .max_major_jump
            .is_some_and(|max| v.major().saturating_sub(leg.from.major()) > u64::from(max));
        if too_far {
            if leg.releases.is_empty() {
                return Err(RouteError::JumpTooLarge {
                    from: leg.from.clone(),
                    to: v.clone(),
                    max: package.policy.max_major_jump.unwrap_or(0),
                });
            }
            let next_from = leg.to.clone();
            legs.push(std::mem::replace(
                &mut leg,
                Leg {
                    from: next_from.clone(),
                    to: next_from,
                    releases: Vec::new(),
                },
            ));
        }
        leg.releases.push(v.clone());
        leg.to = v.clone();
        if stops.contains(v) && v != target {
            let next_from = leg.to.clone();
            legs.push(std::mem::replace(
                &mut leg,
                Leg {
                    from: next_from.clone(),
                    to: next_from,
                    releases: Vec::new(),
                },
            ));
        }
    }
    if !leg.releases.is_empty() {
        legs.push(leg);
    }
    Ok(Route {
        from,
        to: target.clone(),
        legs,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::package::{comparisons, parse};
    use crate::plan::steps_for;

    /// A package of `n` releases 1.0, 1.1, ... 1.9, 2.0, ... with a required stop every
    /// thousand releases and a limit on major jumps, so every rule of the planner works.
    fn package(n: usize) -> Package {
        let mut text = String::from(
            "[product]\nname = \"Big\"\n[version]\ndetect = \"SELECT v FROM t\"\nrecord = \"UPDATE t SET v = {{version}}\"\n[policy]\nmax_major_jump = 1\nrequired_stops = [",
        );
        let version = |i: usize| format!("{}.{}", i / 10 + 1, i % 10);
        let stops: Vec<String> = (1000..n)
            .step_by(1000)
            .map(|i| format!("\"{}\"", version(i)))
            .collect();
        text.push_str(&stops.join(", "));
        text.push_str("]\n");
        for i in 0..n {
            text.push_str(&format!("[[release]]\nversion = \"{}\"\n", version(i)));
        }
        parse(Path::new("/nonexistent"), Path::new("upwiz.toml"), &text).unwrap()
    }

    fn plan_all(n: usize) -> (usize, u64) {
        let ((), loading) = comparisons::during(|| drop(package(n)));
        let p = package(n);
        let ((route, steps), planning) = comparisons::during(|| {
            let to = p.newest().clone();
            let route = plan_route(&p, Rdbms::Sqlite, "1.0", &to).unwrap();
            let steps = steps_for(&p, &route);
            (route, steps)
        });
        assert_eq!(
            route.legs.iter().map(|l| l.releases.len()).sum::<usize>(),
            n - 1
        );
        assert!(steps.len() > n);
        (n, loading + planning)
    }

    #[test]
    fn loading_and_planning_compare_versions_a_number_of_times_linear_in_releases() {
        let (small, at_small) = plan_all(2_000);
        let (large, at_large) = plan_all(8_000);
        // n·log n from binary searches at most: quadrupling the releases may multiply
        // the comparisons by a little more than four, never by sixteen as a scan would.
        assert!(
            at_small < 40 * small as u64,
            "{at_small} comparisons for {small} releases"
        );
        assert!(
            at_large < 40 * large as u64,
            "{at_large} comparisons for {large} releases"
        );
        assert!(at_large < 6 * at_small, "{at_small} then {at_large}");
    }

    #[test]
    fn a_hundred_thousand_releases_are_planned() {
        let p = package(100_000);
        let route = plan_route(&p, Rdbms::Sqlite, "1.0", &p.newest().clone()).unwrap();
        let releases: usize = route.legs.iter().map(|l| l.releases.len()).sum();
        assert_eq!(releases, 99_999);
        let legs = route.legs.len();
        // A version record per release (they have no scripts); per leg preflight,
        // backup and two violation reports; tests once at the end.
        assert_eq!(steps_for(&p, &route).len(), releases + 4 * legs + 1);
    }
}
