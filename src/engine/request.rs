//! What a front end asks the engine to do: validated input, ready to run.

use std::sync::Arc;

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
}
