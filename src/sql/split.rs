//! Splits a vendor's upgrade script into the statements the server runs one at a time.
//!
//! Statement boundaries come from sqlparser's tokenizer, but every statement is a slice of
//! the original script: the server must receive the vendor's exact text, never re-printed
//! tokens.
//!
//! The tokenizer is run over bounded chunks of the script rather than all of it at once,
//! so that memory stays bounded on multi-megabyte scripts, and so that we can step in
//! cheaply where the tokenizer is wrong for a server (see `Lexer::recover` and
//! `mysql_marks`). A chunk ends at a line start or just after a space, tab or comma, where
//! the tokenizer never needs to look further to end the token before. Only strings, quoted
//! identifiers, dollar quotes and comments can run across such a cut. Cut short, all but
//! line comments make the tokenizer fail, and we then scan that one token ourselves on the
//! whole script; a line comment cut short is dropped and read again to its line's end.

use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::rdbms::Rdbms;

/// One statement of a script, as the server will receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text, without the terminating delimiter, trimmed of surrounding whitespace (comments inside are kept; leading comment-only lines before a statement may be dropped).
    pub sql: String,
    /// 1-based line in the script where the statement starts.
    pub line: usize,
}

/// Why a script cannot be split into statements. Lines and columns are 1-based; columns
/// count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error(
        "line {line}, column {column}: unterminated {what} ({opener} opened here is never closed)"
    )]
    Unterminated {
        line: usize,
        column: usize,
        /// For example "string literal" or "block comment".
        what: &'static str,
        /// For example "a quote '" or "a $body$".
        opener: String,
    },

    #[error(
        "line {line}: '{command}' is a psql meta-command, which the server cannot run; remove it from the script"
    )]
    PsqlMetaCommand {
        line: usize,
        column: usize,
        command: String,
    },

    #[error(
        "line {line}: COPY ... FROM STDIN reads its data from the lines after it, which only psql can send; load that data another way and remove it from the script"
    )]
    CopyFromStdin { line: usize },

    #[error(
        "line {line}, column {column}: this BEGIN is never closed by a matching END, so the rest of the script would be sent as part of one statement"
    )]
    UnclosedBlock { line: usize, column: usize },

    #[error(
        "line {line}, column {column}: this parenthesis is never closed, so the rest of the script would be sent as part of one statement"
    )]
    UnclosedParenthesis { line: usize, column: usize },

    #[error("line {line}: DELIMITER must be followed by the new delimiter, as in 'DELIMITER //'")]
    DelimiterMissing { line: usize },

    #[error(
        "line {line}: the delimiter '{delimiter}' contains a backslash, which the mysql client does not accept either; choose another delimiter"
    )]
    DelimiterBackslash { line: usize, delimiter: String },
}

/// Splits `script` into statements for `rdbms`, in script order.
pub fn split(rdbms: Rdbms, script: &str) -> Result<Vec<Statement>, SplitError> {
    split_in_chunks(rdbms, script, CHUNK_BYTES)
}

/// `split`, with chunks of about `chunk_bytes`: tests make them tiny to prove that where
/// chunks end never changes the result.
fn split_in_chunks(
    rdbms: Rdbms,
    script: &str,
    chunk_bytes: usize,
) -> Result<Vec<Statement>, SplitError> {
    let text = script.strip_prefix('\u{feff}').unwrap_or(script);
    let mut lexer = Lexer::new(rdbms, text, chunk_bytes.max(1));
    let mut splitter = Splitter::new(rdbms, text);
    while let Some(tok) = lexer.next_tok()? {
        splitter.token(tok)?;
    }
    splitter.finish()
}

/// Small enough that the token buffer stays a few megabytes, large enough that starting
/// the tokenizer costs nothing measurable.
const CHUNK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    /// An unquoted word: keyword or identifier.
    Word,
    /// Content the delimiter is never looked for in: strings, quoted identifiers, dollar
    /// quotes and MySQL executable comments.
    Opaque,
    Semicolon,
    LParen,
    RParen,
    Backslash,
    Other,
    /// A mysql client `DELIMITER` line; the new delimiter is `text[from..to]`.
    Delimiter {
        from: usize,
        to: usize,
    },
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    start: usize,
    end: usize,
    line: usize,
    column: usize,
}

/// A position in the script, advanced only forwards so that locating every token costs
/// one pass over the text in total.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    byte: usize,
    line: usize,
    column: usize,
}

/// Produces the script's tokens with byte offsets into the script.
struct Lexer<'a> {
    rdbms: Rdbms,
    dialect: &'static dyn Dialect,
    text: &'a str,
    chunk_bytes: usize,
    /// Where the next chunk starts.
    pos: usize,
    cursor: Cursor,
    tokens: Vec<TokenWithSpan>,
    next: usize,
    /// Script line and column of the current chunk's first character.
    origin: (usize, usize),
    /// The tokenizer gave up on the token after the last one in `tokens`.
    stalled: bool,
    /// The token after the last one in `tokens` is a line comment cut short by the end of
    /// the chunk, to be read again by a chunk that runs to the end of its line.
    cut_comment: bool,
    /// The next chunk runs to the end of the line it starts on.
    to_line_end: bool,
    /// MySQL only: ascending positions the tokenizer must not run across (see `mysql_marks`).
    marks: Vec<usize>,
    mark: usize,
}

