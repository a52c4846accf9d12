//! A vendor script's own transaction control: taken over by upwiz where that keeps the
//! script's meaning and the run resumable, refused otherwise.
//!
//! upwiz runs a transactional script in a transaction of its own, which also holds the
//! journal record (on MySQL, runs of data statements grouped with their records). A
//! script's own COMMIT would end that transaction before the record is written, so a crash
//! in between leaves changes no rerun can repeat. BEGIN/COMMIT pairs wrapping statements
//! are therefore taken out of the statements the engine runs: the script's statements then
//! commit together with their record, which is what the pair asked for.

use crate::rdbms::Rdbms;
use crate::sql::{classify, Statement, TxnControl};

/// Why a script's transaction control cannot be made safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub message: String,
}

/// The statements the engine runs, and those upwiz took over, both in script order.
#[derive(Debug, Default)]
pub struct TakenOver {
    pub run: Vec<Statement>,
    pub taken: Vec<Statement>,
}

/// Sorts `statements` into those to run and those upwiz takes over. `transactional` is
/// whether upwiz runs the script in a transaction (or on MySQL, grouping its data
/// statements) rather than statement by statement in autocommit.
pub fn take_over(
    rdbms: Rdbms,
    statements: Vec<Statement>,
    transactional: bool,
) -> Result<TakenOver, Refusal> {
    let mut out = TakenOver::default();
    let mut open: Option<usize> = None;
    for stmt in statements {
        let Some(kind) = classify(rdbms, &stmt.sql) else {
            out.run.push(stmt);
            continue;
        };
        let refuse = |message: String| Refusal {
            line: stmt.line,
            message: format!("'{}' {message}", head(&stmt.sql)),
        };
        if !transactional {
            return Err(refuse(
                "is transaction control in a script marked transactional = false, which upwiz runs statement by statement outside any transaction, so the script would decide what a crash leaves behind; remove transactional = false from the manifest to let upwiz run the script in its own transaction".into(),
            ));
        }
        match kind {
            TxnControl::Begin => {
                if let Some(at) = open {
                    return Err(refuse(format!(
                        "starts a transaction while the one begun at line {at} is still open; end that one with COMMIT first (nested transactions are not supported)"
                    )));
                }
                open = Some(stmt.line);
                out.taken.push(stmt);
            }
            // A COMMIT with no BEGIN before it does nothing in the vendor's own client
            // (autocommit): taken out too.
            TxnControl::Commit | TxnControl::Autocommit => {
                if kind == TxnControl::Commit {
                    open = None;
                }
                out.taken.push(stmt);
            }
            TxnControl::Rollback => {
                return Err(refuse(
                    "would undo upwiz's transaction and its journal record with it; upwiz rolls back by itself when a statement fails, so the script must not (remove the ROLLBACK)".into(),
                ))
            }
            TxnControl::CommitAndMore => {
                return Err(refuse(
                    "commits and then chains a new transaction or closes the connection, which upwiz cannot take over; use a plain COMMIT".into(),
                ))
            }
            TxnControl::TwoPhase => {
                return Err(refuse(
                    "is two-phase commit, which hands the transaction to another session that upwiz cannot journal; run this script outside upwiz".into(),
                ))
            }
            TxnControl::AutocommitAmongOthers => {
                return Err(refuse(
                    "sets autocommit together with other variables; upwiz manages autocommit itself and can take over SET autocommit only as a statement of its own".into(),
                ))
            }
            TxnControl::Savepoint if rdbms == Rdbms::Mysql => {
                return Err(refuse(
                    "needs the script in one transaction, which MySQL cannot give a script whose DDL commits implicitly; remove the savepoints".into(),
                ))
            }
            TxnControl::Savepoint => out.run.push(stmt),
            // Only as the first statement of upwiz's transaction does it mean what the
            // vendor meant (PostgreSQL refuses it after any query).
            TxnControl::Characteristics if rdbms == Rdbms::Postgres && out.run.is_empty() => {
                out.run.push(stmt)
            }
            TxnControl::Characteristics => {
                return Err(refuse(
                    "changes the transaction's characteristics after statements have run in it; upwiz runs the script in one transaction, so this is accepted only directly after the script's first BEGIN on PostgreSQL".into(),
                ))
            }
        }
    }
    if let Some(line) = open {
        return Err(Refusal {
            line,
            message: "this BEGIN is never committed, so the vendor's own client would roll the script back at its end; add the missing COMMIT at the end of the script".into(),
        });
    }
    Ok(out)
}

