//! Everything decided before the database is changed: what is installed, whether an
//! upgrade is unfinished, the route, the steps, and every script read and split.
//! All of it is read-only, so bad input stops here with nothing changed.

use std::collections::{HashMap, HashSet};

use super::error::EngineError;
use super::events::StepInfo;
use super::journal::{statement_checksum, Journal, RunRecord, RunState};
use super::lock::{self, LockOwner};
use super::versions_table;
use crate::db::{Database, DbError};
use crate::package::{read_script, LoadedScript, Package, VersionStore};
use crate::plan::{
    plan_route, resolve_target, steps_for, KeyOf, Route, RouteError, Step, StepKey, StepKind,
};

#[derive(Debug, Clone)]
pub struct Inspection {
    pub server_version: String,
    /// The product version, or None when the product is not installed.
    pub installed: Option<String>,
    /// Why the version could not be read, when it could not.
    pub detect_error: Option<String>,
    pub unfinished: Option<RunRecord>,
    /// Unfinished runs of other products in the same database: never this package's
    /// to continue, but worth knowing about.
    pub others_unfinished: Vec<RunRecord>,
    pub lock: Option<LockOwner>,
}

/// Why the installed version could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DetectError {
    #[error("the package has no version query for {0}")]
    NoQuery(crate::rdbms::Rdbms),
    /// `[version] store = "upwiz"` and no row for the product in `upwiz_versions`.
    #[error("upwiz has no version recorded for {0} in this database (the package lets upwiz keep the version itself): for an empty database run 'upwiz install'; for a database installed by other means run 'upwiz adopt --version V' with the version it is at")]
    NotRecorded(String),
    #[error("'{sql}' failed: {error}")]
    Failed { sql: String, error: String },
    #[error("'{0}' returned no version")]
    Nothing(String),
    /// A package defect, not a missing installation.
    #[error("the version query '{sql}' returned {rows} rows; it must return exactly one: fix [version] detect in the package")]
    Ambiguous { sql: String, rows: usize },
    /// The query gave up waiting for another session's lock: no sign of a missing
    /// installation.
    #[error("{0}")]
    Locked(DbError),
}

/// Reads the installed version with the package's query, which must give exactly one
/// row: a query that gives two would let the first row decide, silently.
pub fn detect_version(db: &mut dyn Database, package: &Package) -> Result<String, DetectError> {
    if package.version_store == VersionStore::Upwiz {
        return match versions_table::read(db, &package.product.name) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(DetectError::NotRecorded(package.product.name.clone())),
            Err(e) if e.kind == crate::db::DbErrorKind::Locked => Err(DetectError::Locked(e)),
            Err(e) => Err(DetectError::Failed {
                sql: "SELECT version FROM upwiz_versions".into(),
                error: e.to_string(),
            }),
        };
    }
    let rdbms = db.rdbms();
    let sql = package
        .detect
        .get(rdbms)
        .ok_or(DetectError::NoQuery(rdbms))?;
    let r = db.query(sql).map_err(|e| match e.kind {
        crate::db::DbErrorKind::Locked => {
            DetectError::Locked(DbError::new(e.kind, format!("'{sql}' {}", e.message)))
        }
        _ => DetectError::Failed {
            sql: sql.clone(),
            error: e.to_string(),
        },
    })?;
    match r.rows.len() {
        0 => Err(DetectError::Nothing(sql.clone())),
        1 => r
            .scalar()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| DetectError::Nothing(sql.clone())),
        rows => Err(DetectError::Ambiguous {
            sql: sql.clone(),
            rows,
        }),
    }
}

pub fn inspect(db: &mut dyn Database, package: &Package) -> Result<Inspection, DbError> {
    let server_version = db.server_version()?;
    let (installed, detect_error) = match detect_version(db, package) {
        Ok(v) => (Some(v), None),
        Err(DetectError::Locked(e)) => return Err(e),
        Err(e) => (None, Some(e.to_string())),
    };
    let unfinished = Journal::new(db).unfinished_run(&package.product.name)?;
    let others_unfinished = Journal::new(db).others_unfinished(&package.product.name)?;
    let lock = lock::inspect(db)?;
    Ok(Inspection {
        server_version,
        installed,
        detect_error,
        unfinished,
        others_unfinished,
        lock,
    })
}

