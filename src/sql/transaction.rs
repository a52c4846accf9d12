//! Recognises a script's own transaction control (BEGIN, COMMIT, ROLLBACK, savepoints,
//! MySQL's autocommit switch) among the statements the splitter produced.
//!
//! Only whole top-level statements are looked at: the splitter keeps a routine's
//! BEGIN ... END body, a `DO $$ ... $$` block or MariaDB's `BEGIN NOT ATOMIC ... END` in
//! one statement whose first word is CREATE, DO or is followed by words no transaction
//! statement has, so none of them is mistaken for a transaction's BEGIN.

use crate::rdbms::Rdbms;

/// What a transaction-control statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnControl {
    /// BEGIN, BEGIN WORK/TRANSACTION, START TRANSACTION.
    Begin,
    /// COMMIT, COMMIT WORK, END (PostgreSQL and SQLite).
    Commit,
    /// COMMIT AND CHAIN, COMMIT RELEASE: commits and then starts a transaction or drops
    /// the connection.
    CommitAndMore,
    /// ROLLBACK or PostgreSQL's ABORT of the whole transaction.
    Rollback,
    /// SAVEPOINT, RELEASE [SAVEPOINT], ROLLBACK TO [SAVEPOINT].
    Savepoint,
    /// PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED, MySQL's XA statements.
    TwoPhase,
    /// SET TRANSACTION ..., SET SESSION CHARACTERISTICS AS TRANSACTION ...
    Characteristics,
    /// MySQL `SET autocommit = ...` as the statement's only assignment.
    Autocommit,
    /// MySQL `SET autocommit = ...` together with other assignments.
    AutocommitAmongOthers,
}

