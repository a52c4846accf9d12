//! The script's tokens, with byte offsets into the script.
//!
//! The tokenizer is run over bounded chunks of the script rather than all of it at once,
//! so that memory stays bounded on multi-megabyte scripts, and so that we can step in
//! cheaply where the tokenizer is wrong for a server (see `Lexer::recover` and
//! `mysql_marks`). A chunk ends at a line start or just after a space, tab or comma, where
//! the tokenizer never needs to look further to end the token before. Only strings, quoted
//! identifiers, dollar quotes and comments can run across such a cut. Cut short, all but
//! line comments make the tokenizer fail, and we then scan that one token ourselves on the
//! whole script; a line comment cut short is dropped and read again to its line's end. We
//! also scan a token ourselves where the tokenizer and the server disagree on its end (see
//! `misread`).

use sqlparser::dialect::Dialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::dialect;
use super::mysql_client::{delimiter_argument, delimiter_keyword_end, mysql_marks};
use super::quoted::scan_quoted;
use super::token::{classify, is_line_comment, Kind, Tok};
use super::SplitError;
use crate::rdbms::Rdbms;

/// Whether the tokenizer read `token`, whose text is `raw`, differently from the server,
/// so that the server's token ends elsewhere and what follows it is tokenized wrongly:
/// - SQLite ends a `[...]` identifier at the first `]`; the tokenizer takes `]]` for an
///   escaped `]`.
/// - SQLite and PostgreSQL know no backslash escapes in `X'...'`; the tokenizer does.
///   (For MySQL they do escape there, as in any string for the mysql client.)
/// - MySQL has no `b"..."` literal, only `b'...'`: `b"` is the word `b` and a string in
///   which backslashes escape; the tokenizer reads a byte string with no escapes.
///
/// Without a backslash or a `]]` the tokenizer and the server agree on where these tokens
/// end. We scan the token again with the server's rules (see `Lexer::rescan`), as we do
/// when a chunk ends inside it; otherwise where chunks end would change the result.
fn misread(rdbms: Rdbms, token: &Token, raw: &str) -> bool {
    match token {
        Token::Word(w) if rdbms == Rdbms::Sqlite && w.quote_style == Some('[') => {
            raw.find(']').is_some_and(|i| i + 1 < raw.len())
        }
        Token::HexStringLiteral(_) if rdbms != Rdbms::Mysql => raw.contains('\\'),
        Token::DoubleQuotedByteStringLiteral(_) if rdbms == Rdbms::Mysql => raw.contains('\\'),
        _ => false,
    }
}

/// A position in the script, advanced only forwards so that locating every token costs
/// one pass over the text in total.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor {
    pub(super) byte: usize,
    pub(super) line: usize,
    pub(super) column: usize,
}

/// Produces the script's tokens with byte offsets into the script.
pub(super) struct Lexer<'a> {
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
    pub(super) fn new(rdbms: Rdbms, text: &'a str, chunk_bytes: usize) -> Self {
        let dialect: &'static dyn Dialect = match rdbms {
            Rdbms::Sqlite => &dialect::SQLITE,
            Rdbms::Postgres => &dialect::POSTGRES,
            Rdbms::Mysql => &dialect::MYSQL,
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

    pub(super) fn next_tok(&mut self) -> Result<Option<Tok>, SplitError> {
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
                let token = &self.tokens[self.next - 1].token;
                if misread(self.rdbms, token, &self.text[start.byte..end.byte]) {
                    return self.rescan(start).map(Some);
                }
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
    /// Besides tokens cut short by the end of a chunk, the tokenizer rejects valid SQL
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

    /// Takes over for a token the tokenizer misread (see `misread`), which starts at
    /// `at`: the tokens after it in this chunk are dropped, and tokenizing starts again
    /// where the server ends the token.
    fn rescan(&mut self, at: Cursor) -> Result<Tok, SplitError> {
        self.tokens.clear();
        self.next = 0;
        self.stalled = false;
        self.cut_comment = false;
        // Back to the token's start; `recover` leaves the cursor there, and the next chunk
        // moves it on to where that chunk starts.
        self.cursor = at;
        self.recover()
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
