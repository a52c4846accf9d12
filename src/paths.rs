//! Where upwiz keeps its state, logs, backups and configuration, per platform
//! (XDG on Linux, Application Support on macOS, AppData on Windows).

use std::path::PathBuf;

use directories::ProjectDirs;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    /// State files that mirror the journal.
    pub state_dir: PathBuf,
    /// UPGRADE.LOG and violation reports.
    pub log_dir: PathBuf,
    pub backup_dir: PathBuf,
}

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "upwiz")
}

/// The platform state directory; the data directory where a platform has no state directory.
pub fn default_state_dir() -> PathBuf {
    match project() {
        Some(p) => p
            .state_dir()
            .map(PathBuf::from)
            .unwrap_or_else(|| p.data_local_dir().to_path_buf()),
        None => std::env::temp_dir().join("upwiz"),
    }
}

pub fn default_config_file() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("config.toml"))
}

impl Dirs {
    pub fn new(log_dir: Option<PathBuf>, backup_dir: Option<PathBuf>) -> Self {
        let state_dir = default_state_dir();
        Dirs {
            log_dir: log_dir.unwrap_or_else(|| state_dir.clone()),
            backup_dir: backup_dir.unwrap_or_else(|| state_dir.join("backups")),
            state_dir,
        }
    }
}
