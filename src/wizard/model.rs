//! What the wizard knows, as plain data: filled in by the workers, read by the
//! screens. Nothing here holds a password.

use crate::engine::RunState;
use std::path::PathBuf;

use crate::engine::{StateFile, StepInfo};
use crate::package::Package;
use crate::wizard::text::sanitize;

/// The package as the screens show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageInfo {
    pub product: String,
    pub vendor: Option<String>,
    pub dir: String,
    pub releases: Vec<String>,
    pub checklist: Vec<String>,
    /// What to do once the upgrade has completed.
    pub after: Vec<String>,
    pub downtime: Option<String>,
    pub required_stops: Vec<String>,
}

impl PackageInfo {
    pub fn from_package(p: &Package) -> Self {
        Self::sanitized(PackageInfo {
            product: p.product.name.clone(),
            vendor: p.product.vendor.clone(),
            dir: p.dir.display().to_string(),
            releases: p.releases.iter().map(|r| r.version.to_string()).collect(),
            checklist: p.checklist.clone(),
            after: p.after.clone(),
            downtime: p.product.downtime.clone(),
            required_stops: p
                .policy
                .required_stops
                .iter()
                .map(|v| v.to_string())
                .collect(),
        })
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
    pub state: RunState,
    /// Known only from the state file.
    pub steps: Option<(usize, usize)>,
    pub current: Option<String>,
    pub error: Option<String>,
    pub log_path: Option<String>,
}

impl Unfinished {
    /// The state file's view, sanitised; None when its run completed.
    pub fn from_state_file(s: &StateFile) -> Option<Self> {
        if s.state == RunState::Completed {
            return None;
        }
        Some(Self::sanitized(Unfinished {
            from: s.from.clone(),
            to: s.to.clone(),
            state: s.state,
            steps: Some((s.completed_steps.len(), s.total_steps)),
            current: s.current_step.clone(),
            error: s.error.clone(),
            log_path: Some(s.log_path.display().to_string()),
        }))
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
    /// The operator's reason, when the config skips upwiz's backup.
    pub backup_skip: Option<String>,
    pub log_path: PathBuf,
    /// How this database's stage gate was passed, when it is a configured stage.
    pub stage: Option<crate::stages::marks::GateContext>,
    /// Why the stage gate refuses this upgrade: Finish does not start it.
    pub stage_refused: Option<String>,
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

// Text from the database, the package or the engine is made safe for the terminal
// here, once, where it enters the wizard's model; the screens draw it as it is.

fn clean(s: &mut String) {
    if s.chars().any(|c| c.is_control() || !c.is_ascii()) {
        *s = sanitize(s);
    }
}

fn clean_all(v: &mut [String]) {
    v.iter_mut().for_each(clean);
}

fn clean_opt(s: &mut Option<String>) {
    if let Some(s) = s {
        clean(s);
    }
}

fn clean_path(p: &mut PathBuf) {
    let shown = p.display().to_string();
    if sanitize(&shown) != shown {
        *p = PathBuf::from(sanitize(&shown));
    }
}

impl PackageInfo {
    pub fn sanitized(mut self) -> Self {
        clean(&mut self.product);
        clean_opt(&mut self.vendor);
        clean(&mut self.dir);
        clean_all(&mut self.releases);
        clean_all(&mut self.checklist);
        clean_all(&mut self.after);
        clean_opt(&mut self.downtime);
        clean_all(&mut self.required_stops);
        self
    }
}

impl Detected {
    pub fn sanitized(mut self) -> Self {
        clean(&mut self.server_version);
        clean_opt(&mut self.installed);
        clean_opt(&mut self.detect_error);
        self.unfinished = self.unfinished.map(Unfinished::sanitized);
        clean_opt(&mut self.running_elsewhere);
        self
    }
}

impl Unfinished {
    pub fn sanitized(mut self) -> Self {
        clean(&mut self.from);
        clean(&mut self.to);
        clean_opt(&mut self.current);
        clean_opt(&mut self.error);
        clean_opt(&mut self.log_path);
        self
    }
}

impl PlanInfo {
    pub fn sanitized(mut self) -> Self {
        clean(&mut self.server_version);
        clean(&mut self.installed);
        clean(&mut self.from);
        clean(&mut self.to);
        clean(&mut self.route);
        clean_all(&mut self.stops);
        for s in &mut self.steps {
            clean(&mut s.title);
        }
        match &mut self.violations {
            Some(Ok(v)) => clean_all(v),
            Some(Err(e)) => clean(e),
            None => {}
        }
        clean_all(&mut self.violation_hints);
        clean_opt(&mut self.keyring_note);
        match &mut self.backup {
            Ok(p) => clean_path(p),
            Err(e) => clean(e),
        }
        clean_path(&mut self.log_path);
        clean_opt(&mut self.stage_refused);
        self
    }
}
