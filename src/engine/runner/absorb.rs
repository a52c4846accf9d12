//! A release's version step done in the transaction of its last script: one commit
//! per release, with nothing between the script and its version for a crash to split.

use std::collections::HashSet;

use super::super::prepare::Prepared;
use crate::plan::{Step, StepKey};

/// The version step right after `index`, when `index` is its release's last script and
/// the version step is still to do: the script's transaction may do it too.
pub(super) fn absorbable<'p>(
    p: &'p Prepared,
    index: usize,
    done: &HashSet<StepKey>,
) -> Option<&'p Step> {
    use crate::plan::StepKind;
    let next = p.steps.get(index + 1)?;
    match (&p.steps.get(index)?.kind, &next.kind) {
        (StepKind::Script { release: a, .. }, StepKind::RecordVersion { release: b })
            if a == b && !done.contains(&next.key) =>
        {
            Some(next)
        }
        _ => None,
    }
}

pub(super) fn step_version(step: &Step) -> Option<String> {
    match &step.kind {
        crate::plan::StepKind::RecordVersion { release } => Some(release.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::path::Path;

    use super::{absorbable, Prepared};
    use crate::plan::{plan_route, steps_for, StepKind};
    use crate::rdbms::Rdbms;

    fn prepared(dir: &Path) -> Prepared {
        std::fs::write(dir.join("a.sql"), "SELECT 1;\n").unwrap();
        let text = "[product]\nname = \"P\"\n[version]\ndetect = \"SELECT v FROM t\"\nrecord = \"UPDATE t SET v = {{version}}\"\n\
            [[release]]\nversion = \"1.0\"\n\
            [[release]]\nversion = \"1.1\"\n[[release.script]]\nname = \"one\"\nsqlite = \"a.sql\"\n[[release.script]]\nname = \"two\"\nsqlite = \"a.sql\"\n\
            [[release]]\nversion = \"1.2\"\n\
            [[release]]\nversion = \"1.3\"\n[[release.script]]\nname = \"one\"\nsqlite = \"a.sql\"\n";
        let p = crate::package::parse(dir, &dir.join("upwiz.toml"), text).unwrap();
        let route = plan_route(&p, Rdbms::Sqlite, "1.0", &p.newest().clone()).unwrap();
        Prepared {
            steps: steps_for(&p, &route),
            route,
            scripts: HashMap::new(),
            resume: None,
            others_unfinished: Vec::new(),
            done: HashSet::new(),
            installed: "1.0".into(),
        }
    }

    #[test]
    fn only_a_releases_last_script_takes_its_version_step_along() {
        let dir = tempfile::tempdir().unwrap();
        let p = prepared(dir.path());
        let titles = |done: &HashSet<_>| -> Vec<(String, String)> {
            (0..p.steps.len())
                .filter_map(|i| {
                    absorbable(&p, i, done).map(|v| (p.steps[i].title.clone(), v.title.clone()))
                })
                .collect()
        };
        assert_eq!(
            titles(&HashSet::new()),
            [
                ("1.1: two".to_string(), "Record version 1.1".to_string()),
                ("1.3: one".to_string(), "Record version 1.3".to_string()),
            ]
        );
        // A release without scripts records its version alone, and a version step an
        // earlier run did is not done again.
        let v13 = p
            .steps
            .iter()
            .find(|s| {
                s.kind
                    == StepKind::RecordVersion {
                        release: "1.3".parse().unwrap(),
                    }
            })
            .unwrap();
        let done: HashSet<_> = [v13.key.clone()].into();
        assert_eq!(titles(&done).len(), 1);
    }
}
