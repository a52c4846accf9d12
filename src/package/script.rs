//! A script file read from the package: its checksum, the statements the engine runs, and
//! the transaction control of its own that upwiz took over.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{position, utf8_error_line};
use super::takeover::take_over;
use crate::rdbms::Rdbms;
use crate::sql::{split, SplitError, Statement};

#[derive(Debug, Clone)]
pub struct LoadedScript {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex: the journal compares it on every run.
    pub checksum: String,
    /// What the engine runs; the journal's statement index is the index in this list.
    pub statements: Vec<Statement>,
    /// The script's own BEGIN/COMMIT (and MySQL autocommit switches), which upwiz does
    /// not send: it runs the script in a transaction of its own instead.
    pub taken_over: Vec<Statement>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read script {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("script {path} is not a regular file (a FIFO, device, socket or directory); a script must be a plain file in the package")]
    NotRegular { path: PathBuf },
    #[error("script {path} is not UTF-8 text (invalid byte at line {line}); save it as UTF-8")]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("script {path}, line {line}, column {column}: a NUL byte, which SQLite would take as the end of the statement and the other servers refuse; remove it")]
    NulByte {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    #[error("script {path}, {source}")]
    Split { path: PathBuf, source: SplitError },
    #[error("script {path}, line {line}: {message}")]
    TransactionControl {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Reads a script that upwiz runs in a transaction of its own: releases' transactional
/// scripts, baselines and per-item scripts.
pub fn read_script(path: &Path, rdbms: Rdbms) -> Result<LoadedScript, ScriptError> {
    read_script_with(path, rdbms, true)
}

/// Reads a script; `transactional` is false for a script marked `transactional = false`,
/// which upwiz runs statement by statement outside any transaction.
pub fn read_script_with(
    path: &Path,
    rdbms: Rdbms,
    transactional: bool,
) -> Result<LoadedScript, ScriptError> {
    let unreadable = |source| ScriptError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    // Checked before opening: opening a FIFO would wait for a writer.
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err(ScriptError::NotRegular {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let checksum = hex(&Sha256::digest(&bytes));
    let text = std::str::from_utf8(&bytes).map_err(|e| ScriptError::NotUtf8 {
        path: path.to_path_buf(),
        line: utf8_error_line(&bytes, &e),
    })?;
    if let Some(at) = text.find('\0') {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (line, column) = position(body, at - (text.len() - body.len()));
        return Err(ScriptError::NulByte {
            path: path.to_path_buf(),
            line,
            column,
        });
    }
    let statements = split(rdbms, text).map_err(|source| ScriptError::Split {
        path: path.to_path_buf(),
        source,
    })?;
    let sorted = take_over(rdbms, statements, transactional).map_err(|r| {
        ScriptError::TransactionControl {
            path: path.to_path_buf(),
            line: r.line,
            message: r.message,
        }
    })?;
    Ok(LoadedScript {
        path: path.to_path_buf(),
        checksum,
        statements: sorted.run,
        taken_over: sorted.taken,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
