//! Errors in an upgrade package, each naming the file and, where it can, the line and column.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("package directory {0} does not exist; pass --package with the directory that holds upwiz.toml")]
    DirMissing(PathBuf),
    #[error("{0} is a file, not a package directory; pass --package with the directory that holds upwiz.toml")]
    NotADirectory(PathBuf),
    #[error("{0} is not an upgrade package: it has no upwiz.toml")]
    ManifestMissing(PathBuf),
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not UTF-8 text (invalid byte at line {line}); save it as UTF-8")]
    NotUtf8 { path: PathBuf, line: usize },
    #[error(transparent)]
    Script(#[from] super::script::ScriptError),
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The line of the first invalid UTF-8 byte, for a file that is not text.
pub fn utf8_error_line(bytes: &[u8], err: &std::str::Utf8Error) -> usize {
    bytes[..err.valid_up_to()]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 6), (2, 1));
        assert_eq!(position(text, text.find('=').unwrap()), (1, 3));
        let second_eq = text.rfind('=').unwrap();
        assert_eq!(position(text, second_eq), (2, 4));
        assert_eq!(position(text, 10_000), (3, 1));
    }
}
