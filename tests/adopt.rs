//! `upwiz adopt`: a database installed by other means (its tables made by hand) taken
//! over at a version, then upgraded; refused, changing nothing, when its tables lack
//! a declared column, unless the operator says why; and refused where a version is
//! already recorded. On SQLite, PostgreSQL and MariaDB.

mod common;

use std::path::PathBuf;

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

/// A product that keeps no version: 1.0 has `shop_items (id, name)`, 1.1 adds `price`,
/// 2.0 adds `shop_orders`.
fn versionless(env: &Env) -> PathBuf {
    package(env, "store = \"upwiz\"\n", "")
}

/// The same product with its version in a settings row: detect and record queries.
fn settings_row(env: &Env) -> PathBuf {
    package(
        env,
        "detect = \"SELECT value FROM shop_settings WHERE name = 'version'\"\nrecord = \"UPDATE shop_settings SET value = {{version}} WHERE name = 'version'\"\n",
        "CREATE TABLE shop_settings (name VARCHAR(40) NOT NULL, value VARCHAR(40));\nINSERT INTO shop_settings (name, value) VALUES ('version', '1.0');\n",
    )
}

fn package(env: &Env, version: &str, settings: &str) -> PathBuf {
    let dir = env.path("shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("baseline.sql"),
        format!("{settings}CREATE TABLE shop_items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("price.sql"),
        "ALTER TABLE shop_items ADD COLUMN price INTEGER;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("orders.sql"),
        "CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL);\nINSERT INTO shop_orders (id, item_id) SELECT id, id FROM shop_items;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("upwiz.toml"),
        format!(
            r#"[product]
name = "Shop"

[version]
{version}
[[baseline]]
version = "1.0"
sqlite = "baseline.sql"
postgres = "baseline.sql"
mysql = "baseline.sql"

[[release]]
version = "1.0"

[release.columns]
shop_items = ["id", "name"]

[[release]]
version = "1.1"

[[release.script]]
name = "01_price"
sqlite = "price.sql"
postgres = "price.sql"
mysql = "price.sql"

[release.columns]
shop_items = ["id", "name", "price"]

[[release]]
version = "2.0"

[[release.script]]
name = "01_orders"
sqlite = "orders.sql"
postgres = "orders.sql"
mysql = "orders.sql"

[release.columns]
shop_items = ["id", "name", "price"]
shop_orders = ["id", "item_id"]
"#
        ),
    )
    .unwrap();
    dir
}

/// Tables as some other installer left them at 1.1, or at 1.1 without `price`.
fn by_hand(env: &Env, rdbms: Rdbms, with_price: bool) -> Db {
    let db = Db::empty(env, rdbms);
    let price = if with_price { ", price INTEGER" } else { "" };
    db.execute(&format!(
        "CREATE TABLE shop_items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL{price})"
    ));
    db.execute("INSERT INTO shop_items (id, name) VALUES (7, 'lamp')");
    db
}

/// Everything a refused command must leave as it was: the bytes of a SQLite file, or
/// a server database's tables, the engine's included.
fn snapshot(db: &Db, rdbms: Rdbms) -> Vec<String> {
    match db {
        Db::Sqlite(p) => vec![format!("{:?}", file_bytes(p))],
        Db::Server(_) => {
            let mut out = db.dump();
            let schema = if rdbms == Rdbms::Postgres {
                "current_schema()"
            } else {
                "DATABASE()"
            };
            out.push(db.scalar(&format!(
                "SELECT CAST(COUNT(*) AS CHAR(10)) FROM information_schema.tables WHERE table_schema = {schema} AND table_name LIKE 'upwiz%'"
            )));
            out
        }
    }
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn adopted_then_upgraded(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = versionless(&env);
    let db = by_hand(&env, rdbms, true);

    let out = run(
        &env,
        &db,
        &pkg,
        &["adopt", "--version", "1.1", "--yes", "--json"],
    );
    assert_ok(&out);
    let v = json(&out);
    assert_eq!(v["adopted"], true, "{v}");
    assert_eq!(v["version"], "1.1", "{v}");
    assert_eq!(v["declared_by"], "1.1", "{v}");
    assert_eq!(v["differences"], serde_json::json!([]), "{v}");
    assert_eq!(v["exit"], 0, "{v}");
    assert!(v["run_id"].as_str().unwrap().starts_with("adopt-"), "{v}");
    assert_eq!(
        db.scalar("SELECT how FROM upwiz_versions WHERE product = 'Shop'"),
        "adopted"
    );

    let out = run(&env, &db, &pkg, &["status", "--json"]);
    assert_eq!(json(&out)["version"], "1.1");
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(
        db.scalar("SELECT version FROM upwiz_versions WHERE product = 'Shop'"),
        "2.0"
    );
    assert_eq!(
        db.scalar("SELECT CAST(item_id AS CHAR(10)) FROM shop_orders")
            .trim(),
        "7"
    );
    let out = run(&env, &db, &pkg, &["history"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("none -> 1.1: completed"), "{text}");
    assert!(text.contains("adopt/1.1"), "{text}");
    assert!(text.contains("1.1 -> 2.0: completed"), "{text}");

    // A second adoption is refused: upwiz already keeps a version.
    let out = run(&env, &db, &pkg, &["adopt", "--version", "1.1", "--yes"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("upwiz already keeps version 2.0 for Shop"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sqlite_adopted_then_upgraded() {
    adopted_then_upgraded(Rdbms::Sqlite);
}

#[test]
fn postgres_adopted_then_upgraded() {
    adopted_then_upgraded(Rdbms::Postgres);
}

#[test]
fn mariadb_adopted_then_upgraded() {
    adopted_then_upgraded(Rdbms::Mysql);
}

fn refused_on_a_missing_column_then_adopted_with_a_reason(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = versionless(&env);
    let db = by_hand(&env, rdbms, false);
    let before = snapshot(&db, rdbms);

    let out = run(&env, &db, &pkg, &["adopt", "--version", "1.1", "--yes"]);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("column shop_items.price is missing"), "{err}");
    assert!(err.contains("--ignore-differences --reason"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(
        snapshot(&db, rdbms),
        before,
        "a refused adopt changed the database"
    );

    // JSON says the same, with the differences listed.
    let out = run(
        &env,
        &db,
        &pkg,
        &["adopt", "--version", "2.0", "--yes", "--json"],
    );
    assert_eq!(code(&out), 2);
    let v = json(&out);
    assert_eq!(v["adopted"], false, "{v}");
    assert_eq!(
        v["differences"],
        serde_json::json!([
            "column shop_items.price is missing",
            "table shop_orders is missing"
        ]),
        "{v}"
    );
    assert_eq!(snapshot(&db, rdbms), before);

    // Ignoring differences needs a reason, and without one changes nothing.
    let out = run(
        &env,
        &db,
        &pkg,
        &["adopt", "--version", "1.1", "--ignore-differences", "--yes"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("needs --reason"), "{}", stderr(&out));
    assert_eq!(snapshot(&db, rdbms), before);

    let out = run(
        &env,
        &db,
        &pkg,
        &[
            "adopt",
            "--version",
            "1.1",
            "--accept-differences",
            "--reason",
            "price kept in the ERP",
            "--yes",
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains(
            "Differences ignored (--ignore-differences): column shop_items.price is missing."
        ),
        "{}",
        stdout(&out)
    );
    let out = run(&env, &db, &pkg, &["history"]);
    let text = stdout(&out);
    assert!(
        text.contains("differences ignored: column shop_items.price is missing; reason: price kept in the ERP"),
        "{text}"
    );
    let out = run(&env, &db, &pkg, &["history", "--json"]);
    let v = json(&out);
    let detail = v["runs"][0]["steps"][0]["detail"]
        .as_str()
        .unwrap_or_default();
    assert!(detail.contains("reason: price kept in the ERP"), "{v}");
    let out = run(&env, &db, &pkg, &["report"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("| none -> 1.1 |"), "{text}");
    assert!(text.contains("reason: price kept in the ERP"), "{text}");
}

#[test]
fn sqlite_refused_on_a_missing_column_then_adopted_with_a_reason() {
    refused_on_a_missing_column_then_adopted_with_a_reason(Rdbms::Sqlite);
}

#[test]
fn postgres_refused_on_a_missing_column_then_adopted_with_a_reason() {
    refused_on_a_missing_column_then_adopted_with_a_reason(Rdbms::Postgres);
}

#[test]
fn mariadb_refused_on_a_missing_column_then_adopted_with_a_reason() {
    refused_on_a_missing_column_then_adopted_with_a_reason(Rdbms::Mysql);
}

/// A product keeping its version in a settings row: adopted when the row has no
/// version yet, refused when detect already reads one.
fn settings_row_adopted_only_without_a_version(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = settings_row(&env);
    let db = by_hand(&env, rdbms, true);
    db.execute("CREATE TABLE shop_settings (name VARCHAR(40) NOT NULL, value VARCHAR(40))");
    db.execute("INSERT INTO shop_settings (name, value) VALUES ('version', '')");

    let out = run(&env, &db, &pkg, &["adopt", "--version", "1.1", "--yes"]);
    assert_ok(&out);
    assert_eq!(
        db.scalar("SELECT value FROM shop_settings WHERE name = 'version'"),
        "1.1"
    );
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(
        db.scalar("SELECT value FROM shop_settings WHERE name = 'version'"),
        "2.0"
    );

    let before = snapshot(&db, rdbms);
    let out = run(&env, &db, &pkg, &["adopt", "--version", "2.0", "--yes"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the package's [version] detect already reads version 2.0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&db, rdbms), before);
}

#[test]
fn sqlite_settings_row_adopted_only_without_a_version() {
    settings_row_adopted_only_without_a_version(Rdbms::Sqlite);
}

#[test]
fn postgres_settings_row_adopted_only_without_a_version() {
    settings_row_adopted_only_without_a_version(Rdbms::Postgres);
}

#[test]
fn mariadb_settings_row_adopted_only_without_a_version() {
    settings_row_adopted_only_without_a_version(Rdbms::Mysql);
}

/// A record query that writes no row (no settings row at all) cannot make the
/// database read the version: the adoption is rolled back and says why.
#[test]
fn a_record_query_that_changes_nothing_adopts_nothing() {
    let env = Env::new();
    let pkg = settings_row(&env);
    let db = by_hand(&env, Rdbms::Sqlite, true);
    db.execute("CREATE TABLE shop_settings (name VARCHAR(40) NOT NULL, value VARCHAR(40))");
    let out = run(&env, &db, &pkg, &["adopt", "--version", "1.1", "--yes"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[version] detect still does not read it"),
        "{}",
        stderr(&out)
    );
    let out = run(&env, &db, &pkg, &["history", "--json"]);
    assert_eq!(json(&out)["runs"], serde_json::json!([]));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let env = Env::new();
    let pkg = versionless(&env);
    let db = by_hand(&env, Rdbms::Sqlite, true);
    let before = snapshot(&db, Rdbms::Sqlite);
    let cases: [(&[&str], &str); 3] = [
        (&["adopt", "--version", "1.1"], "needs --yes"),
        (
            &["adopt", "--version", "1.5", "--yes"],
            "--version 1.5: target 1.5 is not a release of this package",
        ),
        (&["adopt", "--version", "1.1", "--json"], "needs --yes"),
    ];
    for (args, message) in cases {
        let out = run(&env, &db, &pkg, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert_eq!(snapshot(&db, Rdbms::Sqlite), before, "{args:?}");
    }
}

/// A database whose lock is held by a live run: adopt exits 3 and records nothing.
#[test]
fn a_held_lock_refuses_with_exit_3() {
    let env = Env::new();
    let pkg = versionless(&env);
    let db = by_hand(&env, Rdbms::Postgres, true);
    // A session holding PostgreSQL's advisory lock, as a running upgrade does.
    let Db::Server(t) = &db else { unreachable!() };
    let mut holder = t.open();
    assert_eq!(holder.session_lock().unwrap(), Some(true));
    let out = run(&env, &db, &pkg, &["adopt", "--version", "1.1", "--yes"]);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    drop(holder);
    let out = run(&env, &db, &pkg, &["status", "--json"]);
    assert!(json(&out)["version"].is_null());
}
