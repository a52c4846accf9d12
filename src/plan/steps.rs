//! The steps a route runs, in order, each with a key that the journal records.

use super::route::Route;
use super::step_key::{KeyOf, LegPart, StepKey};
use crate::package::{Package, Version};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    Preflight,
    Backup,
    ViolationsBefore,
    /// The `index`th script of `release`.
    Script {
        release: Version,
        index: usize,
    },
    RecordVersion {
        release: Version,
    },
    /// The `index`th per-item step of the package.
    Items {
        index: usize,
    },
    ViolationsAfter,
    Tests,
    /// `[maintenance] on` (true) or `off` (false): the application locked out, let in.
    Maintenance {
        on: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable across runs: the journal's key for this step.
    pub key: StepKey,
    pub leg: usize,
    pub kind: StepKind,
    pub title: String,
}

pub fn steps_for(package: &Package, route: &Route) -> Vec<Step> {
    let mut out = Vec::new();
    for (leg_no, leg) in route.legs.iter().enumerate() {
        let part = |p: LegPart| StepKey::leg(&leg.from, &leg.to, p);
        let mut push = |key: StepKey, kind: StepKind, title: String| {
            out.push(Step {
                key,
                leg: leg_no,
                kind,
                title,
            })
        };
        push(
            part(LegPart::Preflight),
            StepKind::Preflight,
            format!("Preflight checks before {}", leg.label()),
        );
        push(
            part(LegPart::Backup),
            StepKind::Backup,
            format!("Back up the {} database", leg.from),
        );
        push(
            part(LegPart::ViolationsBefore),
            StepKind::ViolationsBefore,
            format!("Violation report on the source ({})", leg.from),
        );
        for v in &leg.releases {
            let release = package.release(v).expect("route releases exist");
            for (index, script) in release.scripts.iter().enumerate() {
                push(
                    StepKey::new(KeyOf::Script {
                        release: v.clone(),
                        name: script.name.clone(),
                    }),
                    StepKind::Script {
                        release: v.clone(),
                        index,
                    },
                    format!("{v}: {}", script.name),
                );
            }
            push(
                StepKey::new(KeyOf::Version { release: v.clone() }),
                StepKind::RecordVersion { release: v.clone() },
                format!("Record version {v}"),
            );
        }
        for (index, item) in package.items.iter().enumerate() {
            if leg.releases.contains(&item.release) {
                push(
                    StepKey::new(KeyOf::Items {
                        release: item.release.clone(),
                        name: item.name.clone(),
                    }),
                    StepKind::Items { index },
                    format!("{} (each item)", item.name),
                );
            }
        }
        push(
            part(LegPart::ViolationsAfter),
            StepKind::ViolationsAfter,
            format!("Violation report on the target ({})", leg.to),
        );
        // Tests are written for the target; an intermediate stop need not pass them.
        if leg_no + 1 < route.legs.len() {
            continue;
        }
        push(
            part(LegPart::Tests),
            StepKind::Tests,
            format!("Post-upgrade tests at {}", leg.to),
        );
    }
    out
}
