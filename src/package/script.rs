//! A script file read from the package: its checksum and its statements.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::utf8_error_line;
use crate::rdbms::Rdbms;
use crate::sql::{split, SplitError, Statement};

#[derive(Debug, Clone)]
pub struct LoadedScript {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex: the journal compares it on every run.
    pub checksum: String,
    pub statements: Vec<Statement>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read script {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("script {path} is not UTF-8 text (invalid byte at line {line}); save it as UTF-8")]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("script {path}, {source}")]
    Split { path: PathBuf, source: SplitError },
}

pub fn read_script(path: &Path, rdbms: Rdbms) -> Result<LoadedScript, ScriptError> {
    let bytes = std::fs::read(path).map_err(|source| ScriptError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let checksum = hex(&Sha256::digest(&bytes));
    let text = std::str::from_utf8(&bytes).map_err(|e| ScriptError::NotUtf8 {
        path: path.to_path_buf(),
        line: utf8_error_line(&bytes, &e),
    })?;
    let statements = split(rdbms, text).map_err(|source| ScriptError::Split {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(LoadedScript {
        path: path.to_path_buf(),
        checksum,
        statements,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
