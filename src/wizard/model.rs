//! What the wizard knows, as plain data: filled in by the workers, read by the
//! screens. Nothing here holds a password.

use std::path::PathBuf;

use crate::engine::{StateFile, StepInfo};
use crate::package::Package;

/// The package as the screens show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageInfo {
    pub product: String,
    pub vendor: Option<String>,
    pub dir: String,
    pub releases: Vec<String>,
    pub checklist: Vec<String>,
    pub downtime: Option<String>,
    pub required_stops: Vec<String>,
}

impl PackageInfo {
    pub fn from_package(p: &Package) -> Self {
        PackageInfo {
            product: p.product.name.clone(),
            vendor: p.product.vendor.clone(),
            dir: p.dir.display().to_string(),
            releases: p.releases.iter().map(|r| r.version.to_string()).collect(),
            checklist: p.checklist.clone(),
            downtime: p.product.downtime.clone(),
            required_stops: p
                .policy
                .required_stops
                .iter()
                .map(|v| v.to_string())
                .collect(),
        }
    }

    pub fn newest(&self) -> &str {
        self.releases.last().map_or("", String::as_str)
    }
}

/// What a connection found: the Welcome screen's detection and Test connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detected {
    pub server_version: String,
    pub installed: Option<String>,
    pub detect_error: Option<String>,
    pub unfinished: Option<Unfinished>,
    /// Another live process holds the upgrade lock: who.
    pub running_elsewhere: Option<String>,
    /// Another process has the database locked for writing, so nothing could be
    /// read: most likely an upgrade running unattended.
    pub busy: bool,
}

/// An upgrade that did not complete, from the journal or its state-file mirror.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unfinished {
    pub from: String,
    pub to: String,
    /// running, failed, interrupted or completed_with_failed_items.
    pub state: String,
    /// Known only from the state file.
    pub steps: Option<(usize, usize)>,
    pub current: Option<String>,
    pub error: Option<String>,
    pub log_path: Option<String>,
}

impl Unfinished {
    /// The state file's view; None when its run completed.
    pub fn from_state_file(s: &StateFile) -> Option<Self> {
        if s.state == "completed" {
            return None;
        }
        Some(Unfinished {
            from: s.from.clone(),
            to: s.to.clone(),
            state: s.state.clone(),
            steps: Some((s.completed_steps.len(), s.total_steps)),
            current: s.current_step.clone(),
            error: s.error.clone(),
            log_path: Some(s.log_path.display().to_string()),
        })
    }
}

/// The Plan screen's content, from `engine::prepare` and a few read-only checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInfo {
    pub server_version: String,
    pub installed: String,
    pub from: String,
    pub to: String,
    /// "9.0 -> 10.1 -> 11.0".
    pub route: String,
    /// Required stops the route passes through.
    pub stops: Vec<String>,
    pub steps: Vec<StepInfo>,
    pub resumed: bool,
    pub nothing_to_do: bool,
    /// Violations in the source database now; None when not checked.
    pub violations: Option<Result<Vec<String>, String>>,
    /// The package's advice for the kinds of violation found, one per check.
    pub violation_hints: Vec<String>,
    /// What became of 'remember the password', when it was asked for.
    pub keyring_note: Option<String>,
    /// Where backups go, or why none can be written.
    pub backup: Result<PathBuf, String>,
    pub log_path: PathBuf,
}

impl PlanInfo {
    pub fn done_count(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }

    pub fn violation_count(&self) -> usize {
        match &self.violations {
            Some(Ok(v)) => v.len(),
            _ => 0,
        }
    }
}
