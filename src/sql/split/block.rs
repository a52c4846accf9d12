//! Follows a statement's shape to know when a semicolon does not end it: inside the
//! BEGIN ... END body of a trigger or routine, or inside parentheses in PostgreSQL. Also
//! spots PostgreSQL's COPY ... FROM STDIN, whose data only psql can send.

use super::token::{Kind, Tok};
use crate::rdbms::Rdbms;

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
pub(super) enum CopyState {
    #[default]
    No,
    Copy,
    From,
    FromStdin,
}

/// What is known about the statement being read.
#[derive(Debug, Default)]
pub(super) struct Current {
    /// Position and line of the first character sent to the server.
    pub(super) first: Option<(usize, usize)>,
    pub(super) last_end: usize,
    shape: Shape,
    /// BEGIN/CASE ... END nesting inside a compound statement.
    pub(super) depth: usize,
    pub(super) depth_open: (usize, usize),
    /// An END was seen; whether it closes a block depends on the next word.
    pending_end: bool,
    pub(super) parens: usize,
    pub(super) paren_open: (usize, usize),
    pub(super) copy: CopyState,
}

impl Current {
    /// Follows the statement's shape; `closes` is set for the word after an END.
    pub(super) fn track(&mut self, rdbms: Rdbms, text: &str, tok: Tok, closes: bool) {
        let word = (tok.kind == Kind::Word).then(|| &text[tok.start..tok.end]);
        let is = |kw: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(kw));
        let first = self.shape == Shape::Start;

        self.shape = match self.shape {
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
        if self.shape == Shape::Compound && self.parens == 0 && !closes {
            if is("BEGIN") {
                if self.depth == 0 {
                    self.depth_open = (tok.line, tok.column);
                }
                self.depth += 1;
            } else if is("CASE") && self.depth > 0 {
                self.depth += 1;
            } else if is("END") && self.depth > 0 {
                self.pending_end = true;
            }
        }

        if rdbms == Rdbms::Postgres && self.parens == 0 {
            self.copy = match self.copy {
                CopyState::No if first && is("COPY") => CopyState::Copy,
                CopyState::Copy | CopyState::From if is("FROM") => CopyState::From,
                CopyState::From if is("STDIN") => CopyState::FromStdin,
                CopyState::From => CopyState::Copy,
                other => other,
            };
        }

        match tok.kind {
            Kind::LParen => {
                if self.parens == 0 {
                    self.paren_open = (tok.line, tok.column);
                }
                self.parens += 1;
            }
            Kind::RParen => self.parens = self.parens.saturating_sub(1),
            _ => {}
        }
    }

    /// Settles an END seen just before `next` (the next significant token, or none at the
    /// end of a statement). Returns whether `next` is part of the END, as CASE is in
    /// MySQL's `END CASE`, and so opens nothing.
    pub(super) fn resolve_end(&mut self, text: &str, next: Option<Tok>) -> bool {
        if !std::mem::take(&mut self.pending_end) {
            return false;
        }
        let word = next
            .filter(|t| t.kind == Kind::Word)
            .map(|t| &text[t.start..t.end]);
        let is = |kw: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(kw));
        if END_CONTINUATIONS.iter().any(|kw| is(kw)) {
            return true;
        }
        self.depth = self.depth.saturating_sub(1);
        is("CASE")
    }
}
