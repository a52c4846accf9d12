use super::*;

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
fn postgres_bit_strings_have_no_escapes() {
    // X'...' ends at the first quote, backslash or not (sqlparser takes `\'` for an
    // escaped quote); a doubled quote ends it and starts a string.
    assert_eq!(
        ok(
            Rdbms::Postgres,
            "SELECT x'\\';\nSELECT 2 AS \"'\";\nSELECT X'1F', x'ab''c;d', B'01;'"
        ),
        stmts(&[
            (r"SELECT x'\'", 1),
            ("SELECT 2 AS \"'\"", 2),
            ("SELECT X'1F', x'ab''c;d', B'01;'", 3),
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