/// The upgrade about to run, with its scripts loaded.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub route: Route,
    pub steps: Vec<Step>,
    /// Keyed by step key; item scripts by `items/...` key.
    pub scripts: HashMap<StepKey, LoadedScript>,
    /// The unfinished run this continues, if any.
    pub resume: Option<RunRecord>,
    /// Unfinished runs of other products in this database, left alone.
    pub others_unfinished: Vec<RunRecord>,
    pub done: HashSet<StepKey>,
    pub installed: String,
}

impl Prepared {
    pub fn step_infos(&self) -> Vec<StepInfo> {
        self.steps
            .iter()
            .map(|s| StepInfo {
                key: s.key.to_string(),
                title: s.title.clone(),
                leg: s.leg,
                done: self.done.contains(&s.key),
            })
            .collect()
    }

    pub fn is_nothing_to_do(&self) -> bool {
        self.route.is_empty() && self.resume.is_none()
    }
}

pub fn prepare(
    db: &mut dyn Database,
    package: &Package,
    target: Option<&str>,
) -> Result<Prepared, EngineError> {
    let rdbms = db.rdbms();
    // Without a detect query for this RDBMS no version can be read; saying that the
    // product is not installed would send the operator after the wrong problem.
    if package.version_store == VersionStore::Queries && package.detect.get(rdbms).is_none() {
        return Err(RouteError::NoVersionSql {
            rdbms,
            what: "detect",
            key: rdbms.key(),
        }
        .into());
    }
    let installed = detect_version(db, package).map_err(|e| match e {
        // Says itself what to do, in words the generic "not installed" would bury.
        DetectError::Ambiguous { .. } | DetectError::NotRecorded(_) => {
            EngineError::BadInput(e.to_string())
        }
        DetectError::Locked(e) => EngineError::Connect(e),
        e => EngineError::NotInstalled {
            product: package.product.name.clone(),
            detail: e.to_string(),
        },
    })?;
    let mut journal = Journal::new(db);
    let resume = journal.unfinished_run(&package.product.name)?;
    let others_unfinished = journal.others_unfinished(&package.product.name)?;
    if let Some(run) = resume.as_ref().filter(|r| r.state == RunState::Installing) {
        return Err(EngineError::NotInstalled {
            product: package.product.name.clone(),
            detail: format!(
                "the install of {} did not finish; run install again to finish it",
                run.to
            ),
        });
    }
    let requested = resolve_target(package, target)?;
    let route = match &resume {
        Some(run) => {
            if target.is_some() && requested.as_str() != run.to {
                let same = run
                    .to
                    .parse()
                    .is_ok_and(|t: crate::package::Version| t == requested);
                if !same {
                    return Err(EngineError::TargetConflict {
                        from: run.from.clone(),
                        to: run.to.clone(),
                    });
                }
            }
            let to = resolve_target(package, Some(&run.to))?;
            plan_route(package, rdbms, &run.from, &to)?
        }
        None => plan_route(package, rdbms, &installed, &requested)?,
    };
    // A script with nothing to do on this RDBMS is no step here: the plan shows what
    // runs, and every plan of the same route leaves it out, so resuming is unaffected.
    let steps: Vec<Step> = steps_for(package, &route)
        .into_iter()
        .filter(|s| match &s.kind {
            StepKind::Script { release, index } => package
                .release(release)
                .is_none_or(|r| !r.scripts[*index].nothing_on(rdbms)),
            _ => true,
        })
        .collect();
    if !route.is_empty() {
        super::maintenance::check(package, rdbms)?;
    }
    let steps = super::maintenance::with_steps(package, steps);
    let done = match &resume {
        // A key this version cannot read names no step of this plan.
        Some(run) => journal
            .done_steps(&run.run_id)?
            .iter()
            .filter_map(|k| k.parse().ok())
            .collect(),
        None => HashSet::new(),
    };

    let mut scripts = HashMap::new();
    for step in &steps {
        let file = match &step.kind {
            StepKind::Script { release, index } => {
                let r = package.release(release).expect("planned release exists");
                r.scripts[*index].files.get(rdbms)
            }
            StepKind::Items { index } => {
                let item = &package.items[*index];
                Some(item.files.get(rdbms).ok_or_else(|| {
                    EngineError::BadInput(format!(
                        "per-item step '{}' has no {} script in {}",
                        item.name,
                        rdbms.key(),
                        package.manifest_path.display()
                    ))
                })?)
            }
            _ => None,
        };
        if let Some(path) = file {
            scripts.insert(step.key.clone(), read_script(path, rdbms)?);
        }
    }
    check_applied(&mut journal, package, rdbms)?;
    if let Some(run) = &resume {
        check_statements(&mut journal, &run.run_id, &scripts)?;
    }
    Ok(Prepared {
        route,
        steps,
        scripts,
        resume,
        others_unfinished,
        done,
        installed,
    })
}

