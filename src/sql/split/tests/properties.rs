use proptest::prelude::*;

use super::*;

fn rdbms() -> impl Strategy<Value = Rdbms> {
    prop_oneof![
        Just(Rdbms::Sqlite),
        Just(Rdbms::Postgres),
        Just(Rdbms::Mysql)
    ]
}

/// Text for strings, identifiers and comments: heavy on quotes, delimiters and comment
/// starters, including `--<tab>` and line breaks.
fn content() -> impl Strategy<Value = String> {
    "[a-z ;'\"`$*/#\\\\\t\n-]{0,12}"
}

fn string_literal(rdbms: Rdbms) -> BoxedStrategy<String> {
    let plain = content().prop_map(move |s| match rdbms {
        Rdbms::Mysql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        _ => format!("'{}'", s.replace('\'', "''")),
    });
    match rdbms {
        Rdbms::Sqlite => plain.boxed(),
        Rdbms::Mysql => prop_oneof![
            plain,
            content().prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        ]
        .boxed(),
        Rdbms::Postgres => prop_oneof![
            plain,
            content().prop_map(|s| format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))),
            content().prop_map(|s| format!("$$ {} $$", s.replace('$', ""))),
            content().prop_map(|s| format!("$_$ {} $_$", s)),
        ]
        .boxed(),
    }
}

fn quoted_identifier(rdbms: Rdbms) -> BoxedStrategy<String> {
    match rdbms {
        Rdbms::Mysql => content()
            .prop_map(|s| format!("`{}`", s.replace('`', "``")))
            .boxed(),
        Rdbms::Postgres => content()
            .prop_map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
            .boxed(),
        Rdbms::Sqlite => prop_oneof![
            content().prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
            content().prop_map(|s| format!("[{}]", s.replace(']', ""))),
            content().prop_map(|s| format!("`{}`", s.replace('`', "``"))),
        ]
        .boxed(),
    }
}

/// A comment; line comments bring their own line break.
fn comment(rdbms: Rdbms) -> BoxedStrategy<String> {
    let text = "[a-z ;'\"`$#\t-]{0,12}";
    let block = text.prop_map(|s| format!("/*{s}*/"));
    let line = text.prop_map(|s| format!("-- {s}\n"));
    match rdbms {
        Rdbms::Mysql => prop_oneof![block, line, text.prop_map(|s| format!("#{s}\n"))].boxed(),
        _ => prop_oneof![block, line, text.prop_map(|s| format!("--{s}\n"))].boxed(),
    }
}

fn statement(rdbms: Rdbms) -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        3 => "c_[a-z0-9_]{0,6}",
        1 => "[0-9]{1,5}",
        1 => prop::sample::select(vec!["=", "+", ",", "<>", "*", "(c_x)"]).prop_map(str::to_owned),
        2 => string_literal(rdbms),
        1 => quoted_identifier(rdbms),
    ];
    let separator = prop_oneof![
        4 => Just(" ".to_owned()),
        1 => comment(rdbms).prop_map(|c| format!(" {c} ")),
        1 => Just("\n\t".to_owned()),
    ];
    (
        prop::sample::select(vec!["SELECT", "UPDATE", "c_first"]),
        prop::collection::vec((separator, atom), 0..8),
    )
        .prop_map(|(head, rest)| {
            let mut sql = head.to_owned();
            for (separator, atom) in rest {
                sql.push_str(&separator);
                sql.push_str(&atom);
            }
            sql
        })
}

fn blank() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec![" ", "\t", "\n", "\r\n"]), 0..3)
        .prop_map(|v| v.concat())
}

/// A script and the statements it holds, with what lies between statements.
fn script() -> impl Strategy<Value = (Rdbms, String, Vec<(String, usize)>, Vec<String>)> {
    rdbms()
        .prop_flat_map(|rdbms| {
            let part = (
                blank(),
                prop::option::of(comment(rdbms)),
                blank(),
                statement(rdbms),
                blank(),
                0..3usize,
            );
            (
                Just(rdbms),
                prop::collection::vec(part, 0..8),
                any::<bool>(),
            )
        })
        .prop_map(|(rdbms, parts, final_delimiter)| {
            let (mut script, mut expected, mut between) = (String::new(), Vec::new(), Vec::new());
            let count = parts.len();
            for (i, (lead, comment, gap, sql, tail, extra)) in parts.into_iter().enumerate() {
                let comment = comment.unwrap_or_default();
                script.push_str(&format!("{lead}{comment}{gap}"));
                between.push(comment);
                expected.push((sql.clone(), script.matches('\n').count() + 1));
                script.push_str(&sql);
                script.push_str(&tail);
                if i + 1 < count || final_delimiter {
                    script.push(';');
                }
                script.push_str(&";".repeat(extra));
            }
            (rdbms, script, expected, between)
        })
}