/// The start of a statement, for a message.
fn head(sql: &str) -> String {
    let flat: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &flat[..i]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::split;

    fn go(rdbms: Rdbms, script: &str, transactional: bool) -> Result<TakenOver, Refusal> {
        take_over(rdbms, split(rdbms, script).unwrap(), transactional)
    }

    fn lines(stmts: &[Statement]) -> Vec<usize> {
        stmts.iter().map(|s| s.line).collect()
    }

    #[test]
    fn a_wrapped_script_runs_without_its_pair_and_keeps_its_lines() {
        let script =
            "-- vendor\nBEGIN;\nALTER TABLE a ADD c int;\n\nUPDATE a SET c = 1;\nCOMMIT;\n";
        for rdbms in Rdbms::ALL {
            let t = go(rdbms, script, true).unwrap();
            assert_eq!(lines(&t.run), [3, 5], "{rdbms}");
            assert_eq!(lines(&t.taken), [2, 6], "{rdbms}");
            assert_eq!(t.run[0].sql, "ALTER TABLE a ADD c int");
        }
    }

    #[test]
    fn sequential_pairs_a_stray_commit_and_autocommit_are_taken_over() {
        let t = go(
            Rdbms::Mysql,
            "SET autocommit = 0;\nSTART TRANSACTION;\nINSERT INTO a VALUES (1);\nCOMMIT;\nBEGIN;\nINSERT INTO a VALUES (2);\nCOMMIT;\nCOMMIT;\nSET autocommit = 1;",
            true,
        )
        .unwrap();
        assert_eq!(lines(&t.run), [3, 6]);
        assert_eq!(lines(&t.taken), [1, 2, 4, 5, 7, 8, 9]);
    }

    #[test]
    fn bodies_are_untouched() {
        let pg = "BEGIN;\nDO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;";
        let t = go(Rdbms::Postgres, pg, true).unwrap();
        assert_eq!(lines(&t.run), [2, 3]);
        let my = "DELIMITER //\nCREATE PROCEDURE p() BEGIN START TRANSACTION; COMMIT; END//\nBEGIN NOT ATOMIC SELECT 1; END//\nDELIMITER ;\n";
        let t = go(Rdbms::Mysql, my, true).unwrap();
        assert_eq!(lines(&t.run), [2, 3]);
        assert!(t.taken.is_empty());
        let lite = "BEGIN;\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\nEND;";
        let t = go(Rdbms::Sqlite, lite, true).unwrap();
        assert_eq!(lines(&t.run), [2]);
    }

    #[test]
    fn unsafe_forms_are_refused_with_their_line() {
        let cases: &[(Rdbms, &str, usize, &str)] = &[
            (
                Rdbms::Postgres,
                "SELECT 1;\nROLLBACK;",
                2,
                "upwiz rolls back by itself",
            ),
            (
                Rdbms::Postgres,
                "SELECT 1;\n\nABORT;",
                3,
                "upwiz rolls back",
            ),
            (
                Rdbms::Sqlite,
                "BEGIN;\nSELECT 1;\nBEGIN;\nCOMMIT;",
                3,
                "begun at line 1",
            ),
            (
                Rdbms::Mysql,
                "SELECT 1;\nBEGIN;\nSELECT 1;",
                2,
                "never committed",
            ),
            (
                Rdbms::Postgres,
                "BEGIN;\nPREPARE TRANSACTION 'x';",
                2,
                "two-phase",
            ),
            (Rdbms::Postgres, "COMMIT PREPARED 'x';", 1, "two-phase"),
            (Rdbms::Mysql, "XA START 'x';", 1, "two-phase"),
            (
                Rdbms::Postgres,
                "SELECT 1;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
                2,
                "characteristics",
            ),
            (
                Rdbms::Mysql,
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
                1,
                "characteristics",
            ),
            (
                Rdbms::Mysql,
                "BEGIN;\nSAVEPOINT a;\nCOMMIT;",
                2,
                "remove the savepoints",
            ),
            (Rdbms::Postgres, "COMMIT AND CHAIN;", 1, "plain COMMIT"),
            (
                Rdbms::Mysql,
                "SET autocommit = 0, unique_checks = 0;",
                1,
                "statement of its own",
            ),
        ];
        for (rdbms, script, line, fragment) in cases {
            let r = go(*rdbms, script, true).unwrap_err();
            assert_eq!(r.line, *line, "{script}");
            assert!(r.message.contains(fragment), "{script}: {}", r.message);
        }
    }

    #[test]
    fn savepoints_and_a_leading_set_transaction_run_where_one_transaction_holds_them() {
        let t = go(
            Rdbms::Postgres,
            "BEGIN;\nSET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nSAVEPOINT a;\nSELECT 1;\nROLLBACK TO SAVEPOINT a;\nRELEASE a;\nCOMMIT;",
            true,
        )
        .unwrap();
        assert_eq!(lines(&t.run), [2, 3, 4, 5, 6]);
        assert!(go(Rdbms::Sqlite, "SAVEPOINT a;\nRELEASE a;", true).is_ok());
    }

    #[test]
    fn a_non_transactional_script_may_not_control_transactions() {
        for (rdbms, script) in [
            (
                Rdbms::Postgres,
                "CREATE INDEX CONCURRENTLY i ON a (b);\nCOMMIT;",
            ),
            (Rdbms::Sqlite, "BEGIN;\nSELECT 1;\nCOMMIT;"),
            (Rdbms::Mysql, "SAVEPOINT a;"),
        ] {
            let r = go(rdbms, script, false).unwrap_err();
            assert!(r.message.contains("transactional = false"), "{}", r.message);
        }
        assert!(go(
            Rdbms::Postgres,
            "CREATE INDEX CONCURRENTLY i ON a (b);",
            false
        )
        .is_ok());
    }

    #[test]
    fn a_trigger_body_in_a_non_transactional_script_is_not_transaction_control() {
        let script = "CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR(50));
INSERT INTO p VALUES (1, 'a'), (2, 'b');
ALTER TABLE c ADD COLUMN p_id INTEGER;
UPDATE c SET p_id = 1;
CREATE INDEX c_name ON c (name);
ALTER TABLE c RENAME COLUMN note TO remark;
ALTER TABLE c DROP COLUMN old;
CREATE TABLE c_copy AS SELECT id, name FROM c;
CREATE TRIGGER c_ins BEFORE INSERT ON c BEGIN SELECT 1; END;
DROP INDEX c_name;
ALTER TABLE c_copy RENAME TO c_archive;
DROP TABLE gone;
CREATE VIEW v_c AS SELECT id, name FROM c;
";
        let got = go(Rdbms::Sqlite, script, false).unwrap();
        assert_eq!(got.run.len(), 13);
    }
}