/// A script already applied must still be the script that was applied.
fn check_applied(
    journal: &mut Journal,
    package: &Package,
    rdbms: crate::rdbms::Rdbms,
) -> Result<(), EngineError> {
    for (key, applied) in journal.applied_scripts(&package.product.name)? {
        let Ok(key) = key.parse::<StepKey>() else {
            continue;
        };
        let KeyOf::Script { release, name } = key.of() else {
            continue;
        };
        let Some(path) = package
            .release(release)
            .and_then(|r| r.scripts.iter().find(|s| &s.name == name))
            .and_then(|s| s.files.get(rdbms))
        else {
            continue;
        };
        let now = read_script(path, rdbms)?.checksum;
        if now != applied {
            return Err(EngineError::ScriptChanged {
                release: release.to_string(),
                script: name.clone(),
                path: path.display().to_string(),
                applied,
                now,
            });
        }
    }
    Ok(())
}

/// The statements of a half-applied script that ran (or were running) must still be the
/// statements at those places: otherwise resuming by position would skip a statement
/// inserted before them, or run one twice.
fn check_statements(
    journal: &mut Journal,
    run_id: &str,
    scripts: &HashMap<StepKey, LoadedScript>,
) -> Result<(), EngineError> {
    for (key, index, checksum) in journal.statements_run(run_id)? {
        let Some(script) = key.parse::<StepKey>().ok().and_then(|k| scripts.get(&k)) else {
            continue;
        };
        let same = script
            .statements
            .get(index)
            .is_some_and(|s| statement_checksum(&s.sql) == checksum);
        if !same {
            return Err(EngineError::StatementChanged {
                path: script.path.display().to_string(),
                statement: index + 1,
                line: script.statements.get(index).map_or(0, |s| s.line),
            });
        }
    }
    Ok(())
}

/// An unfinished run may be continued only on the database it left behind: the
/// version detected now must be the one the run last recorded (its start version when
/// it recorded none). Anything else means the database was changed outside upwiz, and
/// continuing would run scripts on a database they were not written for.
pub fn check_resume(prepared: &Prepared) -> Result<(), EngineError> {
    let Some(run) = &prepared.resume else {
        return Ok(());
    };
    let recorded = prepared
        .steps
        .iter()
        .filter(|s| prepared.done.contains(&s.key))
        .filter_map(|s| match &s.kind {
            StepKind::RecordVersion { release } => Some(release.clone()),
            _ => None,
        })
        .max()
        .map(|v| v.to_string())
        .unwrap_or_else(|| run.from.clone());
    let same = match (
        recorded.parse::<crate::package::Version>(),
        prepared.installed.parse::<crate::package::Version>(),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => recorded == prepared.installed,
    };
    if same {
        return Ok(());
    }
    Err(EngineError::ResumeMismatch {
        from: run.from.clone(),
        to: run.to.clone(),
        recorded,
        detected: prepared.installed.clone(),
    })
}
