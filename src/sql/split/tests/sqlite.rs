use super::*;

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

/// SQLite's tokenizer ends a `[...]` identifier at the first `]` and an `X'...'` blob at
/// the first quote: neither has escapes, where sqlparser reads `]]` as an escaped `]` and
/// backslash escapes in `X'...'`. The sqlite3 shell agrees: given the first script, it
/// fails on line 1 with `unrecognized token: "]"` just after `[a]`, then prints `second`;
/// given the second, it fails on `x'\'` and then prints `2` under the column name `'`.
#[test]
fn sqlite_brackets_and_blobs_have_no_escapes() {
    assert_eq!(
        ok(Rdbms::Sqlite, "SELECT 1 AS [a]];\nSELECT 'second' AS [b];"),
        stmts(&[("SELECT 1 AS [a]]", 1), ("SELECT 'second' AS [b]", 2)]),
    );
    assert_eq!(
        ok(Rdbms::Sqlite, "SELECT x'\\';\nSELECT 2 AS ['];"),
        stmts(&[(r"SELECT x'\'", 1), ("SELECT 2 AS [']", 2)]),
    );
    // `x'ab'` then an unterminated string, as the shell reports it.
    assert_eq!(
        err(Rdbms::Sqlite, "SELECT x'ab''cd\n;"),
        SplitError::Unterminated {
            line: 1,
            column: 13,
            what: "string literal",
            opener: "a quote '".to_owned(),
        }
    );
    // Found by `chunk_size_never_changes_the_result_on_sql_like_text`: the identifier is
    // `[| \r,A >A&\r|,a |&]`, so the backtick at column 25 opens a quoted identifier.
    assert_eq!(
        err(Rdbms::Sqlite, "''[| \r,A >A&\r|,a |&]]0\t&`a\t]"),
        SplitError::Unterminated {
            line: 1,
            column: 25,
            what: "quoted identifier",
            opener: "a backtick `".to_owned(),
        }
    );
}

#[test]
fn a_one_line_trigger_after_a_create_table_as_is_one_statement() {
    let script = "CREATE TABLE c_copy AS SELECT id, name FROM c;\nCREATE TRIGGER c_ins BEFORE INSERT ON c BEGIN SELECT 1; END;\nDROP INDEX c_name;";
    let got = ok(Rdbms::Sqlite, script);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[1].0,
        "CREATE TRIGGER c_ins BEFORE INSERT ON c BEGIN SELECT 1; END"
    );
}