/// The transaction control `sql` (one statement, as split) performs, if any.
pub fn classify(rdbms: Rdbms, sql: &str) -> Option<TxnControl> {
    let mut toks = Words::new(rdbms, sql);
    let first = toks.next()?;
    let is = |t: &Tok, w: &str| t.word().is_some_and(|x| x.eq_ignore_ascii_case(w));
    let word = |t: &Tok| t.word().map(str::to_ascii_uppercase).unwrap_or_default();
    let rest: Vec<Tok> = match first.word().map(str::to_ascii_uppercase).as_deref() {
        Some("BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT")
        | Some("RELEASE" | "PREPARE" | "SET" | "XA") => toks.take(MAX_WORDS).collect(),
        _ => return None,
    };
    let rest_words: Vec<String> = rest.iter().map(word).collect();
    let has = |w: &str| rest_words.iter().any(|x| x == w);
    let only = |allowed: &[&str]| {
        rest.iter().all(|t| {
            t.word()
                .is_some_and(|w| allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
                || t.is(",")
        })
    };
    match word(&first).as_str() {
        "BEGIN" => {
            let ok = match rdbms {
                Rdbms::Postgres => only(PG_MODES),
                Rdbms::Sqlite => only(&["DEFERRED", "IMMEDIATE", "EXCLUSIVE", "TRANSACTION"]),
                Rdbms::Mysql => only(&["WORK"]),
            };
            ok.then_some(TxnControl::Begin)
        }
        "START" if rest.first().is_some_and(|t| is(t, "TRANSACTION")) => {
            (rdbms != Rdbms::Sqlite).then_some(TxnControl::Begin)
        }
        "COMMIT" | "END" => {
            let end_ok =
                rdbms != Rdbms::Mysql && only(&["WORK", "TRANSACTION", "AND", "NO", "CHAIN"]);
            if is(&first, "END") && !end_ok {
                return None;
            }
            if has("PREPARED") {
                return Some(TxnControl::TwoPhase);
            }
            let chain = rest_words
                .windows(2)
                .any(|w| w[0] == "AND" && w[1] == "CHAIN");
            let release = rest_words
                .iter()
                .enumerate()
                .any(|(i, w)| w == "RELEASE" && (i == 0 || rest_words[i - 1] != "NO"));
            Some(if chain || release {
                TxnControl::CommitAndMore
            } else {
                TxnControl::Commit
            })
        }
        "ROLLBACK" | "ABORT" => Some(if has("PREPARED") {
            TxnControl::TwoPhase
        } else if has("TO") {
            TxnControl::Savepoint
        } else {
            TxnControl::Rollback
        }),
        "SAVEPOINT" => Some(TxnControl::Savepoint),
        "RELEASE" => match rdbms {
            Rdbms::Mysql => rest.first().is_some_and(|t| is(t, "SAVEPOINT")),
            _ => true,
        }
        .then_some(TxnControl::Savepoint),
        "PREPARE"
            if rdbms == Rdbms::Postgres && rest.first().is_some_and(|t| is(t, "TRANSACTION")) =>
        {
            Some(TxnControl::TwoPhase)
        }
        "XA" if rdbms == Rdbms::Mysql => Some(TxnControl::TwoPhase),
        "SET" => set_statement(rdbms, &rest, &rest_words),
        _ => None,
    }
}

/// Words a PostgreSQL BEGIN may carry: WORK/TRANSACTION and transaction modes.
const PG_MODES: &[&str] = &[
    "WORK",
    "TRANSACTION",
    "ISOLATION",
    "LEVEL",
    "SERIALIZABLE",
    "REPEATABLE",
    "READ",
    "COMMITTED",
    "UNCOMMITTED",
    "WRITE",
    "ONLY",
    "NOT",
    "DEFERRABLE",
];

/// Enough words for every transaction statement and a few MySQL SET assignments; a longer
/// statement's tail is not needed to tell what it is, and a huge INSERT is never lexed.
const MAX_WORDS: usize = 64;

fn set_statement(rdbms: Rdbms, rest: &[Tok], words: &[String]) -> Option<TxnControl> {
    let scope = |w: &str| matches!(w, "SESSION" | "LOCAL");
    match words {
        [t, ..] if t == "TRANSACTION" => return Some(TxnControl::Characteristics),
        [s, t, ..] if scope(s) && t == "TRANSACTION" && rdbms == Rdbms::Mysql => {
            return Some(TxnControl::Characteristics)
        }
        [s, c, a, t, ..]
            if rdbms == Rdbms::Postgres
                && s == "SESSION"
                && c == "CHARACTERISTICS"
                && a == "AS"
                && t == "TRANSACTION" =>
        {
            return Some(TxnControl::Characteristics)
        }
        _ => {}
    }
    if rdbms != Rdbms::Mysql {
        return None;
    }
    // Assignments are separated by commas outside parentheses; the target of each is the
    // words before its `=`: [SESSION|LOCAL] autocommit, or @@[session.|local.]autocommit.
    let mut assignments = 0;
    let mut autocommit = false;
    let mut target: Vec<&Tok> = Vec::new();
    let mut in_value = false;
    let mut parens = 0usize;
    for t in rest {
        if t.is("(") {
            parens += 1;
        } else if t.is(")") {
            parens = parens.saturating_sub(1);
        }
        if parens == 0 && t.is(",") {
            in_value = false;
            target.clear();
            continue;
        }
        if in_value {
            continue;
        }
        if t.is("=") || t.is(":=") {
            in_value = true;
            assignments += 1;
            autocommit |= is_autocommit_target(&target);
            continue;
        }
        target.push(t);
    }
    match (autocommit, assignments) {
        (false, _) => None,
        (true, 1) => Some(TxnControl::Autocommit),
        (true, _) => Some(TxnControl::AutocommitAmongOthers),
    }
}

fn is_autocommit_target(target: &[&Tok]) -> bool {
    // `@autocommit` is a user variable of that name.
    if target.iter().any(|t| t.is("@")) {
        return false;
    }
    let words: Vec<String> = target
        .iter()
        .filter(|t| !t.is("@@") && !t.is("."))
        .filter_map(|t| t.word().map(str::to_ascii_uppercase))
        .collect();
    match words.as_slice() {
        [a] => a == "AUTOCOMMIT",
        [s, a] => (s == "SESSION" || s == "LOCAL") && a == "AUTOCOMMIT",
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// A quoted string or identifier, or a number: never a keyword.
    Literal,
    Punct(String),
}

impl Tok {
    fn word(&self) -> Option<&str> {
        match self {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }

    fn is(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(x) if x == p)
    }
}

/// The words, literals and punctuation of one statement, comments skipped. MySQL's
/// executable comments (`/*!40101 ... */`) are read as code, as the server reads them.
struct Words<'a> {
    rdbms: Rdbms,
    s: &'a [u8],
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(rdbms: Rdbms, text: &'a str) -> Self {
        Words {
            rdbms,
            s: text.as_bytes(),
            text,
            at: 0,
        }
    }

    fn skip_until(&mut self, end: &[u8]) {
        while self.at < self.s.len() && !self.s[self.at..].starts_with(end) {
            self.at += 1;
        }
        self.at = (self.at + end.len()).min(self.s.len());
    }

    fn skip_quoted(&mut self, quote: u8) {
        self.at += 1;
        while self.at < self.s.len() {
            let c = self.s[self.at];
            self.at += 1;
            if c == b'\\' && self.rdbms == Rdbms::Mysql {
                self.at += 1;
            } else if c == quote {
                if self.s.get(self.at) == Some(&quote) {
                    self.at += 1;
                } else {
                    return;
                }
            }
        }
    }
}

impl Iterator for Words<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        let s = self.s;
        loop {
            let c = *s.get(self.at)?;
            let rest = &s[self.at..];
            if c.is_ascii_whitespace() {
                self.at += 1;
            } else if rest.starts_with(b"--") || (c == b'#' && self.rdbms == Rdbms::Mysql) {
                self.skip_until(b"\n");
            } else if self.rdbms == Rdbms::Mysql
                && (rest.starts_with(b"/*!") || rest.starts_with(b"/*M!"))
            {
                self.at += if rest[2] == b'M' { 4 } else { 3 };
                while s.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
            } else if rest.starts_with(b"/*") {
                self.skip_until(b"*/");
            } else if rest.starts_with(b"*/") && self.rdbms == Rdbms::Mysql {
                self.at += 2;
            } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
                let start = self.at;
                while s.get(self.at).is_some_and(|&b| {
                    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
                }) {
                    self.at += 1;
                }
                return Some(Tok::Word(self.text[start..self.at].to_string()));
            } else if matches!(c, b'\'' | b'"' | b'`') {
                self.skip_quoted(c);
                return Some(Tok::Literal);
            } else if c.is_ascii_digit() {
                while s
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.')
                {
                    self.at += 1;
                }
                return Some(Tok::Literal);
            } else {
                let len = if rest.starts_with(b":=") || rest.starts_with(b"@@") {
                    2
                } else {
                    1
                };
                self.at += len;
                return Some(Tok::Punct(
                    String::from_utf8_lossy(&rest[..len]).into_owned(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TxnControl::*;
    use super::*;

    fn c(rdbms: Rdbms, sql: &str) -> Option<TxnControl> {
        classify(rdbms, sql)
    }

    #[test]
    fn postgres_forms() {
        let pg = |s| c(Rdbms::Postgres, s);
        for s in [
            "BEGIN",
            "begin work",
            "BEGIN TRANSACTION",
            "BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE",
            "START TRANSACTION",
            "start transaction isolation level repeatable read",
            "BEGIN /* the vendor's */ TRANSACTION",
            "-- open\nBEGIN",
        ] {
            assert_eq!(pg(s), Some(Begin), "{s}");
        }
        for s in [
            "COMMIT",
            "commit work",
            "END",
            "END TRANSACTION",
            "COMMIT AND NO CHAIN",
        ] {
            assert_eq!(pg(s), Some(Commit), "{s}");
        }
        assert_eq!(pg("COMMIT AND CHAIN"), Some(CommitAndMore));
        assert_eq!(pg("ROLLBACK"), Some(Rollback));
        assert_eq!(pg("ABORT"), Some(Rollback));
        assert_eq!(pg("ROLLBACK TO SAVEPOINT a"), Some(Savepoint));
        assert_eq!(pg("SAVEPOINT a"), Some(Savepoint));
        assert_eq!(pg("RELEASE a"), Some(Savepoint));
        assert_eq!(pg("PREPARE TRANSACTION 'x'"), Some(TwoPhase));
        assert_eq!(pg("COMMIT PREPARED 'x'"), Some(TwoPhase));
        assert_eq!(pg("ROLLBACK PREPARED 'x'"), Some(TwoPhase));
        assert_eq!(
            pg("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
            Some(Characteristics)
        );
        assert_eq!(
            pg("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),
            Some(Characteristics)
        );
    }

    #[test]
    fn bodies_and_lookalikes_are_not_transaction_control() {
        for s in [
            "DO $$ BEGIN PERFORM 1; COMMIT; END $$",
            "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END",
            "PREPARE q AS SELECT 1",
            "SET search_path = app",
            "SELECT 'BEGIN'",
            "UPDATE t SET x = 1",
            "ENDPOINT",
            "STARTUP",
        ] {
            assert_eq!(c(Rdbms::Postgres, s), None, "{s}");
        }
        for s in [
            "BEGIN NOT ATOMIC SELECT 1; END",
            "CREATE PROCEDURE p() BEGIN START TRANSACTION; COMMIT; END",
            "START SLAVE",
            "SET @x = @@autocommit",
            "SET @autocommit = 0",
            "SET GLOBAL autocommit = 0",
            "SET foreign_key_checks = 0",
            "END",
            "RELEASE x",
        ] {
            assert_eq!(c(Rdbms::Mysql, s), None, "{s}");
        }
        assert_eq!(
            c(
                Rdbms::Sqlite,
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END"
            ),
            None
        );
        assert_eq!(c(Rdbms::Sqlite, "START TRANSACTION"), None);
    }

    #[test]
    fn sqlite_forms() {
        let lite = |s| c(Rdbms::Sqlite, s);
        for s in [
            "BEGIN",
            "BEGIN IMMEDIATE",
            "begin exclusive transaction",
            "BEGIN DEFERRED",
        ] {
            assert_eq!(lite(s), Some(Begin), "{s}");
        }
        for s in ["COMMIT", "END", "END TRANSACTION", "COMMIT TRANSACTION"] {
            assert_eq!(lite(s), Some(Commit), "{s}");
        }
        assert_eq!(lite("ROLLBACK"), Some(Rollback));
        assert_eq!(lite("ROLLBACK TRANSACTION TO SAVEPOINT a"), Some(Savepoint));
        assert_eq!(lite("RELEASE a"), Some(Savepoint));
    }

    #[test]
    fn mysql_forms() {
        let my = |s| c(Rdbms::Mysql, s);
        for s in [
            "BEGIN",
            "BEGIN WORK",
            "START TRANSACTION",
            "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE",
        ] {
            assert_eq!(my(s), Some(Begin), "{s}");
        }
        for s in ["COMMIT", "COMMIT WORK", "COMMIT AND NO CHAIN NO RELEASE"] {
            assert_eq!(my(s), Some(Commit), "{s}");
        }
        assert_eq!(my("COMMIT RELEASE"), Some(CommitAndMore));
        assert_eq!(my("COMMIT WORK AND CHAIN"), Some(CommitAndMore));
        assert_eq!(my("ROLLBACK WORK"), Some(Rollback));
        assert_eq!(my("ROLLBACK TO x"), Some(Savepoint));
        assert_eq!(my("RELEASE SAVEPOINT x"), Some(Savepoint));
        assert_eq!(my("XA START 'x'"), Some(TwoPhase));
        for s in [
            "SET autocommit = 0",
            "set AUTOCOMMIT=1",
            "SET SESSION autocommit = ON",
            "SET @@autocommit := 0",
            "SET @@session.autocommit = 0",
            "/*!40101 SET autocommit = 0 */",
        ] {
            assert_eq!(my(s), Some(Autocommit), "{s}");
        }
        assert_eq!(
            my("SET autocommit = 0, unique_checks = 0"),
            Some(AutocommitAmongOthers)
        );
        assert_eq!(
            my("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
            Some(Characteristics)
        );
        assert_eq!(
            my("SET SESSION TRANSACTION READ WRITE"),
            Some(Characteristics)
        );
    }
}