impl<'a> Lexer<'a> {
    fn new(rdbms: Rdbms, text: &'a str, chunk_bytes: usize) -> Self {
        let dialect: &'static dyn Dialect = match rdbms {
            Rdbms::Sqlite => &SQLiteDialect {},
            Rdbms::Postgres => &PostgreSqlDialect {},
            Rdbms::Mysql => &MySqlDialect {},
        };
        Lexer {
            rdbms,
            dialect,
            text,
            chunk_bytes,
            pos: 0,
            cursor: Cursor {
                byte: 0,
                line: 1,
                column: 1,
            },
            tokens: Vec::new(),
            next: 0,
            origin: (1, 1),
            stalled: false,
            cut_comment: false,
            to_line_end: false,
            marks: if rdbms == Rdbms::Mysql {
                mysql_marks(text)
            } else {
                Vec::new()
            },
            mark: 0,
        }
    }

    fn next_tok(&mut self) -> Result<Option<Tok>, SplitError> {
        loop {
            if let Some(t) = self.tokens.get(self.next) {
                self.next += 1;
                let kind = classify(self.rdbms, &t.token);
                let span = t.span;
                // Tokens are contiguous: this one starts where the cursor was left, at the
                // chunk's start or at the end of the token before.
                let start = self.cursor;
                debug_assert_eq!(start.byte, self.locate(span.start).byte);
                let end = self.locate(span.end);
                return Ok(Some(Tok {
                    kind,
                    start: start.byte,
                    end: end.byte,
                    line: start.line,
                    column: start.column,
                }));
            }
            self.tokens.clear();
            self.next = 0;
            if std::mem::take(&mut self.stalled) {
                return self.recover().map(Some);
            }
            if std::mem::take(&mut self.cut_comment) {
                self.pos = self.cursor.byte;
                self.to_line_end = true;
            }
            if self.pos >= self.text.len() {
                return Ok(None);
            }
            while self.marks.get(self.mark).is_some_and(|&m| m < self.pos) {
                self.mark += 1;
            }
            if self.marks.get(self.mark) == Some(&self.pos) {
                self.mark += 1;
                return self.mysql_mark().map(Some);
            }
            self.tokenize_chunk();
        }
    }

    fn tokenize_chunk(&mut self) {
        let (end, mid_line) = self.chunk_end();
        let here = self.locate_byte(self.pos);
        self.origin = (here.line, here.column);
        let chunk = self.text.get(self.pos..end).unwrap_or_default();
        match Tokenizer::new(self.dialect, chunk).tokenize_with_location_into_buf(&mut self.tokens)
        {
            Ok(()) if mid_line && self.tokens.last().is_some_and(is_line_comment) => {
                self.tokens.pop();
                self.cut_comment = true;
            }
            Ok(()) => self.pos = end,
            // The tokens before the failure are good; the failing one starts where the last
            // of them ends, which is where the cursor will be once they are handed out.
            Err(_) => self.stalled = true,
        }
    }

    /// Where the chunk starting at `self.pos` ends, and whether that is inside a line
    /// (see the module documentation).
    fn chunk_end(&mut self) -> (usize, bool) {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let line_end = |from: usize| {
            bytes[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |i| from + i + 1)
        };
        let target = self.pos.saturating_add(self.chunk_bytes);
        let (end, mid_line) = if std::mem::take(&mut self.to_line_end) {
            (line_end(self.pos), false)
        } else if target >= len {
            (len, false)
        } else {
            // Prefer a line start; on a long line, cut after a space, tab or comma.
            let window = &bytes[target..len.min(target.saturating_add(self.chunk_bytes))];
            match window.iter().position(|&b| b == b'\n') {
                Some(i) => (target + i + 1, false),
                None => match bytes[target..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b','))
                {
                    Some(i) => (target + i + 1, true),
                    None => (line_end(target), false),
                },
            }
        };
        match self.marks.get(self.mark) {
            Some(&m) if m < end => (m, false),
            _ => (end, mid_line),
        }
    }

    /// Takes over for the one token the tokenizer failed on, at the cursor.
    ///
    /// Besides tokens cut short by the end of a chunk, sqlparser 0.59 rejects valid SQL
    /// here: PostgreSQL E'...' strings with escapes it cannot decode (`E'\xC3\xA9'`,
    /// `E'\200'`), U&'...' strings with a UESCAPE character, operators such as `<-` in
    /// `a<-1` and `@-` in `@-1`, and `._` after anything but a word. For a quoted token we
    /// find its end with the server's rules; for anything else one character is enough to
    /// get the tokenizer going again.
    fn recover(&mut self) -> Result<Tok, SplitError> {
        let at = self.cursor;
        let (kind, end) = scan_quoted(self.rdbms, self.text, at)?;
        self.pos = end;
        Ok(Tok {
            kind,
            start: at.byte,
            end,
            line: at.line,
            column: at.column,
        })
    }

    /// A `DELIMITER` line or a dash comment at `self.pos` (see `mysql_marks`).
    fn mysql_mark(&mut self) -> Result<Tok, SplitError> {
        let at = self.locate_byte(self.pos);
        let line_end = self.text.as_bytes()[at.byte..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.text.len(), |i| at.byte + i + 1);
        let line = &self.text[at.byte..line_end];
        let kind = match delimiter_keyword_end(line.as_bytes()) {
            Some(after) => {
                let (from, to) = delimiter_argument(line, after)
                    .map(|(from, to)| (at.byte + from, at.byte + to))
                    .ok_or(SplitError::DelimiterMissing { line: at.line })?;
                let delimiter = &self.text[from..to];
                if delimiter.contains('\\') {
                    return Err(SplitError::DelimiterBackslash {
                        line: at.line,
                        delimiter: delimiter.to_owned(),
                    });
                }
                Kind::Delimiter { from, to }
            }
            None => Kind::Comment,
        };
        self.pos = line_end;
        Ok(Tok {
            kind,
            start: at.byte,
            end: line_end,
            line: at.line,
            column: at.column,
        })
    }

    /// Converts a location inside the current chunk to a script position.
    fn locate(&mut self, loc: Location) -> Cursor {
        let line = usize::try_from(loc.line).unwrap_or(usize::MAX);
        let column = usize::try_from(loc.column).unwrap_or(usize::MAX);
        let (line, column) = if line <= 1 {
            (
                self.origin.0,
                self.origin.1.saturating_add(column).saturating_sub(1),
            )
        } else {
            (self.origin.0.saturating_add(line - 1), column)
        };
        let bytes = self.text.as_bytes();
        // Whole lines, then ASCII columns, a byte at a time; `step` only for the rest.
        while self.cursor.line < line {
            match bytes[self.cursor.byte..].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.cursor.byte += i + 1;
                    self.cursor.line += 1;
                    self.cursor.column = 1;
                }
                None => break,
            }
        }
        if self.cursor.line == line {
            let ascii = bytes[self.cursor.byte..]
                .iter()
                .take(column.saturating_sub(self.cursor.column))
                .take_while(|&&b| b.is_ascii() && b != b'\n')
                .count();
            self.cursor.byte += ascii;
            self.cursor.column += ascii;
        }
        while (self.cursor.line, self.cursor.column) < (line, column) && self.step() {}
        self.cursor
    }

    fn locate_byte(&mut self, byte: usize) -> Cursor {
        while self.cursor.byte < byte && self.step() {}
        self.cursor
    }

    /// Moves the cursor one character on, counting lines and columns exactly as the
    /// tokenizer does (a lone '\r' is an ordinary column).
    fn step(&mut self) -> bool {
        let Some(ch) = self
            .text
            .get(self.cursor.byte..)
            .and_then(|s| s.chars().next())
        else {
            return false;
        };
        self.cursor.byte += ch.len_utf8();
        if ch == '\n' {
            self.cursor.line += 1;
            self.cursor.column = 1;
        } else {
            self.cursor.column += 1;
        }
        true
    }
}

fn is_line_comment(token: &TokenWithSpan) -> bool {
    matches!(
        token.token,
        Token::Whitespace(Whitespace::SingleLineComment { .. })
    )
}

