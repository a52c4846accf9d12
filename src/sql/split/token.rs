//! sqlparser's tokens reduced to what decides where a statement ends, with their place in
//! the script.

use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace};

use crate::rdbms::Rdbms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Tok {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) line: usize,
    pub(super) column: usize,
}

pub(super) fn is_line_comment(token: &TokenWithSpan) -> bool {
    matches!(
        token.token,
        Token::Whitespace(Whitespace::SingleLineComment { .. })
    )
}

pub(super) fn classify(rdbms: Rdbms, token: &Token) -> Kind {
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
