//! Our own scan of the one token sqlparser's tokenizer fails on: a token cut short by the
//! end of a chunk, or one that sqlparser rejects but the server accepts (see
//! `Lexer::recover`), or one that sqlparser misreads (see `misread` in `lexer`).
//! Only the token's end matters, found with the server's rules.

use super::lexer::Cursor;
use super::token::Kind;
use super::SplitError;
use crate::rdbms::Rdbms;

/// Scans the token at `at` with the server's own rules: a string literal, quoted
/// identifier, dollar quote or block comment if one starts there, otherwise one
/// character. Returns the token's kind and end.
pub(super) fn scan_quoted(
    rdbms: Rdbms,
    text: &str,
    at: Cursor,
) -> Result<(Kind, usize), SplitError> {
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
    // The end of a token that has no escapes: just past the first `close` from `from`.
    let first = |from: usize, close: u8| {
        bytes[from..]
            .iter()
            .position(|&b| b == close)
            .map(|i| from + i + 1)
    };
    let identifier = |close: u8, doubled: bool, name: &str| {
        let end = if doubled {
            closing_quote(bytes, 0, close, false)
        } else {
            first(1, close)
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
        // The mysql client knows no prefixes: a backslash escapes in X'...' as in any
        // string. SQLite and PostgreSQL end it at the first quote, with no escapes at all
        // (a doubled quote there ends it and starts a string).
        [b'x' | b'X', b'\'', ..] if mysql => string(1, true),
        [b'x' | b'X', b'\'', ..] => first(2, b'\'')
            .map(|end| (Kind::Opaque, start + end))
            .ok_or_else(|| {
                let opener = String::from_utf8_lossy(&bytes[..2]);
                unterminated("string literal", format!("a quote {opener}"))
            }),
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
