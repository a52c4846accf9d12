//! Every test also splits with tiny chunks (see `split_checked`), so that chunk ends fall
//! inside nearly every token somewhere in the suite.

use super::*;

mod mysql;
mod postgres;
mod properties;
mod sqlite;

const ALL: [Rdbms; 3] = [Rdbms::Sqlite, Rdbms::Postgres, Rdbms::Mysql];

/// Splits with the real chunk size, and checks that tiny chunks, ending nearly
/// everywhere, give the same result.
fn split_checked(rdbms: Rdbms, script: &str) -> Result<Vec<Statement>, SplitError> {
    let result = split(rdbms, script);
    for chunk_bytes in [1, 5, 64] {
        assert_eq!(
            split_in_chunks(rdbms, script, chunk_bytes),
            result,
            "{rdbms:?}, chunks of {chunk_bytes} bytes, script:\n{script}"
        );
    }
    result
}

fn ok(rdbms: Rdbms, script: &str) -> Vec<(String, usize)> {
    match split_checked(rdbms, script) {
        Ok(statements) => statements.into_iter().map(|s| (s.sql, s.line)).collect(),
        Err(e) => panic!("{rdbms:?}: unexpected error: {e}\nscript:\n{script}"),
    }
}

fn err(rdbms: Rdbms, script: &str) -> SplitError {
    match split_checked(rdbms, script) {
        Ok(statements) => panic!("{rdbms:?}: expected an error, got {statements:?}"),
        Err(e) => e,
    }
}

fn stmts(expected: &[(&str, usize)]) -> Vec<(String, usize)> {
    expected.iter().map(|&(s, l)| (s.to_owned(), l)).collect()
}

#[test]
fn splits_on_semicolons_with_start_lines() {
    for rdbms in ALL {
        assert_eq!(
            ok(rdbms, "SELECT 1;\nSELECT 2;\n\n  SELECT\n    3"),
            stmts(&[("SELECT 1", 1), ("SELECT 2", 2), ("SELECT\n    3", 4)]),
        );
    }
}

#[test]
fn trailing_statement_needs_no_delimiter() {
    for rdbms in ALL {
        assert_eq!(
            ok(rdbms, "SELECT 1;SELECT 2"),
            stmts(&[("SELECT 1", 1), ("SELECT 2", 1)])
        );
        assert_eq!(ok(rdbms, "SELECT 1\n"), stmts(&[("SELECT 1", 1)]));
    }
}

#[test]
fn empty_or_comment_only_scripts_give_no_statements() {
    for rdbms in ALL {
        for script in [
            "",
            "\u{feff}",
            "  \n\t\r\n",
            "-- only a comment",
            "/* a */\n-- b\n",
            ";",
            " ;; \n ; ",
        ] {
            assert_eq!(ok(rdbms, script), stmts(&[]), "{rdbms:?} {script:?}");
        }
    }
    assert_eq!(ok(Rdbms::Mysql, "# hash\n/* c */;\n-- x\n"), stmts(&[]));
}

#[test]
fn empty_statements_are_dropped() {
    for rdbms in ALL {
        assert_eq!(
            ok(
                rdbms,
                ";;SELECT 1;;\n;\n/* nothing */;\n-- nothing\n;SELECT 2;"
            ),
            stmts(&[("SELECT 1", 1), ("SELECT 2", 5)]),
        );
    }
}

#[test]
fn leading_comments_dropped_inner_comments_kept() {
    for rdbms in ALL {
        assert_eq!(
            ok(
                rdbms,
                "-- header\n/* lead */ SELECT /* in; side */ 1 -- tail\n  + 2 /* end */;"
            ),
            stmts(&[("SELECT /* in; side */ 1 -- tail\n  + 2", 2)]),
        );
    }
}

#[test]
fn windows_line_endings_and_bom() {
    for rdbms in ALL {
        assert_eq!(
            ok(rdbms, "\u{feff}SELECT 1;\r\n-- c\r\nSELECT\r\n  'a;b';\r\n"),
            stmts(&[("SELECT 1", 1), ("SELECT\r\n  'a;b'", 3)]),
        );
    }
}

#[test]
fn transaction_control_statements_are_statements() {
    for rdbms in ALL {
        assert_eq!(
            ok(
                rdbms,
                "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nBEGIN TRANSACTION;\nEND;"
            ),
            stmts(&[
                ("BEGIN", 1),
                ("INSERT INTO t VALUES (1)", 2),
                ("COMMIT", 3),
                ("BEGIN TRANSACTION", 4),
                ("END", 5),
            ]),
        );
    }
}

#[test]
fn unterminated_string_names_where_it_opened() {
    for rdbms in ALL {
        let e = err(rdbms, "SELECT 1;\nSELECT 'abc;\nSELECT 2;\n");
        assert_eq!(
            e.to_string(),
            "line 2, column 8: unterminated string literal (a quote ' opened here is never closed)"
        );
    }
}

