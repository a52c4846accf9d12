//! Everything decided before the database is changed: what is installed, whether an
//! upgrade is unfinished, the route, the steps, and every script read and split.
//! All of it is read-only, so bad input stops here with nothing changed.

use std::collections::{HashMap, HashSet};

use super::error::EngineError;
use super::events::StepInfo;
use super::journal::{Journal, RunRecord};
use super::lock::{self, LockOwner};
use crate::db::{Database, DbError};
use crate::package::{read_script, LoadedScript, Package};
use crate::plan::{plan_route, resolve_target, steps_for, Route, RouteError, Step, StepKind};

#[derive(Debug, Clone)]
pub struct Inspection {
    pub server_version: String,
    /// The product version, or None when the product is not installed.
    pub installed: Option<String>,
    /// Why the version could not be read, when it could not.
    pub detect_error: Option<String>,
    pub unfinished: Option<RunRecord>,
    pub lock: Option<LockOwner>,
}

pub fn detect_version(db: &mut dyn Database, package: &Package) -> Result<String, String> {
    detect_or_locked(db, package).unwrap_or_else(|e| Err(e.to_string()))
}

/// `detect_version`, with Err(DbError) when the query gave up waiting for another
/// session's lock: that is no sign of a missing installation.
fn detect_or_locked(
    db: &mut dyn Database,
    package: &Package,
) -> Result<Result<String, String>, DbError> {
    let Some(sql) = package.detect.get(db.rdbms()) else {
        return Ok(Err(format!(
            "the package has no version query for {}",
            db.rdbms()
        )));
    };
    Ok(match db.query(sql) {
        Ok(r) => r
            .scalar()
            .map(|v| v.trim().to_string())
            .ok_or_else(|| format!("'{sql}' returned no version")),
        Err(e) if e.kind == crate::db::DbErrorKind::Locked => {
            return Err(DbError::new(e.kind, format!("'{sql}' {}", e.message)))
        }
        Err(e) => Err(format!("'{sql}' failed: {e}")),
    })
}

pub fn inspect(db: &mut dyn Database, package: &Package) -> Result<Inspection, DbError> {
    let server_version = db.server_version()?;
    let (installed, detect_error) = match detect_or_locked(db, package)? {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    let unfinished = Journal::new(db).unfinished_run()?;
    let lock = lock::inspect(db)?;
    Ok(Inspection {
        server_version,
        installed,
        detect_error,
        unfinished,
        lock,
    })
}

/// The upgrade about to run, with its scripts loaded.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub route: Route,
    pub steps: Vec<Step>,
    /// Keyed by step key; item scripts by `items/...` key.
    pub scripts: HashMap<String, LoadedScript>,
    /// The unfinished run this continues, if any.
    pub resume: Option<RunRecord>,
    pub done: HashSet<String>,
    pub installed: String,
}

impl Prepared {
    pub fn step_infos(&self) -> Vec<StepInfo> {
        self.steps
            .iter()
            .map(|s| StepInfo {
                key: s.key.clone(),
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
    if package.detect.get(rdbms).is_none() {
        return Err(RouteError::NoVersionSql {
            rdbms,
            what: "detect",
            key: rdbms.key(),
        }
        .into());
    }
    let installed = detect_or_locked(db, package)
        .map_err(EngineError::Connect)?
        .map_err(|detail| EngineError::NotInstalled {
            product: package.product.name.clone(),
            detail,
        })?;
    let mut journal = Journal::new(db);
    let resume = journal.unfinished_run()?;
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
    let steps = steps_for(package, &route);
    let done = match &resume {
        Some(run) => journal.done_steps(&run.run_id)?,
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
    Ok(Prepared {
        route,
        steps,
        scripts,
        resume,
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
    for (key, applied) in journal.applied_scripts()? {
        let Some(rest) = key.strip_prefix("script/") else {
            continue;
        };
        let Some((release, name)) = rest.split_once('/') else {
            continue;
        };
        let Some(path) = release
            .parse()
            .ok()
            .and_then(|v| package.release(&v))
            .and_then(|r| r.scripts.iter().find(|s| s.name == name))
            .and_then(|s| s.files.get(rdbms))
        else {
            continue;
        };
        let now = read_script(path, rdbms)?.checksum;
        if now != applied {
            return Err(EngineError::ScriptChanged {
                release: release.to_string(),
                script: name.to_string(),
                path: path.display().to_string(),
                applied,
                now,
            });
        }
    }
    Ok(())
}