fn non_blank(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #[test]
    fn generated_scripts_split_into_their_statements((rdbms, script, expected, _) in script()) {
        let got = split(rdbms, &script).map(|v| v.into_iter().map(|s| (s.sql, s.line)).collect::<Vec<_>>());
        prop_assert_eq!(got, Ok(expected), "{:?} script: {:?}", rdbms, script);
    }

    #[test]
    fn chunk_size_never_changes_the_result(
        (rdbms, script, _, _) in script(),
        chunk_bytes in 1..40usize,
    ) {
        prop_assert_eq!(split_in_chunks(rdbms, &script, chunk_bytes), split(rdbms, &script));
    }

    #[test]
    fn chunk_size_never_changes_the_result_on_sql_like_text(
        rdbms in rdbms(),
        text in "[-a-zA-Z0-9 \t\n\r;,'\"`$/*#\\\\\\[\\]()&!@<>._:|]{0,160}",
        chunk_bytes in 1..40usize,
    ) {
        prop_assert_eq!(split_in_chunks(rdbms, &text, chunk_bytes), split(rdbms, &text));
    }

    #[test]
    fn never_panics_on_arbitrary_text(rdbms in rdbms(), text in any::<String>()) {
        let _ = split(rdbms, &text);
    }

    #[test]
    fn never_panics_on_sql_like_text(rdbms in rdbms(), text in "[-a-zA-Z0-9 \t\n\r;'\"`$/*#\\\\\\[\\]()&!@<>._:|]{0,160}") {
        let _ = split(rdbms, &text);
    }

    #[test]
    fn never_panics_on_lossy_bytes(rdbms in rdbms(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = split(rdbms, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn statements_are_ordered_slices_of_the_input(rdbms in rdbms(), text in "[-a-zA-Z0-9 \t\n;'\"`$/*#\\\\\\[\\]()E&]{0,160}") {
        if let Ok(statements) = split(rdbms, &text) {
            let mut from = 0;
            for s in &statements {
                prop_assert!(!s.sql.is_empty() && s.sql.trim() == s.sql, "{:?}", s);
                let at = text[from..].find(&s.sql);
                prop_assert!(at.is_some(), "{:?} not found in order in {:?}", s, text);
                from += at.unwrap_or(0) + s.sql.len();
                prop_assert!(s.line >= 1 && s.line <= text.matches('\n').count() + 1);
            }
            // Nothing invented or duplicated.
            let wanted: String = statements.iter().map(|s| non_blank(&s.sql)).collect();
            let have = non_blank(&text);
            let mut have = have.chars();
            prop_assert!(wanted.chars().all(|c| have.any(|h| h == c)), "{:?}", statements);
        }
    }

    #[test]
    fn no_content_is_lost_or_duplicated((rdbms, script, _, between) in script()) {
        let statements = split(rdbms, &script).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(statements.len(), between.len());
        // The script's non-blank characters must be exactly, in order: the comment
        // before each statement, the statement, and its delimiters.
        let stream = non_blank(&script);
        let mut rest = stream.as_str();
        for (s, comment) in statements.iter().zip(&between) {
            let after_comment = rest.strip_prefix(non_blank(comment).as_str());
            prop_assert!(after_comment.is_some(), "comment {:?} lost in {:?}", comment, script);
            let after_sql = after_comment.unwrap_or_default().strip_prefix(non_blank(&s.sql).as_str());
            prop_assert!(after_sql.is_some(), "statement {:?} not in order in {:?}", s, script);
            rest = after_sql.unwrap_or_default().trim_start_matches(';');
        }
        prop_assert_eq!(rest, "", "content outside every statement in {:?}", script);
    }
}