fn classify(rdbms: Rdbms, token: &Token) -> Kind {
    match token {
        Token::Whitespace(Whitespace::SingleLineComment { .. }) => Kind::Comment,
        // `/*! ... */` and MariaDB's `/*M! ... */` are executed by MySQL, and mysqldump
        // writes whole statements that way.
        Token::Whitespace(Whitespace::MultiLineComment(body))
            if rdbms == Rdbms::Mysql && (body.starts_with('!') || body.starts_with("M!")) =>
        {
            Kind::Opaque
        }
        Token::Whitespace(Whitespace::MultiLineComment(_)) => Kind::Comment,
        Token::Whitespace(_) => Kind::Blank,
        Token::Word(w) if w.quote_style.is_some() => Kind::Opaque,
        Token::Word(_) => Kind::Word,
        Token::SemiColon => Kind::Semicolon,
        Token::LParen => Kind::LParen,
        Token::RParen => Kind::RParen,
        Token::Backslash => Kind::Backslash,
        Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_) => Kind::Opaque,
        _ => Kind::Other,
    }
}

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
fn mysql_marks(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut marks = Vec::new();
    let mut line_start = true;
    for (i, &b) in bytes.iter().enumerate() {
        let delimiter_line = line_start && delimiter_keyword_end(&bytes[i..]).is_some();
        let dash_comment = b == b'-'
            && bytes.get(i + 1) == Some(&b'-')
            && bytes.get(i + 2).map_or(true, |&c| {
                c != b' ' && (c.is_ascii_whitespace() || c.is_ascii_control())
            });
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
fn delimiter_keyword_end(line: &[u8]) -> Option<usize> {
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
fn delimiter_argument(line: &str, keyword_end: usize) -> Option<(usize, usize)> {
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

/// Scans the token at `at` with the server's own rules: a string literal, quoted
/// identifier, dollar quote or block comment if one starts there, otherwise one
/// character. Returns the token's kind and end.
fn scan_quoted(rdbms: Rdbms, text: &str, at: Cursor) -> Result<(Kind, usize), SplitError> {
    let start = at.byte;
    let bytes = &text.as_bytes()[start..];
    let mysql = rdbms == Rdbms::Mysql;
    let pg = rdbms == Rdbms::Postgres;
    let unterminated = |what: &'static str, opener: String| SplitError::Unterminated {
        line: at.line,
        column: at.column,
        what,
        opener,
    };
    let string = |prefix: usize, backslash: bool| {
        let quote = bytes[prefix];
        closing_quote(bytes, prefix, quote, backslash)
            .map(|end| (Kind::Opaque, start + end))
            .ok_or_else(|| {
                let opener = String::from_utf8_lossy(&bytes[..=prefix]);
                unterminated("string literal", format!("a quote {opener}"))
            })
    };
    let identifier = |close: u8, doubled: bool, name: &str| {
        let end = if doubled {
            closing_quote(bytes, 0, close, false)
        } else {
            bytes[1..].iter().position(|&b| b == close).map(|i| i + 2)
        };
        end.map(|end| (Kind::Opaque, start + end)).ok_or_else(|| {
            unterminated(
                "quoted identifier",
                format!("{name} {}", char::from(bytes[0])),
            )
        })
    };
    match bytes {
        [b'\'', ..] => string(0, mysql),
        [b'"', ..] if mysql => string(0, true),
        [b'"', ..] => identifier(b'"', true, "a quote"),
        [b'`', ..] if !pg => identifier(b'`', true, "a backtick"),
        [b'[', ..] if rdbms == Rdbms::Sqlite => identifier(b']', false, "a bracket"),
        [b'e' | b'E', b'\'', ..] if pg => string(1, true),
        [b'n' | b'N', b'\'', ..] => string(1, mysql),
        [b'x' | b'X', b'\'', ..] => string(1, false),
        [b'b' | b'B', b'\'', ..] if rdbms != Rdbms::Sqlite => string(1, false),
        [b'u' | b'U', b'&', b'\'', ..] if pg => string(2, false),
        [b'/', b'*', ..] => {
            let exec = mysql && (bytes[2..].starts_with(b"!") || bytes[2..].starts_with(b"M!"));
            block_comment_end(bytes, pg)
                .map(|end| {
                    let kind = if exec { Kind::Opaque } else { Kind::Comment };
                    (kind, start + end)
                })
                .ok_or_else(|| unterminated("block comment", "a /*".to_owned()))
        }
        [b'$', ..] if pg => match dollar_tag_len(&text[start..]) {
            Some(tag_len) => {
                let tag = &text[start..start + tag_len];
                text[start + tag_len..]
                    .find(tag)
                    .map(|i| (Kind::Opaque, start + tag_len + i + tag_len))
                    .ok_or_else(|| unterminated("dollar-quoted string", format!("a {tag}")))
            }
            None => Ok((Kind::Other, start + 1)),
        },
        _ => {
            let len = text[start..].chars().next().map_or(1, char::len_utf8);
            Ok((Kind::Other, start + len))
        }
    }
}

/// The end (just past the closing quote) of a quoted token whose opening `quote` is at
/// `open`. A doubled quote stands for itself; with `backslash`, a backslash escapes the
/// next byte. Quotes and backslashes are ASCII, so scanning bytes is safe in UTF-8.
fn closing_quote(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if backslash => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The end of the block comment opening `bytes`; PostgreSQL nests them.
fn block_comment_end(bytes: &[u8], nested: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') if depth == 0 || nested => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The length of the PostgreSQL dollar-quote opener (`$$` or `$tag$`) starting `rest`.
fn dollar_tag_len(rest: &str) -> Option<usize> {
    for (i, ch) in rest.char_indices().skip(1) {
        match ch {
            '$' => return Some(i + 1),
            '0'..='9' if i > 1 => {}
            c if c.is_alphabetic() || c == '_' || !c.is_ascii() => {}
            _ => return None,
        }
    }
    None
}

/// Per-dialect rules for which CREATE statements have a BEGIN ... END body whose
/// semicolons do not end the statement.
fn is_compound_object(rdbms: Rdbms, is: &dyn Fn(&str) -> bool) -> bool {
    match rdbms {
        Rdbms::Sqlite => is("TRIGGER"),
        // As psql does it (psqlscan.l): CREATE [OR REPLACE] FUNCTION|PROCEDURE, for
        // SQL-standard bodies (BEGIN ATOMIC ... END).
        Rdbms::Postgres => is("FUNCTION") || is("PROCEDURE"),
        Rdbms::Mysql => is("TRIGGER") || is("PROCEDURE") || is("FUNCTION") || is("EVENT"),
    }
}

/// How many tokens may stand between CREATE and the object keyword. MySQL's
/// `DEFINER = 'user'@'host'` clause is the longest in practice.
const CREATE_PREFIX_LIMIT: u8 = 12;

/// Whether a token may come between CREATE and the object keyword of a compound object.
fn may_precede_object(rdbms: Rdbms, kind: Kind, is: &dyn Fn(&str) -> bool) -> bool {
    match rdbms {
        Rdbms::Sqlite => is("TEMP") || is("TEMPORARY"),
        Rdbms::Postgres => is("OR") || is("REPLACE"),
        // The DEFINER clause can hold nearly any token, so rule out instead the words
        // that show another kind of object.
        Rdbms::Mysql => {
            kind != Kind::Semicolon
                && ![
                    "TABLE",
                    "VIEW",
                    "INDEX",
                    "UNIQUE",
                    "FULLTEXT",
                    "SPATIAL",
                    "DATABASE",
                    "SCHEMA",
                    "USER",
                    "ROLE",
                    "SERVER",
                    "TABLESPACE",
                    "LOGFILE",
                    "SEQUENCE",
                    "RESOURCE",
                    "ALGORITHM",
                    "SQL",
                    "TEMPORARY",
                ]
                .iter()
                .any(|&w| is(w))
        }
    }
}

/// Words after END that close a construct we do not count (MySQL's END IF, END LOOP ...).
const END_CONTINUATIONS: [&str; 5] = ["IF", "LOOP", "WHILE", "REPEAT", "FOR"];

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Shape {
    #[default]
    Start,
    Create {
        left: u8,
    },
    Compound,
    Plain,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum CopyState {
    #[default]
    No,
    Copy,
    From,
    FromStdin,
}

/// What is known about the statement being read.
#[derive(Debug, Default)]
struct Current {
    /// Position and line of the first character sent to the server.
    first: Option<(usize, usize)>,
    last_end: usize,
    shape: Shape,
    /// BEGIN/CASE ... END nesting inside a compound statement.
    depth: usize,
    depth_open: (usize, usize),
    /// An END was seen; whether it closes a block depends on the next word.
    pending_end: bool,
    parens: usize,
    paren_open: (usize, usize),
    copy: CopyState,
}

/// Code between two non-code tokens, searched as text for a custom MySQL delimiter,
/// which may span tokens (`//`) or sit inside one (`END$$`).
#[derive(Debug)]
struct Run {
    start: usize,
    end: usize,
    line: usize,
}

struct Splitter<'a> {
    rdbms: Rdbms,
    text: &'a str,
    delimiter: &'a str,
    stmt: Current,
    run: Option<Run>,
    statements: Vec<Statement>,
}

impl<'a> Splitter<'a> {
    fn new(rdbms: Rdbms, text: &'a str) -> Self {
        Splitter {
            rdbms,
            text,
            delimiter: ";",
            stmt: Current::default(),
            run: None,
            statements: Vec::new(),
        }
    }

    fn token(&mut self, tok: Tok) -> Result<(), SplitError> {
        if let Kind::Delimiter { from, to } = tok.kind {
            // Like the mysql client, a DELIMITER line ends any statement before it.
            self.flush_run()?;
            let _ = self.resolve_end(None);
            self.end_statement()?;
            let text = self.text;
            self.delimiter = &text[from..to];
            return Ok(());
        }
        if self.delimiter != ";" {
            return self.custom_delimiter_token(tok);
        }
        if matches!(tok.kind, Kind::Blank | Kind::Comment) {
            return Ok(());
        }
        let closes = self.resolve_end(Some(tok));
        // psql does not end a statement inside parentheses (CREATE RULE ... DO (a; b)).
        if tok.kind == Kind::Semicolon
            && self.stmt.depth == 0
            && (self.stmt.parens == 0 || self.rdbms != Rdbms::Postgres)
        {
            return self.end_statement();
        }
        if tok.kind == Kind::Backslash && self.rdbms == Rdbms::Postgres {
            let command: String = self.text[tok.start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(40)
                .collect();
            return Err(SplitError::PsqlMetaCommand {
                line: tok.line,
                column: tok.column,
                command,
            });
        }
        self.note(tok.start, tok.end, tok.line);
        self.track(tok, closes);
        Ok(())
    }

    fn custom_delimiter_token(&mut self, tok: Tok) -> Result<(), SplitError> {
        match tok.kind {
            Kind::Comment => self.flush_run(),
            Kind::Opaque => {
                self.flush_run()?;
                self.note(tok.start, tok.end, tok.line);
                Ok(())
            }
            _ => {
                match &mut self.run {
                    Some(run) => run.end = tok.end,
                    None => {
                        self.run = Some(Run {
                            start: tok.start,
                            end: tok.end,
                            line: tok.line,
                        })
                    }
                }
                Ok(())
            }
        }
    }

    /// Ends a statement at each custom delimiter in the pending run of code.
    fn flush_run(&mut self) -> Result<(), SplitError> {
        let Some(run) = self.run.take() else {
            return Ok(());
        };
        let (text, delimiter) = (self.text, self.delimiter);
        let (mut line, mut counted) = (run.line, run.start);
        let mut from = run.start;
        loop {
            let found = match delimiter {
                "" => None,
                _ => text[from..run.end].find(delimiter).map(|i| from + i),
            };
            let piece_end = found.unwrap_or(run.end);
            let piece = text[from..piece_end].trim_start();
            let start = piece_end - piece.len();
            let piece = piece.trim_end();
            if !piece.is_empty() {
                line += text[counted..start].bytes().filter(|&b| b == b'\n').count();
                counted = start;
                self.note(start, start + piece.len(), line);
            }
            match found {
                Some(at) => {
                    self.end_statement()?;
                    from = at + delimiter.len();
                }
                None => return Ok(()),
            }
        }
    }

    /// Records content: the statement runs from its first content to its last.
    fn note(&mut self, start: usize, end: usize, line: usize) {
        if self.stmt.first.is_none() {
            self.stmt.first = Some((start, line));
        }
        self.stmt.last_end = end;
    }

    /// Follows the statement's shape; `closes` is set for the word after an END.
    fn track(&mut self, tok: Tok, closes: bool) {
        let text = self.text;
        let rdbms = self.rdbms;
        let word = (tok.kind == Kind::Word).then(|| &text[tok.start..tok.end]);
        let is = |kw: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(kw));
        let s = &mut self.stmt;
        let first = s.shape == Shape::Start;

        s.shape = match s.shape {
            Shape::Start if is("CREATE") => Shape::Create {
                left: CREATE_PREFIX_LIMIT,
            },
            Shape::Start => Shape::Plain,
            Shape::Create { .. } if is_compound_object(rdbms, &is) => Shape::Compound,
            Shape::Create { left } if left > 0 && may_precede_object(rdbms, tok.kind, &is) => {
                Shape::Create { left: left - 1 }
            }
            Shape::Create { .. } => Shape::Plain,
            other => other,
        };

        // Only in compound statements, and outside parentheses like psql, so that a plain
        // `BEGIN;` stays a statement and `(CASE ... END)` needs no counting.
        if s.shape == Shape::Compound && s.parens == 0 && !closes {
            if is("BEGIN") {
                if s.depth == 0 {
                    s.depth_open = (tok.line, tok.column);
                }
                s.depth += 1;
            } else if is("CASE") && s.depth > 0 {
                s.depth += 1;
            } else if is("END") && s.depth > 0 {
                s.pending_end = true;
            }
        }

        if rdbms == Rdbms::Postgres && s.parens == 0 {
            s.copy = match s.copy {
                CopyState::No if first && is("COPY") => CopyState::Copy,
                CopyState::Copy | CopyState::From if is("FROM") => CopyState::From,
                CopyState::From if is("STDIN") => CopyState::FromStdin,
                CopyState::From => CopyState::Copy,
                other => other,
            };
        }

        match tok.kind {
            Kind::LParen => {
                if s.parens == 0 {
                    s.paren_open = (tok.line, tok.column);
                }
                s.parens += 1;
            }
            Kind::RParen => s.parens = s.parens.saturating_sub(1),
            _ => {}
        }
    }

    /// Settles an END seen just before `next` (the next significant token, or none at the
    /// end of a statement). Returns whether `next` is part of the END, as CASE is in
    /// MySQL's `END CASE`, and so opens nothing.
    fn resolve_end(&mut self, next: Option<Tok>) -> bool {
        if !std::mem::take(&mut self.stmt.pending_end) {
            return false;
        }
        let text = self.text;
        let word = next
            .filter(|t| t.kind == Kind::Word)
            .map(|t| &text[t.start..t.end]);
        let is = |kw: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(kw));
        if END_CONTINUATIONS.iter().any(|kw| is(kw)) {
            return true;
        }
        self.stmt.depth = self.stmt.depth.saturating_sub(1);
        is("CASE")
    }

    fn end_statement(&mut self) -> Result<(), SplitError> {
        let stmt = std::mem::take(&mut self.stmt);
        if let Some((start, line)) = stmt.first {
            if stmt.copy == CopyState::FromStdin {
                return Err(SplitError::CopyFromStdin { line });
            }
            self.statements.push(Statement {
                sql: self.text[start..stmt.last_end].to_owned(),
                line,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Statement>, SplitError> {
        self.flush_run()?;
        let _ = self.resolve_end(None);
        if self.stmt.first.is_some() {
            let (line, column) = self.stmt.depth_open;
            if self.stmt.depth > 0 {
                return Err(SplitError::UnclosedBlock { line, column });
            }
            let (line, column) = self.stmt.paren_open;
            if self.stmt.parens > 0 && self.rdbms == Rdbms::Postgres {
                return Err(SplitError::UnclosedParenthesis { line, column });
            }
        }
        self.end_statement()?;
        Ok(self.statements)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [Rdbms; 3] = [Rdbms::Sqlite, Rdbms::Postgres, Rdbms::Mysql];

    /// Splits with the real chunk size, and checks that tiny chunks, ending nearly
    /// everywhere, give the same result.
    fn split_checked(rdbms: Rdbms, script: &str) -> Result<Vec<Statement>, SplitError> {
        let result = split(rdbms, script);
        for chunk_bytes in [1, 5, 64] {
            assert_eq!(
                split_in_chunks(rdbms, script, chunk_bytes),
                result,
                "{rdbms:?}, chunks of {chunk_bytes} bytes, script:\n{script}"
            );
        }
        result
    }

    fn ok(rdbms: Rdbms, script: &str) -> Vec<(String, usize)> {
        match split_checked(rdbms, script) {
            Ok(statements) => statements.into_iter().map(|s| (s.sql, s.line)).collect(),
            Err(e) => panic!("{rdbms:?}: unexpected error: {e}\nscript:\n{script}"),
        }
    }

    fn err(rdbms: Rdbms, script: &str) -> SplitError {
        match split_checked(rdbms, script) {
            Ok(statements) => panic!("{rdbms:?}: expected an error, got {statements:?}"),
            Err(e) => e,
        }
    }

    fn stmts(expected: &[(&str, usize)]) -> Vec<(String, usize)> {
        expected.iter().map(|&(s, l)| (s.to_owned(), l)).collect()
    }

    // ---- every dialect ----

    #[test]
    fn splits_on_semicolons_with_start_lines() {
        for rdbms in ALL {
            assert_eq!(
                ok(rdbms, "SELECT 1;\nSELECT 2;\n\n  SELECT\n    3"),
                stmts(&[("SELECT 1", 1), ("SELECT 2", 2), ("SELECT\n    3", 4)]),
            );
        }
    }

    #[test]
    fn trailing_statement_needs_no_delimiter() {
        for rdbms in ALL {
            assert_eq!(
                ok(rdbms, "SELECT 1;SELECT 2"),
                stmts(&[("SELECT 1", 1), ("SELECT 2", 1)])
            );
            assert_eq!(ok(rdbms, "SELECT 1\n"), stmts(&[("SELECT 1", 1)]));
        }
    }

    #[test]
    fn empty_or_comment_only_scripts_give_no_statements() {
        for rdbms in ALL {
            for script in [
                "",
                "\u{feff}",
                "  \n\t\r\n",
                "-- only a comment",
                "/* a */\n-- b\n",
                ";",
                " ;; \n ; ",
            ] {
                assert_eq!(ok(rdbms, script), stmts(&[]), "{rdbms:?} {script:?}");
            }
        }
        assert_eq!(ok(Rdbms::Mysql, "# hash\n/* c */;\n-- x\n"), stmts(&[]));
    }

    #[test]
    fn empty_statements_are_dropped() {
        for rdbms in ALL {
            assert_eq!(
                ok(
                    rdbms,
                    ";;SELECT 1;;\n;\n/* nothing */;\n-- nothing\n;SELECT 2;"
                ),
                stmts(&[("SELECT 1", 1), ("SELECT 2", 5)]),
            );
        }
    }

    #[test]
    fn leading_comments_dropped_inner_comments_kept() {
        for rdbms in ALL {
            assert_eq!(
                ok(
                    rdbms,
                    "-- header\n/* lead */ SELECT /* in; side */ 1 -- tail\n  + 2 /* end */;"
                ),
                stmts(&[("SELECT /* in; side */ 1 -- tail\n  + 2", 2)]),
            );
        }
    }

    #[test]
    fn windows_line_endings_and_bom() {
        for rdbms in ALL {
            assert_eq!(
                ok(rdbms, "\u{feff}SELECT 1;\r\n-- c\r\nSELECT\r\n  'a;b';\r\n"),
                stmts(&[("SELECT 1", 1), ("SELECT\r\n  'a;b'", 3)]),
            );
        }
    }

    #[test]
    fn transaction_control_statements_are_statements() {
        for rdbms in ALL {
            assert_eq!(
                ok(
                    rdbms,
                    "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nBEGIN TRANSACTION;\nEND;"
                ),
                stmts(&[
                    ("BEGIN", 1),
                    ("INSERT INTO t VALUES (1)", 2),
                    ("COMMIT", 3),
                    ("BEGIN TRANSACTION", 4),
                    ("END", 5),
                ]),
            );
        }
    }

    #[test]
    fn unterminated_string_names_where_it_opened() {
        for rdbms in ALL {
            let e = err(rdbms, "SELECT 1;\nSELECT 'abc;\nSELECT 2;\n");
            assert_eq!(
                e.to_string(),
                "line 2, column 8: unterminated string literal (a quote ' opened here is never closed)"
            );
        }
    }

    #[test]
    fn unterminated_block_comment_names_where_it_opened() {
        for rdbms in ALL {
            let e = err(rdbms, "SELECT 1; /* never\nclosed; * / x");
            assert!(
                e.to_string()
                    .starts_with("line 1, column 11: unterminated block comment"),
                "{e}"
            );
            // The column counts characters, not bytes.
            let e = err(rdbms, "SELECT 'é' /* open");
            assert!(e.to_string().starts_with("line 1, column 12:"), "{e}");
        }
    }

    #[test]
    fn statements_spanning_chunks_are_split_correctly() {
        for rdbms in ALL {
            let mut script = String::new();
            let mut expected = Vec::new();
            let mut line = 1;
            for i in 0..12_000 {
                // A multi-line string every so often, so some cross a chunk boundary,
                // with a line that looks like a mysql DELIMITER command and a `--<tab>`.
                let sql = if i % 97 == 0 {
                    format!("INSERT INTO t VALUES ({i}, 'x;\nDELIMITER //\n--\tit''s\n;')")
                } else {
                    format!("INSERT INTO t VALUES ({i}, 'y')")
                };
                script.push_str(&sql);
                script.push_str(";\n");
                expected.push((sql.clone(), line));
                line += sql.matches('\n').count() + 1;
            }
            assert!(script.len() > 4 * CHUNK_BYTES);
            let got = ok(rdbms, &script);
            assert_eq!(got.len(), expected.len(), "{rdbms:?}");
            assert_eq!(got, expected, "{rdbms:?}");
        }
    }

    #[test]
    fn unterminated_string_far_from_the_end_is_reported_at_its_line() {
        for rdbms in ALL {
            let mut script = "SELECT 1;\n".repeat(10_000);
            script.push_str("SELECT 'oops;\n");
            script.push_str(&"SELECT 2;\n".repeat(10_000));
            assert_eq!(
                err(rdbms, &script),
                SplitError::Unterminated {
                    line: 10_001,
                    column: 8,
                    what: "string literal",
                    opener: "a quote '".to_owned(),
                }
            );
        }
    }

    #[test]
    fn never_panics_on_awkward_inputs() {
        let nasty = [
            "'",
            "\"",
            "`",
            "[",
            "$",
            "$$",
            "$a",
            "$a$",
            "E'",
            "e'\\",
            "U&'",
            "u&'\\",
            "N'",
            "X'",
            "B'",
            "/*",
            "/*/",
            "*/",
            "--",
            "#",
            "\\",
            "\r",
            "\r\r\n",
            "\0",
            "\u{feff}\u{feff}",
            ";\u{0}",
            "DELIMITER",
            "DELIMITER ",
            "delimiter \t",
            "DELIMITER ''",
            "DELIMITER 'x",
            "._",
            "a._b",
            "1._",
            "<-",
            "@-",
            "|&",
            "|>",
            "CREATE TRIGGER",
            "CREATE TRIGGER t BEGIN",
            "END END;",
            "CREATE PROCEDURE p() BEGIN END END END;",
            "(((",
            ")))",
            "COPY",
            "COPY t FROM",
            "\u{1F600}'\u{1F600}",
            "é$é$é",
            "$é$ x $é$",
            "--\u{7f}x'",
            "0x",
            "1e",
            "1e-",
            ".e5",
        ];
        for rdbms in ALL {
            for s in nasty {
                let _ = split_checked(rdbms, s);
                let _ = split_checked(rdbms, &format!("SELECT 1;\n{s}\nSELECT 2;"));
            }
        }
    }

    #[test]
    fn long_lines_are_cut_without_changing_the_result() {
        for rdbms in ALL {
            let comment = if rdbms == Rdbms::Mysql { "# " } else { "-- " };
            let values: Vec<String> = (0..30_000).map(|i| format!("({i}, 'v; {i}')")).collect();
            let insert = format!("INSERT INTO t VALUES {}", values.join(","));
            // A line comment longer than a chunk, with quotes in it, ends the long line.
            let script = format!(
                "{insert}; {comment}{}'\nSELECT 2;",
                "it's, long; ".repeat(20_000)
            );
            assert!(insert.len() > 4 * CHUNK_BYTES);
            assert_eq!(
                ok(rdbms, &script),
                stmts(&[(&insert, 1), ("SELECT 2", 2)]),
                "{rdbms:?}"
            );
        }
    }

    // ---- SQLite ----

    #[test]
    fn sqlite_quoting() {
        assert_eq!(
            ok(
                Rdbms::Sqlite,
                "INSERT INTO \"a;\"\"b\" ([c;d], `e;``f`) VALUES ('it''s; ok', x'3b');SELECT 2"
            ),
            stmts(&[
                (
                    "INSERT INTO \"a;\"\"b\" ([c;d], `e;``f`) VALUES ('it''s; ok', x'3b')",
                    1
                ),
                ("SELECT 2", 1),
            ]),
        );
        // No backslash escapes in SQLite strings.
        assert_eq!(
            ok(Rdbms::Sqlite, r"SELECT 'a\';SELECT 2"),
            stmts(&[(r"SELECT 'a\'", 1), ("SELECT 2", 1)])
        );
    }

    #[test]
    fn sqlite_trigger_bodies_do_not_split() {
        let trigger = "CREATE TRIGGER trg AFTER INSERT ON t\nBEGIN\n  UPDATE t SET b = CASE WHEN new.a > 0 THEN 'pos;' ELSE 'neg' END WHERE rowid = new.rowid;\n  INSERT INTO log VALUES (new.a);\nEND";
        let temp = "CREATE TEMP TRIGGER IF NOT EXISTS trg2 BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no'); END";
        let script =
            format!("CREATE TABLE t (a, b);\n{trigger};\n{temp};\nINSERT INTO t VALUES (1, 2);");
        assert_eq!(
            ok(Rdbms::Sqlite, &script),
            stmts(&[
                ("CREATE TABLE t (a, b)", 1),
                (trigger, 2),
                (temp, 7),
                ("INSERT INTO t VALUES (1, 2)", 8),
            ]),
        );
    }

    #[test]
    fn sqlite_unterminated_quoted_identifiers() {
        let e = err(Rdbms::Sqlite, "SELECT 1;\n  SELECT \"abc;");
        assert_eq!(
            e.to_string(),
            "line 2, column 10: unterminated quoted identifier (a quote \" opened here is never closed)"
        );
        let e = err(Rdbms::Sqlite, "SELECT [abc;");
        assert_eq!(
            e.to_string(),
            "line 1, column 8: unterminated quoted identifier (a bracket [ opened here is never closed)"
        );
        let e = err(Rdbms::Sqlite, "SELECT `abc;");
        assert!(e.to_string().contains("(a backtick ` opened here"), "{e}");
    }

    #[test]
    fn unclosed_trigger_body_is_an_error() {
        let script =
            "SELECT 1;\nCREATE TRIGGER trg AFTER INSERT ON t BEGIN\n  DELETE FROM u;\nSELECT 2;";
        assert_eq!(
            err(Rdbms::Sqlite, script),
            SplitError::UnclosedBlock {
                line: 2,
                column: 38
            }
        );
        assert_eq!(
            err(Rdbms::Sqlite, script).to_string(),
            "line 2, column 38: this BEGIN is never closed by a matching END, so the rest of the script would be sent as part of one statement"
        );
    }

    // ---- PostgreSQL ----

    #[test]
    fn postgres_dollar_quotes() {
        let function = "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RAISE NOTICE 'a;b';\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql";
        let script = format!(
            "{function};\nDO $body$ BEGIN PERFORM 1; END $body$;\nSELECT $a$ it's $$ not; $a$, a$$b, $1;"
        );
        assert_eq!(
            ok(Rdbms::Postgres, &script),
            stmts(&[
                (function, 1),
                ("DO $body$ BEGIN PERFORM 1; END $body$", 7),
                ("SELECT $a$ it's $$ not; $a$, a$$b, $1", 8),
            ]),
        );
    }

    #[test]
    fn postgres_escape_strings() {
        assert_eq!(
            ok(
                Rdbms::Postgres,
                r"SELECT E'it\'s; \\', e'x''y;', 'plain\';SELECT 2"
            ),
            stmts(&[
                (r"SELECT E'it\'s; \\', e'x''y;', 'plain\'", 1),
                ("SELECT 2", 1)
            ]),
        );
    }

    #[test]
    fn postgres_strings_sqlparser_rejects() {
        // sqlparser 0.59 fails on these valid literals; the splitter must not.
        for literal in [
            r"E'\xC3\xA9;'",
            r"E'\303\251;'",
            r"E'\u00e9;'",
            r"U&'d!0061t\a;' UESCAPE '!'",
        ] {
            let script = format!("SELECT {literal};\nSELECT 2;");
            assert_eq!(
                ok(Rdbms::Postgres, &script),
                stmts(&[(&format!("SELECT {literal}"), 1), ("SELECT 2", 2)]),
            );
        }
    }

    #[test]
    fn postgres_operators_sqlparser_rejects() {
        assert_eq!(
            ok(
                Rdbms::Postgres,
                "SELECT 1 WHERE 2<-1;SELECT @-5;SELECT (t)._x FROM t;SELECT 3"
            ),
            stmts(&[
                ("SELECT 1 WHERE 2<-1", 1),
                ("SELECT @-5", 1),
                ("SELECT (t)._x FROM t", 1),
                ("SELECT 3", 1),
            ]),
        );
    }

    #[test]
    fn postgres_nested_comments_and_quoted_identifiers() {
        assert_eq!(
            ok(
                Rdbms::Postgres,
                "SELECT 1 /* outer /* inner; */ still; */ + \"a;\"\"b\";\n/* a /* b */ c; */ SELECT 2"
            ),
            stmts(&[
                ("SELECT 1 /* outer /* inner; */ still; */ + \"a;\"\"b\"", 1),
                ("SELECT 2", 2),
            ]),
        );
    }

    #[test]
    fn postgres_unterminated_dollar_and_escape_strings() {
        assert_eq!(
            err(Rdbms::Postgres, "SELECT 1;\nSELECT $tag$ abc $tag;").to_string(),
            "line 2, column 8: unterminated dollar-quoted string (a $tag$ opened here is never closed)"
        );
        assert_eq!(
            err(Rdbms::Postgres, "SELECT $$ abc;").to_string(),
            "line 1, column 8: unterminated dollar-quoted string (a $$ opened here is never closed)"
        );
        assert_eq!(
            err(Rdbms::Postgres, r"SELECT E'abc\';").to_string(),
            "line 1, column 8: unterminated string literal (a quote E' opened here is never closed)"
        );
        let e = err(Rdbms::Postgres, "SELECT 1 /* a /* b */;\nSELECT 2;");
        assert!(
            e.to_string()
                .starts_with("line 1, column 10: unterminated block comment"),
            "{e}"
        );
    }

    #[test]
    fn psql_meta_commands_are_rejected() {
        let e = err(Rdbms::Postgres, "SELECT 1;\n\\connect other\nSELECT 2;");
        assert_eq!(
            e,
            SplitError::PsqlMetaCommand {
                line: 2,
                column: 1,
                command: "\\connect".to_owned()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 2: '\\connect' is a psql meta-command, which the server cannot run; remove it from the script"
        );
        for (script, line, command) in [
            ("  \\i other.sql\n", 1, "\\i"),
            ("SELECT 1;\n\n\t\\set ON_ERROR_STOP on\n", 3, "\\set"),
            ("SELECT 1 \\gset\n", 1, "\\gset"),
            ("\\.", 1, "\\."),
        ] {
            match err(Rdbms::Postgres, script) {
                SplitError::PsqlMetaCommand {
                    line: l,
                    command: c,
                    ..
                } => {
                    assert_eq!((l, c.as_str()), (line, command), "{script:?}");
                }
                other => panic!("{script:?}: {other}"),
            }
        }
    }

    #[test]
    fn backslashes_in_strings_and_comments_are_not_meta_commands() {
        assert_eq!(
            ok(
                Rdbms::Postgres,
                "SELECT '\n\\c x', $$\n\\i y$$, E'\\\\'; -- \\c\n/*\n\\i z */ SELECT 2"
            ),
            stmts(&[
                ("SELECT '\n\\c x', $$\n\\i y$$, E'\\\\'", 1),
                ("SELECT 2", 5)
            ]),
        );
        // Backslashes mean nothing to the other dialects' splitting.
        assert_eq!(
            ok(Rdbms::Sqlite, "SELECT 1\n\\x;"),
            stmts(&[("SELECT 1\n\\x", 1)])
        );
    }

    #[test]
    fn postgres_copy_from_stdin_is_rejected() {
        let e = err(
            Rdbms::Postgres,
            "SELECT 1;\ncopy t (a, b) FROM stdin;\n1\tit's\n\\.\n",
        );
        assert_eq!(e, SplitError::CopyFromStdin { line: 2 });
        assert!(
            e.to_string().starts_with("line 2: COPY ... FROM STDIN"),
            "{e}"
        );
        assert_eq!(
            ok(
                Rdbms::Postgres,
                "COPY t TO STDOUT;\nCOPY t FROM '/srv/t.csv' WITH (FORMAT csv);"
            ),
            stmts(&[
                ("COPY t TO STDOUT", 1),
                ("COPY t FROM '/srv/t.csv' WITH (FORMAT csv)", 2)
            ]),
        );
    }

    #[test]
    fn postgres_semicolons_in_parentheses_do_not_split() {
        let rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
        assert_eq!(
            ok(Rdbms::Postgres, &format!("{rule};\nSELECT 1;")),
            stmts(&[(rule, 1), ("SELECT 1", 2)]),
        );
        assert_eq!(
            err(Rdbms::Postgres, "SELECT 1;\nSELECT (1;\nSELECT 2;"),
            SplitError::UnclosedParenthesis { line: 2, column: 8 }
        );
    }

    #[test]
    fn postgres_begin_atomic_bodies_do_not_split() {
        let function = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 2 END;\nEND";
        assert_eq!(
            ok(Rdbms::Postgres, &format!("{function};\nSELECT f();")),
            stmts(&[(function, 1), ("SELECT f()", 6)]),
        );
    }

    // ---- MySQL / MariaDB ----

    #[test]
    fn mysql_quoting() {
        assert_eq!(
            ok(
                Rdbms::Mysql,
                r#"INSERT INTO t VALUES ('it\'s; ok', 'a''b;', "dq \"; x", `a;``b`, '\\');SELECT 2"#
            ),
            stmts(&[
                (
                    r#"INSERT INTO t VALUES ('it\'s; ok', 'a''b;', "dq \"; x", `a;``b`, '\\')"#,
                    1
                ),
                ("SELECT 2", 1),
            ]),
        );
        assert!(err(Rdbms::Mysql, "SELECT `abc")
            .to_string()
            .contains("quoted identifier (a backtick `"));
        assert!(err(Rdbms::Mysql, "SELECT \"abc")
            .to_string()
            .contains("string literal (a quote \""));
    }

    #[test]
    fn mysql_comments() {
        assert_eq!(
            ok(
                Rdbms::Mysql,
                "# hash; comment\nSELECT 1; -- dash; comment\nSELECT 2 # it's;\n;\nSELECT 3--1;"
            ),
            stmts(&[("SELECT 1", 2), ("SELECT 2", 3), ("SELECT 3--1", 5)]),
        );
    }

    #[test]
    fn mysql_dash_comments_without_a_space() {
        // sqlparser only knows `-- ` with a space; mysqldump writes bare `--` lines.
        let script = "--\n-- Table structure for table `t`\n--\n\nDROP TABLE IF EXISTS `t`;\n--\tit's a tab comment\nSELECT 1;--\r\nSELECT 2;--";
        assert_eq!(
            ok(Rdbms::Mysql, script),
            stmts(&[
                ("DROP TABLE IF EXISTS `t`", 5),
                ("SELECT 1", 7),
                ("SELECT 2", 8)
            ]),
        );
    }

    #[test]
    fn mysql_executable_comments_are_statements() {
        assert_eq!(
            ok(
                Rdbms::Mysql,
                "/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET x=1 */;\n/* plain */;\nSELECT /*+ NO_ICP(t) */ 1;"
            ),
            stmts(&[
                ("/*!40101 SET NAMES utf8mb4 */", 1),
                ("/*M!100100 SET x=1 */", 2),
                ("SELECT /*+ NO_ICP(t) */ 1", 4),
            ]),
        );
    }

    #[test]
    fn mysql_delimiter_blocks() {
        let procedure = "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'a//b';\nEND";
        let script = format!(
            "DROP PROCEDURE IF EXISTS p;\nDELIMITER //\n{procedure} //\nDELIMITER ;\nCALL p();\n"
        );
        assert_eq!(
            ok(Rdbms::Mysql, &script),
            stmts(&[
                ("DROP PROCEDURE IF EXISTS p", 1),
                (procedure, 3),
                ("CALL p()", 9)
            ]),
        );
    }

    #[test]
    fn mysql_delimiter_inside_words_and_lowercase_command() {
        let script = "  delimiter $$\nCREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END$$\nSELECT f()$$ SELECT 2$$\n\tDELIMITER ;\nSELECT 3;";
        assert_eq!(
            ok(Rdbms::Mysql, script),
            stmts(&[
                (
                    "CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END",
                    2
                ),
                ("SELECT f()", 3),
                ("SELECT 2", 3),
                ("SELECT 3", 5),
            ]),
        );
    }

    #[test]
    fn mysql_custom_delimiter_is_not_found_in_strings_or_comments() {
        let script =
            "DELIMITER //\nSELECT '//' /* // */, `a//b` # //\n//\nSELECT \"x//\"\n-- //\n//";
        assert_eq!(
            ok(Rdbms::Mysql, script),
            stmts(&[("SELECT '//' /* // */, `a//b`", 2), ("SELECT \"x//\"", 4)]),
        );
    }

    #[test]
    fn mysqldump_trigger() {
        let trigger = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `trg` BEFORE INSERT ON `t` FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND */";
        let script = format!(
            "/*!50003 SET @saved_cs_client = @@character_set_client */ ;\nDELIMITER ;;\n{trigger};;\nDELIMITER ;\n/*!50003 SET character_set_client = @saved_cs_client */ ;\n"
        );
        assert_eq!(
            ok(Rdbms::Mysql, &script),
            stmts(&[
                (
                    "/*!50003 SET @saved_cs_client = @@character_set_client */",
                    1
                ),
                (trigger, 3),
                ("/*!50003 SET character_set_client = @saved_cs_client */", 7),
            ]),
        );
    }

    #[test]
    fn mysql_delimiter_lines_only_count_outside_strings() {
        assert_eq!(
            ok(Rdbms::Mysql, "SELECT 'x\nDELIMITER //\n';\nSELECT 2;"),
            stmts(&[("SELECT 'x\nDELIMITER //\n'", 1), ("SELECT 2", 4)]),
        );
        // Without whitespace after it the word is SQL, as for the mysql client.
        assert_eq!(
            ok(Rdbms::Mysql, "SELECT id,\n  delimiter\nFROM t;"),
            stmts(&[("SELECT id,\n  delimiter\nFROM t", 1)]),
        );
    }

    #[test]
    fn mysql_delimiter_line_ends_a_pending_statement() {
        assert_eq!(
            ok(Rdbms::Mysql, "SELECT 1\nDELIMITER //\nSELECT 2//"),
            stmts(&[("SELECT 1", 1), ("SELECT 2", 3)]),
        );
    }

    #[test]
    fn mysql_bad_delimiter_commands() {
        assert_eq!(
            err(Rdbms::Mysql, "DELIMITER \nSELECT 1;"),
            SplitError::DelimiterMissing { line: 1 }
        );
        assert_eq!(
            err(Rdbms::Mysql, "SELECT 1;\nDELIMITER \\\\\n").to_string(),
            "line 2: the delimiter '\\\\' contains a backslash, which the mysql client does not accept either; choose another delimiter"
        );
        // Quoted, the way the mysql client allows it.
        assert_eq!(
            ok(Rdbms::Mysql, "DELIMITER '$$'\nSELECT 1$$"),
            stmts(&[("SELECT 1", 2)]),
        );
    }

    #[test]
    fn mysql_routines_without_delimiter() {
        let procedure = "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN x INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  IF x > 0 THEN
    SET done = 1;
  ELSEIF x < 0 THEN
    SET done = 2;
  END IF;
  CASE x WHEN 1 THEN SELECT 'one'; ELSE BEGIN END; END CASE;
  lbl: LOOP
    LEAVE lbl;
  END LOOP lbl;
  WHILE done > 0 DO SET done = done - 1; END WHILE;
  REPEAT SET done = done + 1; UNTIL done > 3 END REPEAT;
  inner_block: BEGIN SELECT CASE WHEN done THEN 1 ELSE 0 END; END inner_block;
END";
        let simple = "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1";
        let trigger = "CREATE TRIGGER trg2 BEFORE UPDATE ON t FOR EACH ROW BEGIN SET NEW.b = 2; SET NEW.c = CASE WHEN NEW.a THEN 1 ELSE 0 END; END";
        let event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END";
        let function =
            "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN CASE WHEN 1 THEN 2 END";
        let script =
            format!("{procedure};\n{simple};\n{trigger};\n{event};\n{function};\nSELECT 1;");
        assert_eq!(
            ok(Rdbms::Mysql, &script),
            stmts(&[
                (procedure, 1),
                (simple, 17),
                (trigger, 18),
                (event, 19),
                (function, 20),
                ("SELECT 1", 21),
            ]),
        );
        // Outside such statements BEGIN and END mean nothing special.
        assert_eq!(
            ok(
                Rdbms::Mysql,
                "CREATE TABLE t (`begin` INT, b INT);\nBEGIN;\nSELECT 1;"
            ),
            stmts(&[
                ("CREATE TABLE t (`begin` INT, b INT)", 1),
                ("BEGIN", 2),
                ("SELECT 1", 3)
            ]),
        );
    }

    #[test]
    #[ignore = "timing; run with --release -- --ignored"]
    fn ten_megabytes_split_in_well_under_a_second() {
        let mut script = String::new();
        let mut i = 0;
        while script.len() < 10 * 1024 * 1024 {
            script.push_str(&format!(
                "-- row {i}\nINSERT INTO accounts (id, name, note) VALUES ({i}, 'name {i}', 'it''s; fine');\n"
            ));
            i += 1;
        }
        for rdbms in ALL {
            let started = std::time::Instant::now();
            let statements = split(rdbms, &script).unwrap();
            let took = started.elapsed();
            eprintln!("{rdbms:?}: {} statements in {took:?}", statements.len());
            assert_eq!(statements.len(), i);
            assert!(took.as_secs_f64() < 1.0, "{rdbms:?} took {took:?}");
        }
    }

    // ---- properties ----

    fn rdbms() -> impl Strategy<Value = Rdbms> {
        prop_oneof![
            Just(Rdbms::Sqlite),
            Just(Rdbms::Postgres),
            Just(Rdbms::Mysql)
        ]
    }

    /// Text for strings, identifiers and comments: heavy on quotes, delimiters and comment
    /// starters, including `--<tab>` and line breaks.
    fn content() -> impl Strategy<Value = String> {
        "[a-z ;'\"`$*/#\\\\\t\n-]{0,12}"
    }

    fn string_literal(rdbms: Rdbms) -> BoxedStrategy<String> {
        let plain = content().prop_map(move |s| match rdbms {
            Rdbms::Mysql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        });
        match rdbms {
            Rdbms::Sqlite => plain.boxed(),
            Rdbms::Mysql => prop_oneof![
                plain,
                content()
                    .prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
            ]
            .boxed(),
            Rdbms::Postgres => prop_oneof![
                plain,
                content()
                    .prop_map(|s| format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))),
                content().prop_map(|s| format!("$$ {} $$", s.replace('$', ""))),
                content().prop_map(|s| format!("$_$ {} $_$", s)),
            ]
            .boxed(),
        }
    }

    fn quoted_identifier(rdbms: Rdbms) -> BoxedStrategy<String> {
        match rdbms {
            Rdbms::Mysql => content()
                .prop_map(|s| format!("`{}`", s.replace('`', "``")))
                .boxed(),
            Rdbms::Postgres => content()
                .prop_map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
                .boxed(),
            Rdbms::Sqlite => prop_oneof![
                content().prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
                content().prop_map(|s| format!("[{}]", s.replace(']', ""))),
                content().prop_map(|s| format!("`{}`", s.replace('`', "``"))),
            ]
            .boxed(),
        }
    }

    /// A comment; line comments bring their own line break.
    fn comment(rdbms: Rdbms) -> BoxedStrategy<String> {
        let text = "[a-z ;'\"`$#\t-]{0,12}";
        let block = text.prop_map(|s| format!("/*{s}*/"));
        let line = text.prop_map(|s| format!("-- {s}\n"));
        match rdbms {
            Rdbms::Mysql => prop_oneof![block, line, text.prop_map(|s| format!("#{s}\n"))].boxed(),
            _ => prop_oneof![block, line, text.prop_map(|s| format!("--{s}\n"))].boxed(),
        }
    }

    fn statement(rdbms: Rdbms) -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            3 => "c_[a-z0-9_]{0,6}",
            1 => "[0-9]{1,5}",
            1 => prop::sample::select(vec!["=", "+", ",", "<>", "*", "(c_x)"]).prop_map(str::to_owned),
            2 => string_literal(rdbms),
            1 => quoted_identifier(rdbms),
        ];
        let separator = prop_oneof![
            4 => Just(" ".to_owned()),
            1 => comment(rdbms).prop_map(|c| format!(" {c} ")),
            1 => Just("\n\t".to_owned()),
        ];
        (
            prop::sample::select(vec!["SELECT", "UPDATE", "c_first"]),
            prop::collection::vec((separator, atom), 0..8),
        )
            .prop_map(|(head, rest)| {
                let mut sql = head.to_owned();
                for (separator, atom) in rest {
                    sql.push_str(&separator);
                    sql.push_str(&atom);
                }
                sql
            })
    }

    fn blank() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(vec![" ", "\t", "\n", "\r\n"]), 0..3)
            .prop_map(|v| v.concat())
    }

    /// A script and the statements it holds, with what lies between statements.
    fn script() -> impl Strategy<Value = (Rdbms, String, Vec<(String, usize)>, Vec<String>)> {
        rdbms()
            .prop_flat_map(|rdbms| {
                let part = (
                    blank(),
                    prop::option::of(comment(rdbms)),
                    blank(),
                    statement(rdbms),
                    blank(),
                    0..3usize,
                );
                (
                    Just(rdbms),
                    prop::collection::vec(part, 0..8),
                    any::<bool>(),
                )
            })
            .prop_map(|(rdbms, parts, final_delimiter)| {
                let (mut script, mut expected, mut between) =
                    (String::new(), Vec::new(), Vec::new());
                let count = parts.len();
                for (i, (lead, comment, gap, sql, tail, extra)) in parts.into_iter().enumerate() {
                    let comment = comment.unwrap_or_default();
                    script.push_str(&format!("{lead}{comment}{gap}"));
                    between.push(comment);
                    expected.push((sql.clone(), script.matches('\n').count() + 1));
                    script.push_str(&sql);
                    script.push_str(&tail);
                    if i + 1 < count || final_delimiter {
                        script.push(';');
                    }
                    script.push_str(&";".repeat(extra));
                }
                (rdbms, script, expected, between)
            })
    }

    fn non_blank(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    proptest! {
        #[test]
        fn generated_scripts_split_into_their_statements((rdbms, script, expected, _) in script()) {
            let got = split(rdbms, &script).map(|v| v.into_iter().map(|s| (s.sql, s.line)).collect::<Vec<_>>());
            prop_assert_eq!(got, Ok(expected), "{:?} script: {:?}", rdbms, script);
        }

        #[test]
        fn chunk_size_never_changes_the_result(
            (rdbms, script, _, _) in script(),
            chunk_bytes in 1..40usize,
        ) {
            prop_assert_eq!(split_in_chunks(rdbms, &script, chunk_bytes), split(rdbms, &script));
        }

        #[test]
        fn chunk_size_never_changes_the_result_on_sql_like_text(
            rdbms in rdbms(),
            text in "[-a-zA-Z0-9 \t\n\r;,'\"`$/*#\\\\\\[\\]()&!@<>._:|]{0,160}",
            chunk_bytes in 1..40usize,
        ) {
            prop_assert_eq!(split_in_chunks(rdbms, &text, chunk_bytes), split(rdbms, &text));
        }

        #[test]
        fn never_panics_on_arbitrary_text(rdbms in rdbms(), text in any::<String>()) {
            let _ = split(rdbms, &text);
        }

        #[test]
        fn never_panics_on_sql_like_text(rdbms in rdbms(), text in "[-a-zA-Z0-9 \t\n\r;'\"`$/*#\\\\\\[\\]()&!@<>._:|]{0,160}") {
            let _ = split(rdbms, &text);
        }

        #[test]
        fn never_panics_on_lossy_bytes(rdbms in rdbms(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = split(rdbms, &String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn statements_are_ordered_slices_of_the_input(rdbms in rdbms(), text in "[-a-zA-Z0-9 \t\n;'\"`$/*#\\\\\\[\\]()E&]{0,160}") {
            if let Ok(statements) = split(rdbms, &text) {
                let mut from = 0;
                for s in &statements {
                    prop_assert!(!s.sql.is_empty() && s.sql.trim() == s.sql, "{:?}", s);
                    let at = text[from..].find(&s.sql);
                    prop_assert!(at.is_some(), "{:?} not found in order in {:?}", s, text);
                    from += at.unwrap_or(0) + s.sql.len();
                    prop_assert!(s.line >= 1 && s.line <= text.matches('\n').count() + 1);
                }
                // Nothing invented or duplicated.
                let wanted: String = statements.iter().map(|s| non_blank(&s.sql)).collect();
                let have = non_blank(&text);
                let mut have = have.chars();
                prop_assert!(wanted.chars().all(|c| have.any(|h| h == c)), "{:?}", statements);
            }
        }

        #[test]
        fn no_content_is_lost_or_duplicated((rdbms, script, _, between) in script()) {
            let statements = split(rdbms, &script).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(statements.len(), between.len());
            // The script's non-blank characters must be exactly, in order: the comment
            // before each statement, the statement, and its delimiters.
            let stream = non_blank(&script);
            let mut rest = stream.as_str();
            for (s, comment) in statements.iter().zip(&between) {
                let after_comment = rest.strip_prefix(non_blank(comment).as_str());
                prop_assert!(after_comment.is_some(), "comment {:?} lost in {:?}", comment, script);
                let after_sql = after_comment.unwrap_or_default().strip_prefix(non_blank(&s.sql).as_str());
                prop_assert!(after_sql.is_some(), "statement {:?} not in order in {:?}", s, script);
                rest = after_sql.unwrap_or_default().trim_start_matches(';');
            }
            prop_assert_eq!(rest, "", "content outside every statement in {:?}", script);
        }
    }
}
