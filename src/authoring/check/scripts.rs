//! One script file checked as a run would read it, each problem located in the file.

use std::path::{Component, Path};

use super::Problem;
use crate::package::{read_script_with, ScriptError};
use crate::rdbms::Rdbms;
use crate::sql::SplitError;

/// The loader's rules for a script path; the message is shown at the manifest's line.
pub fn check_path(dir: &Path, rel: &str) -> Result<(), String> {
    let p = Path::new(rel);
    if rel.trim().is_empty() {
        return Err("the script path is empty".into());
    }
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(format!(
            "script path '{rel}' leaves the package directory; give a path relative to it"
        ));
    }
    let full = dir.join(p);
    let meta = match std::fs::metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("script file '{rel}' does not exist"))
        }
        Err(e) => return Err(format!("cannot read script file '{rel}': {e}")),
    };
    if !meta.is_file() {
        return Err(format!(
            "script path '{rel}' is not a regular file (a directory, FIFO, device or socket)"
        ));
    }
    let inside = match (std::fs::canonicalize(dir), std::fs::canonicalize(&full)) {
        (Ok(d), Ok(f)) => f.starts_with(d),
        _ => false,
    };
    if !inside {
        return Err(format!(
            "script path '{rel}' is a symbolic link to a file outside the package directory; copy the file into the package instead"
        ));
    }
    Ok(())
}

/// The first problem of a script file that exists, read for `rdbms`.
pub fn check_file(dir: &Path, rel: &str, rdbms: Rdbms, transactional: bool) -> Option<Problem> {
    let full = dir.join(rel);
    let at = |line, column, message: String| {
        Some(Problem {
            file: rel.to_string(),
            line,
            column,
            message,
        })
    };
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => return at(1, 1, format!("cannot read the script: {e}")),
    };
    if let Err(e) = std::str::from_utf8(&bytes) {
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            return at(
                1,
                1,
                "UTF-16 text (it starts with a UTF-16 byte order mark); save the script as UTF-8"
                    .into(),
            );
        }
        let (line, column) = bad_byte_at(&bytes, &e);
        let byte = bytes[e.valid_up_to()];
        return at(
            line,
            column,
            format!("not UTF-8 text: byte 0x{byte:02X} cannot start or continue a UTF-8 character (the file is probably Latin-1 or Windows-1252); save the script as UTF-8"),
        );
    }
    match read_script_with(&full, rdbms, transactional) {
        Ok(_) => None,
        Err(e) => {
            let mut p = script_problem(dir, e);
            p.file = rel.to_string();
            if p.message.is_empty() {
                return None;
            }
            p.message = format!("{} (for {})", p.message, rdbms.key());
            Some(p)
        }
    }
}

/// A script error as a located problem, its path made relative to `dir`.
pub fn script_problem(dir: &Path, e: ScriptError) -> Problem {
    let (path, line, column, message) = match e {
        ScriptError::Unreadable { path, source } => (path, 1, 1, format!("cannot read the script: {source}")),
        ScriptError::NotRegular { path } => (path, 1, 1, "not a regular file".to_string()),
        ScriptError::NotUtf8 { path, line } => (path, line, 1, "not UTF-8 text; save the script as UTF-8".to_string()),
        ScriptError::NulByte { path, line, column } => (
            path,
            line,
            column,
            "a NUL byte, which SQLite would take as the end of the statement and the other servers refuse; remove it".to_string(),
        ),
        ScriptError::Split { path, source } => {
            let (line, column) = split_position(&source);
            (path, line, column, without_position(&source.to_string()))
        }
        ScriptError::TransactionControl { path, line, message } => (path, line, 1, message),
    };
    let file = path
        .strip_prefix(dir)
        .unwrap_or(&path)
        .to_string_lossy()
        .into_owned();
    Problem {
        file,
        line,
        column,
        message,
    }
}

fn split_position(e: &SplitError) -> (usize, usize) {
    match e {
        SplitError::Unterminated { line, column, .. }
        | SplitError::PsqlMetaCommand { line, column, .. }
        | SplitError::UnclosedBlock { line, column }
        | SplitError::UnclosedParenthesis { line, column } => (*line, *column),
        SplitError::CopyFromStdin { line }
        | SplitError::DelimiterMissing { line }
        | SplitError::DelimiterBackslash { line, .. } => (*line, 1),
    }
}

/// "line 3, column 7: unterminated ..." -> "unterminated ...": the position is given
/// apart, as file:line:column.
fn without_position(message: &str) -> String {
    if message.starts_with("line ") {
        if let Some((_, rest)) = message.split_once(": ") {
            return rest.to_string();
        }
    }
    message.to_string()
}

/// Line and column (in characters) of the first byte that is not UTF-8.
pub fn bad_byte_at(bytes: &[u8], e: &std::str::Utf8Error) -> (usize, usize) {
    let valid = &bytes[..e.valid_up_to()];
    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
    let start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&valid[start..]).chars().count() + 1;
    (line, column)
}
