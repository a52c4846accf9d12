//! Splits a vendor's upgrade script into the statements the server runs one at a time.
//!
//! Statement boundaries come from sqlparser's tokenizer, but every statement is a slice of
//! the original script: the server must receive the vendor's exact text, never re-printed
//! tokens. The tokenizer is run over bounded chunks of the script, and we step in where it
//! is wrong for a server (see `lexer`).

mod block;
mod dialect;
mod lexer;
mod mysql_client;
mod quoted;
mod splitter;
mod token;

#[cfg(test)]
mod tests;

use crate::rdbms::Rdbms;

use lexer::Lexer;
use splitter::Splitter;

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
