//! A mirror of the journal in the platform state directory, one file per database:
//! it lets the wizard show an unfinished upgrade before it connects, and it survives
//! when the database cannot be reached.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::journal::RunState;
use crate::db::ConnectSpec;
use crate::fsutil;
use crate::rdbms::Rdbms;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateFile {
    pub product: String,
    pub package: PathBuf,
    pub rdbms: Rdbms,
    /// The connect string with any password removed.
    pub target: String,
    pub run_id: String,
    pub from: String,
    pub to: String,
    pub state: RunState,
    pub completed_steps: Vec<String>,
    pub total_steps: usize,
    pub current_step: Option<String>,
    pub error: Option<String>,
    pub log_path: PathBuf,
    pub updated_at: String,
}

/// The database's identity: the RDBMS and where it is, never who connects or how.
fn identity(spec: &ConnectSpec) -> String {
    spec.identity()
}

/// A short name for the database (16 hex digits of a hash of its identity), the same
/// for every connect string that reaches it and different for every other database:
/// it names the state file and goes into the names of its backups.
pub fn database_id(spec: &ConnectSpec) -> String {
    let digest = Sha256::digest(identity(spec).as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

pub fn path_for(state_dir: &Path, spec: &ConnectSpec) -> PathBuf {
    state_dir
        .join("databases")
        .join(format!("{}.json", database_id(spec)))
}

pub fn write(path: &Path, state: &StateFile) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    fsutil::write_private_atomic(path, &json)
}

/// The mirror, if there is a readable one; a damaged file, or a symbolic link in its
/// place, is treated as absent.
pub fn read(path: &Path) -> Option<StateFile> {
    let bytes = fsutil::read_private(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}
