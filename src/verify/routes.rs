//! Which routes verify runs: one from every baseline, and one from every release a
//! baseline can reach (a first run to it, then a second run to the newest release),
//! and what each is compared with.

use crate::package::{Package, Version};
use crate::plan::plan_route;
use crate::rdbms::Rdbms;

/// What the routes' results are compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// The newest release's own baseline, installed fresh.
    Fresh(Version),
    /// The newest release has no baseline: the route from the newest baseline.
    Route(Version),
}

/// One route: install `baseline`, upgrade to `stop` (a first run) when there is one,
/// then to the newest release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePlan {
    /// The version an operator's database would be at: the baseline or the stop.
    pub start: Version,
    pub baseline: Version,
    pub stop: Option<Version>,
    /// "9.0 -> 10.1 -> 11.0", or "9.0 -> 9.1, then 9.1 -> 10.1 -> 11.0" for two runs.
    pub label: String,
    /// Why the planner refuses the route, if it does: the route fails without running.
    pub refused: Option<String>,
}

/// The reference and the routes to compare with it, oldest start first; None when the
/// package has no baseline for `rdbms` (nothing can be installed).
pub fn routes(package: &Package, rdbms: Rdbms) -> Option<(Reference, Vec<RoutePlan>)> {
    let newest = package.newest().clone();
    let mut baselines: Vec<Version> = package
        .baselines
        .iter()
        .filter(|b| b.files.get(rdbms).is_some() && b.version <= newest)
        .map(|b| b.version.clone())
        .collect();
    baselines.sort();
    baselines.dedup();
    let newest_baseline = baselines.last()?.clone();
    let reference = match newest_baseline == newest {
        true => Reference::Fresh(newest.clone()),
        false => Reference::Route(newest_baseline),
    };
    let mut plans = Vec::new();
    for b in baselines.iter().filter(|b| **b < newest) {
        let route = plan_route(package, rdbms, b.as_str(), &newest);
        plans.push(RoutePlan {
            start: b.clone(),
            baseline: b.clone(),
            stop: None,
            label: route
                .as_ref()
                .map_or_else(|_| format!("{b} -> {newest}"), |r| r.describe()),
            refused: route.err().map(|e| e.to_string()),
        });
    }
    for r in &package.releases {
        let v = &r.version;
        if *v >= newest || baselines.contains(v) {
            continue;
        }
        // The newest baseline below it: where an operator's database at that version
        // most likely began.
        let Some(b) = baselines.iter().rev().find(|b| *b < v) else {
            continue;
        };
        let first = plan_route(package, rdbms, b.as_str(), v);
        let second = plan_route(package, rdbms, v.as_str(), &newest);
        let label = match (&first, &second) {
            (Ok(a), Ok(z)) => format!("{}, then {}", a.describe(), z.describe()),
            _ => format!("{b} -> {v}, then {v} -> {newest}"),
        };
        plans.push(RoutePlan {
            start: v.clone(),
            baseline: b.clone(),
            stop: Some(v.clone()),
            label,
            refused: first.err().or(second.err()).map(|e| e.to_string()),
        });
    }
    plans.sort_by(|a, b| (&a.start, &a.baseline).cmp(&(&b.start, &b.baseline)));
    Some((reference, plans))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(rel: &str) -> Package {
        crate::package::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
    }

    #[test]
    fn the_demo_is_verified_from_its_baseline_and_every_release_before_the_newest() {
        let (reference, plans) = routes(&load("assets/demo"), Rdbms::Postgres).unwrap();
        assert_eq!(reference, Reference::Route("9.0".parse().unwrap()));
        let labels: Vec<&str> = plans.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "9.0 -> 10.1 -> 11.0",
                "9.0 -> 9.1, then 9.1 -> 10.1 -> 11.0",
                "9.0 -> 10.0, then 10.0 -> 10.1 -> 11.0",
                "9.0 -> 10.1, then 10.1 -> 11.0",
            ]
        );
        assert!(plans.iter().all(|p| p.refused.is_none()));
    }

    #[test]
    fn a_baseline_of_the_newest_release_is_the_reference() {
        let (reference, plans) =
            routes(&load("tests/fixtures/verify/drift"), Rdbms::Sqlite).unwrap();
        assert_eq!(reference, Reference::Fresh("2.0".parse().unwrap()));
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].label, "1.0 -> 2.0");
        assert_eq!(plans[0].stop, None);
    }
}
