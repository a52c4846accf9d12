//! Cuts the token stream into statements, at the delimiter, except where the statement's
//! shape says the delimiter belongs to it.

use super::block::{CopyState, Current};
use super::token::{Kind, Tok};
use super::{SplitError, Statement};
use crate::rdbms::Rdbms;

/// Code between two non-code tokens, searched as text for a custom MySQL delimiter,
/// which may span tokens (`//`) or sit inside one (`END$$`).
#[derive(Debug)]
struct Run {
    start: usize,
    end: usize,
    line: usize,
}

pub(super) struct Splitter<'a> {
    rdbms: Rdbms,
    text: &'a str,
    delimiter: &'a str,
    stmt: Current,
    run: Option<Run>,
    statements: Vec<Statement>,
}

impl<'a> Splitter<'a> {
    pub(super) fn new(rdbms: Rdbms, text: &'a str) -> Self {
        Splitter {
            rdbms,
            text,
            delimiter: ";",
            stmt: Current::default(),
            run: None,
            statements: Vec::new(),
        }
    }

    pub(super) fn token(&mut self, tok: Tok) -> Result<(), SplitError> {
        if let Kind::Delimiter { from, to } = tok.kind {
            // Like the mysql client, a DELIMITER line ends any statement before it.
            self.flush_run()?;
            let _ = self.stmt.resolve_end(self.text, None);
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
        let closes = self.stmt.resolve_end(self.text, Some(tok));
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
        self.stmt.track(self.rdbms, self.text, tok, closes);
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

    pub(super) fn finish(mut self) -> Result<Vec<Statement>, SplitError> {
        self.flush_run()?;
        let _ = self.stmt.resolve_end(self.text, None);
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
