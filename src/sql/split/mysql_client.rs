//! Where the mysql client reads a script differently from sqlparser: its own DELIMITER
//! command, and dash comments without a space.

/// Positions in a MySQL script where the tokenizer must stop, because from there the mysql
/// client reads differently from sqlparser:
///
/// - `DELIMITER` lines are mysql client commands, and their argument (`$$`, `//`) is not
///   SQL;
/// - `--` followed by a tab, a line break or any other control character starts a
///   comment for MySQL, but sqlparser only knows `-- ` with a space. mysqldump writes
///   bare `--` lines, and an apostrophe in a `--<tab>` comment would open a string.
///
/// A mark inside a string or block comment makes the chunk ending there fail, so the
/// string is scanned whole and the mark skipped. A mark inside a `#` or `-- ` comment is
/// read as a comment to the end of the line, which it already is.
pub(super) fn mysql_marks(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut marks = Vec::new();
    let mut line_start = true;
    for (i, &b) in bytes.iter().enumerate() {
        let delimiter_line = line_start && delimiter_keyword_end(&bytes[i..]).is_some();
        let dash_comment = b == b'-'
            && bytes.get(i + 1) == Some(&b'-')
            && bytes
                .get(i + 2)
                .is_none_or(|&c| c != b' ' && (c.is_ascii_whitespace() || c.is_ascii_control()));
        if delimiter_line || dash_comment {
            marks.push(i);
        }
        line_start = b == b'\n';
    }
    marks
}

/// If `line` is a mysql client DELIMITER command, the offset just after the keyword.
/// Like the mysql client, this wants whitespace after the keyword, so that a line that is
/// only the word `delimiter` (say, a column name) stays SQL.
pub(super) fn delimiter_keyword_end(line: &[u8]) -> Option<usize> {
    let indent = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(line.len());
    let end = indent + "delimiter".len();
    let word = line.get(indent..end)?;
    (word.eq_ignore_ascii_case(b"delimiter") && matches!(line.get(end), Some(b' ' | b'\t')))
        .then_some(end)
}

/// The new delimiter's range in a DELIMITER `line`, the way the mysql client reads it: the
/// first word after the keyword, or the text inside quotes.
pub(super) fn delimiter_argument(line: &str, keyword_end: usize) -> Option<(usize, usize)> {
    let rest = &line[keyword_end..];
    let arg = rest.trim_start();
    let from = keyword_end + (rest.len() - arg.len());
    let (from, len) = match arg.chars().next()? {
        quote @ ('\'' | '"' | '`') => {
            let inner = &arg[1..];
            (
                from + 1,
                inner.find(quote).unwrap_or(inner.trim_end().len()),
            )
        }
        _ => (from, arg.find(char::is_whitespace).unwrap_or(arg.len())),
    };
    (len > 0).then_some((from, from + len))
}
