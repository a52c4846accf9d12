//! A lenient walk over the manifest: every version and every script reference is checked
//! on its own, so one mistake does not hide the next. What the walk cannot make sense of
//! is left to the loader, which reports the first such problem.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::{scripts, Problem, Report};
use crate::package::{position, Version, MANIFEST};
use crate::rdbms::Rdbms;

#[derive(Deserialize)]
struct Loose {
    #[serde(default)]
    policy: Option<LoosePolicy>,
    #[serde(default)]
    baseline: Vec<LooseFiles>,
    #[serde(default)]
    release: Vec<LooseRelease>,
    #[serde(default)]
    items: Vec<LooseFiles>,
}

#[derive(Deserialize)]
struct LoosePolicy {
    #[serde(default)]
    required_stops: Vec<Spanned<Value>>,
}

#[derive(Deserialize)]
struct LooseFiles {
    version: Option<Spanned<Value>>,
    release: Option<Spanned<Value>>,
    sqlite: Option<Spanned<Value>>,
    postgres: Option<Spanned<Value>>,
    mysql: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
struct LooseRelease {
    version: Option<Spanned<Value>>,
    #[serde(default)]
    script: Vec<LooseScript>,
}

#[derive(Deserialize)]
struct LooseScript {
    sqlite: Option<Spanned<Value>>,
    postgres: Option<Spanned<Value>>,
    mysql: Option<Spanned<Value>>,
    transactional: Option<Value>,
}

/// What the walk learnt that later checks point at.
#[derive(Debug, Default)]
pub struct Walked {
    /// Where each release's version is written: route problems are shown there.
    pub release_at: BTreeMap<Version, (usize, usize)>,
}

struct Cx<'a> {
    dir: &'a Path,
    text: &'a str,
    /// (path, RDBMS, transactional) already read.
    read: BTreeSet<(String, Rdbms, bool)>,
}

impl Cx<'_> {
    fn problem(&self, span: std::ops::Range<usize>, message: String) -> Problem {
        let (line, column) = position(self.text, span.start);
        Problem {
            file: MANIFEST.into(),
            line,
            column,
            message,
        }
    }

    fn version(&self, v: &Spanned<Value>, report: &mut Report) -> Option<Version> {
        let Some(text) = v.get_ref().as_str() else {
            report.add(self.problem(
                v.span(),
                "a version is a string, such as \"10.1\"".to_string(),
            ));
            return None;
        };
        match text.parse::<Version>() {
            Ok(version) => Some(version),
            Err(e) => {
                report.add(self.problem(v.span(), e.to_string()));
                None
            }
        }
    }

    fn files(
        &mut self,
        files: [(Rdbms, &Option<Spanned<Value>>); 3],
        transactional: bool,
        report: &mut Report,
    ) {
        for (rdbms, value) in files {
            let Some(value) = value else { continue };
            let Some(rel) = value.get_ref().as_str() else {
                report.add(self.problem(
                    value.span(),
                    format!("{} is a path to a script file, as a string", rdbms.key()),
                ));
                continue;
            };
            if !self.read.insert((rel.to_string(), rdbms, transactional)) {
                continue;
            }
            report.scripts += 1;
            if let Err(message) = scripts::check_path(self.dir, rel) {
                report.add(self.problem(value.span(), message));
                continue;
            }
            if let Some(p) = scripts::check_file(self.dir, rel, rdbms, transactional) {
                report.add(p);
            }
        }
    }
}

pub fn walk(dir: &Path, text: &str, report: &mut Report) -> Walked {
    let mut walked = Walked::default();
    let Ok(loose) = toml::from_str::<Loose>(text) else {
        return walked;
    };
    let mut cx = Cx {
        dir,
        text,
        read: BTreeSet::new(),
    };
    let mut known = BTreeSet::new();
    let mut previous: Option<Version> = None;
    for r in &loose.release {
        let Some(v) = &r.version else { continue };
        if let Some(version) = cx.version(v, report) {
            if let Some(prev) = &previous {
                if version == *prev {
                    report.add(cx.problem(v.span(), format!("release {version} is listed twice")));
                } else if version < *prev {
                    report.add(cx.problem(
                        v.span(),
                        format!("release {version} comes after {prev}; list releases in ascending order"),
                    ));
                }
            }
            walked
                .release_at
                .insert(version.clone(), position(text, v.span().start));
            known.insert(version.clone());
            previous = Some(version);
        }
    }
    report.releases = loose.release.len();
    let must_be_release = |cx: &Cx, v: &Spanned<Value>, what: &str, report: &mut Report| {
        if let Some(version) = cx.version(v, report) {
            if !known.contains(&version) {
                report.add(cx.problem(
                    v.span(),
                    format!("{what} {version} is not one of the releases"),
                ));
            }
        }
    };
    if let Some(policy) = &loose.policy {
        for stop in &policy.required_stops {
            must_be_release(&cx, stop, "required stop", report);
        }
    }
    for b in &loose.baseline {
        if let Some(v) = &b.version {
            must_be_release(&cx, v, "baseline version", report);
        }
        cx.files(
            [
                (Rdbms::Sqlite, &b.sqlite),
                (Rdbms::Postgres, &b.postgres),
                (Rdbms::Mysql, &b.mysql),
            ],
            true,
            report,
        );
    }
    for r in &loose.release {
        for s in &r.script {
            let transactional = s
                .transactional
                .as_ref()
                .and_then(Value::as_bool)
                .unwrap_or(true);
            cx.files(
                [
                    (Rdbms::Sqlite, &s.sqlite),
                    (Rdbms::Postgres, &s.postgres),
                    (Rdbms::Mysql, &s.mysql),
                ],
                transactional,
                report,
            );
        }
    }
    for it in &loose.items {
        if let Some(v) = &it.release {
            must_be_release(&cx, v, "per-item step release", report);
        }
        cx.files(
            [
                (Rdbms::Sqlite, &it.sqlite),
                (Rdbms::Postgres, &it.postgres),
                (Rdbms::Mysql, &it.mysql),
            ],
            true,
            report,
        );
    }
    walked
}
