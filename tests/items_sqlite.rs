//! Per-item steps: one failing item does not stop the others, the run ends 'completed
//! with failed items' (exit 1), and the next run retries only the failed ones.

mod common;

use common::*;

#[test]
fn a_failing_item_is_recorded_the_others_go_on_and_a_rerun_retries_only_it() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE forms SET definition = 'title:text|budget:money' WHERE id = 19",
        [],
    )
    .unwrap();

    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("completed with 1 failed item(s)"), "{text}");
    assert!(text.contains("'People Requests'"), "{text}");
    assert!(text.contains("form_fields_known_type"), "{text}");
    assert_eq!(version(&db), "11.0");

    // The outcome table the operator can query, as the vendors' procedures describe.
    let (id, name, error): (String, String, String) = conn
        .query_row(
            "SELECT item_id, name, error FROM upwiz_items WHERE error IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((id.as_str(), name.as_str()), ("7", "People Requests"));
    assert!(error.contains("CHECK constraint failed"), "{error}");
    let ok: i64 = query_one(&db, "SELECT COUNT(*) FROM upwiz_items WHERE error IS NULL");
    assert_eq!(ok, 35);
    let v7: i64 = query_one(&db, "SELECT schema_version FROM applications WHERE id = 7");
    assert_eq!(v7, 10, "the failed item was rolled back");
    let s = env.sqlite(&demo_package(), &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["state"], "failed");

    conn.execute(
        "UPDATE forms SET definition = 'title:text|budget:number' WHERE id = 19",
        [],
    )
    .unwrap();
    let audit_before: i64 = query_one(&db, "SELECT COUNT(*) FROM audit_log");
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("1 of 1 item(s) upgraded (35 done by an earlier run)"),
        "{text}"
    );
    let audit_after: i64 = query_one(&db, "SELECT COUNT(*) FROM audit_log");
    assert_eq!(
        audit_after - audit_before,
        1,
        "only application 7 ran again"
    );
    let v7: i64 = query_one(&db, "SELECT schema_version FROM applications WHERE id = 7");
    assert_eq!(v7, 11);
}
