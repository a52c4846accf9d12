//! What a front end asks the engine to do: validated input, ready to run.

use std::sync::Arc;

use super::error::EngineError;
use super::prepare::Prepared;
use crate::db::ConnectSpec;
use crate::package::Package;
use crate::paths::Dirs;

#[derive(Debug, Clone)]
pub struct RunRequest {
    pub package: Arc<Package>,
    pub spec: ConnectSpec,
    /// None: the newest release.
    pub target: Option<String>,
    pub dirs: Dirs,
    /// Go on although the source database has violations.
    pub accept_violations: bool,
    /// The operator confirmed the package's checklist.
    pub checklist_confirmed: bool,
    /// The plan the operator was shown and confirmed (the wizard's Plan screen); the
    /// run refuses to go on when the plan made under its lock differs from it.
    pub confirmed: Option<ConfirmedPlan>,
    /// Whether upwiz backs the database up before each leg.
    pub backup: BackupChoice,
    /// How the run passed its stage gate, recorded with the run; None where no stage
    /// gate applied.
    pub stage: Option<crate::stages::marks::GateContext>,
}

/// Whether a run takes its own backup. Skipping is for an operator who has another
/// way back (a storage snapshot) and says so in words: never the default, and never
/// without a reason, which the journal and the report keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BackupChoice {
    #[default]
    Take,
    Skip {
        reason: String,
    },
}

impl BackupChoice {
    /// A skip with the operator's reason; a reason that says nothing is refused.
    pub fn skip(reason: Option<&str>) -> Result<Self, EngineError> {
        match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Ok(BackupChoice::Skip {
                reason: r.chars().filter(|c| !c.is_control()).collect(),
            }),
            None => Err(EngineError::BadInput(
                "skipping the backup needs a reason (--reason \"...\", or backup_skip_reason in the config), such as \"storage snapshot taken at 02:00\"; it goes into the journal and the report".into(),
            )),
        }
    }

    pub fn skip_reason(&self) -> Option<&str> {
        match self {
            BackupChoice::Take => None,
            BackupChoice::Skip { reason } => Some(reason),
        }
    }

    /// What a plan says about a skipped backup, in words.
    pub fn describe_skip(reason: &str) -> String {
        format!("No backup: upwiz will not back up the database before upgrading; reason given: {reason}")
    }

    /// What the run, its journal's report and its summary say about a skipped backup.
    pub fn describe_skipped(reason: &str) -> String {
        format!("No backup: upwiz did not back up the database before upgrading; reason given: {reason}")
    }
}

/// What an operator saw of a plan, to be compared with the plan a run makes under
/// its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedPlan {
    pub installed: String,
    pub from: String,
    pub to: String,
    pub resumed: bool,
}

impl ConfirmedPlan {
    pub fn of(p: &Prepared) -> Self {
        ConfirmedPlan {
            installed: p.installed.clone(),
            from: p.route.from.to_string(),
            to: p.route.to.to_string(),
            resumed: p.resume.is_some(),
        }
    }

    /// Why `now` is not the plan that was confirmed, if it is not.
    pub fn differs(&self, now: &Prepared) -> Option<EngineError> {
        let now = ConfirmedPlan::of(now);
        (now != *self).then(|| EngineError::PlanChanged {
            shown: describe(self),
            now: describe(&now),
        })
    }
}

fn describe(p: &ConfirmedPlan) -> String {
    let route = if p.from == p.to {
        "nothing to do".to_string()
    } else {
        format!("{} -> {}", p.from, p.to)
    };
    let resumed = if p.resumed {
        ", continuing an unfinished run"
    } else {
        ""
    };
    format!("{} ({route}{resumed})", p.installed)
}