#[test]
fn unterminated_block_comment_names_where_it_opened() {
    for rdbms in ALL {
        let e = err(rdbms, "SELECT 1; /* never\nclosed; * / x");
        assert!(
            e.to_string()
                .starts_with("line 1, column 11: unterminated block comment"),
            "{e}"
        );
        // The column counts characters, not bytes.
        let e = err(rdbms, "SELECT 'é' /* open");
        assert!(e.to_string().starts_with("line 1, column 12:"), "{e}");
    }
}

#[test]
fn statements_spanning_chunks_are_split_correctly() {
    for rdbms in ALL {
        let mut script = String::new();
        let mut expected = Vec::new();
        let mut line = 1;
        for i in 0..12_000 {
            // A multi-line string every so often, so some cross a chunk boundary,
            // with a line that looks like a mysql DELIMITER command and a `--<tab>`.
            let sql = if i % 97 == 0 {
                format!("INSERT INTO t VALUES ({i}, 'x;\nDELIMITER //\n--\tit''s\n;')")
            } else {
                format!("INSERT INTO t VALUES ({i}, 'y')")
            };
            script.push_str(&sql);
            script.push_str(";\n");
            expected.push((sql.clone(), line));
            line += sql.matches('\n').count() + 1;
        }
        assert!(script.len() > 4 * CHUNK_BYTES);
        let got = ok(rdbms, &script);
        assert_eq!(got.len(), expected.len(), "{rdbms:?}");
        assert_eq!(got, expected, "{rdbms:?}");
    }
}

#[test]
fn unterminated_string_far_from_the_end_is_reported_at_its_line() {
    for rdbms in ALL {
        let mut script = "SELECT 1;\n".repeat(10_000);
        script.push_str("SELECT 'oops;\n");
        script.push_str(&"SELECT 2;\n".repeat(10_000));
        assert_eq!(
            err(rdbms, &script),
            SplitError::Unterminated {
                line: 10_001,
                column: 8,
                what: "string literal",
                opener: "a quote '".to_owned(),
            }
        );
    }
}

#[test]
fn never_panics_on_awkward_inputs() {
    let nasty = [
        "'",
        "\"",
        "`",
        "[",
        "$",
        "$$",
        "$a",
        "$a$",
        "E'",
        "e'\\",
        "U&'",
        "u&'\\",
        "N'",
        "X'",
        "B'",
        "/*",
        "/*/",
        "*/",
        "--",
        "#",
        "\\",
        "\r",
        "\r\r\n",
        "\0",
        "\u{feff}\u{feff}",
        ";\u{0}",
        "DELIMITER",
        "DELIMITER ",
        "delimiter \t",
        "DELIMITER ''",
        "DELIMITER 'x",
        "._",
        "a._b",
        "1._",
        "<-",
        "@-",
        "|&",
        "|>",
        "CREATE TRIGGER",
        "CREATE TRIGGER t BEGIN",
        "END END;",
        "CREATE PROCEDURE p() BEGIN END END END;",
        "(((",
        ")))",
        "COPY",
        "COPY t FROM",
        "\u{1F600}'\u{1F600}",
        "é$é$é",
        "$é$ x $é$",
        "--\u{7f}x'",
        "0x",
        "1e",
        "1e-",
        ".e5",
    ];
    for rdbms in ALL {
        for s in nasty {
            let _ = split_checked(rdbms, s);
            let _ = split_checked(rdbms, &format!("SELECT 1;\n{s}\nSELECT 2;"));
        }
    }
}

#[test]
fn long_lines_are_cut_without_changing_the_result() {
    for rdbms in ALL {
        let comment = if rdbms == Rdbms::Mysql { "# " } else { "-- " };
        let values: Vec<String> = (0..30_000).map(|i| format!("({i}, 'v; {i}')")).collect();
        let insert = format!("INSERT INTO t VALUES {}", values.join(","));
        // A line comment longer than a chunk, with quotes in it, ends the long line.
        let script = format!(
            "{insert}; {comment}{}'\nSELECT 2;",
            "it's, long; ".repeat(20_000)
        );
        assert!(insert.len() > 4 * CHUNK_BYTES);
        assert_eq!(
            ok(rdbms, &script),
            stmts(&[(&insert, 1), ("SELECT 2", 2)]),
            "{rdbms:?}"
        );
    }
}

#[test]
#[ignore = "timing; run with --release -- --ignored"]
fn ten_megabytes_split_in_well_under_a_second() {
    let mut script = String::new();
    let mut i = 0;
    while script.len() < 10 * 1024 * 1024 {
        script.push_str(&format!(
            "-- row {i}\nINSERT INTO accounts (id, name, note) VALUES ({i}, 'name {i}', 'it''s; fine');\n"
        ));
        i += 1;
    }
    for rdbms in ALL {
        let started = std::time::Instant::now();
        let statements = split(rdbms, &script).unwrap();
        let took = started.elapsed();
        eprintln!("{rdbms:?}: {} statements in {took:?}", statements.len());
        assert_eq!(statements.len(), i);
        assert!(took.as_secs_f64() < 1.0, "{rdbms:?} took {took:?}");
    }
}
