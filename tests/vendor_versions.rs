//! Versions as vendors write them: date stamps of 10 and 14 digits, compared as numbers;
//! a product that records no version of its own (`[version] store = "upwiz"`), installed,
//! upgraded, stopped and resumed; and a script that has nothing to do on one RDBMS.
//! On SQLite, PostgreSQL and MariaDB.

mod common;

use std::path::{Path, PathBuf};

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

/// Where the package keeps its version.
#[derive(Clone, Copy, PartialEq)]
enum Store {
    /// The product's own table, with detect and record queries.
    Queries,
    /// upwiz's table: the product records none.
    Upwiz,
}

const NEWEST: &str = "20240115093000";

/// Releases 2019092900 (baseline), 2019100100, 2020010100 and 20240115093000; the
/// 2020010100 script has files for SQLite and PostgreSQL and nothing to do on MySQL.
fn stamped(env: &Env, store: Store) -> PathBuf {
    let dir = env.path("stamped");
    std::fs::create_dir_all(&dir).unwrap();
    let version = match store {
        Store::Queries => {
            "detect = \"SELECT version FROM stamp_version\"\nrecord = \"UPDATE stamp_version SET version = {{version}}\"\n"
        }
        Store::Upwiz => "store = \"upwiz\"\n",
    };
    let baseline = match store {
        Store::Queries => "CREATE TABLE stamp_version (version VARCHAR(20) NOT NULL);\nINSERT INTO stamp_version (version) VALUES ('2019092900');\n",
        Store::Upwiz => "",
    };
    std::fs::write(
        dir.join("baseline.sql"),
        format!("{baseline}CREATE TABLE stamp_items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);\nINSERT INTO stamp_items (id, name) VALUES (1, 'first');\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("price.sql"),
        "ALTER TABLE stamp_items ADD COLUMN price INTEGER;\nUPDATE stamp_items SET price = 10;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("notes.sql"),
        "CREATE TABLE stamp_notes (id INTEGER PRIMARY KEY, body VARCHAR(80));\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rename.sql"),
        "UPDATE stamp_items SET name = 'renamed';\n",
    )
    .unwrap();
    let manifest = format!(
        r#"[product]
name = "Stamped"

[version]
{version}
[[baseline]]
version = "2019092900"
sqlite = "baseline.sql"
postgres = "baseline.sql"
mysql = "baseline.sql"

[[release]]
version = "2019092900"

[[release]]
version = "2019100100"

[[release.script]]
name = "01_price"
sqlite = "price.sql"
postgres = "price.sql"
mysql = "price.sql"

[[release]]
version = "2020010100"

[[release.script]]
name = "01_notes"
sqlite = "notes.sql"
postgres = "notes.sql"
nothing_on = ["mysql"]

[[release]]
version = "{NEWEST}"

[[release.script]]
name = "01_rename"
sqlite = "rename.sql"
postgres = "rename.sql"
mysql = "rename.sql"
"#
    );
    std::fs::write(dir.join("upwiz.toml"), manifest).unwrap();
    dir
}

fn status(env: &Env, db: &Db, pkg: &Path) -> serde_json::Value {
    let out = run(env, db, pkg, &["status", "--json"]);
    assert_ok(&out);
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

fn has_table(db: &Db, rdbms: Rdbms, table: &str) -> bool {
    let sql = match rdbms {
        Rdbms::Sqlite => {
            format!("SELECT CAST(COUNT(*) AS TEXT) FROM sqlite_master WHERE name = '{table}'")
        }
        Rdbms::Postgres => format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
        Rdbms::Mysql => format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'"
        ),
    };
    db.scalar(&sql) == "1"
}

/// The version upwiz keeps for the product.
fn kept_version(db: &Db) -> String {
    db.scalar("SELECT version FROM upwiz_versions WHERE product = 'Stamped'")
}

fn date_stamps_install_plan_and_run(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = stamped(&env, Store::Queries);
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "2019092900");
    assert_eq!(db.scalar("SELECT version FROM stamp_version"), "2019092900");

    let plan = run(&env, &db, &pkg, &["plan"]);
    assert_ok(&plan);
    let text = stdout(&plan);
    assert!(
        text.contains("2019092900 -> 20240115093000"),
        "the 14-digit release is the newest: {text}"
    );
    assert!(text.contains("Record version 2019100100"), "{text}");
    assert!(text.contains("2019100100: 01_price"), "{text}");
    // On MySQL the notes script has nothing to do, and the plan does not list it.
    assert_eq!(
        text.contains("2020010100: 01_notes"),
        rdbms != Rdbms::Mysql,
        "{text}"
    );
    assert!(text.contains("Record version 2020010100"), "{text}");

    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(db.scalar("SELECT version FROM stamp_version"), NEWEST);
    assert_eq!(db.scalar("SELECT name FROM stamp_items"), "renamed");
    assert_eq!(has_table(&db, rdbms, "stamp_notes"), rdbms != Rdbms::Mysql);
    assert_eq!(status(&env, &db, &pkg)["state"], "up-to-date");

    // A fresh install at a middle stamp goes through the scripts above the baseline,
    // skipping the one with nothing to do on MySQL.
    let env2 = Env::new();
    let pkg2 = stamped(&env2, Store::Queries);
    let fresh = Db::empty(&env2, rdbms);
    fresh.install(&env2, &pkg2, "2020010100");
    assert_eq!(
        fresh.scalar("SELECT version FROM stamp_version"),
        "2020010100"
    );
    assert_eq!(
        has_table(&fresh, rdbms, "stamp_notes"),
        rdbms != Rdbms::Mysql
    );
}

#[test]
fn sqlite_date_stamps_install_plan_and_run() {
    date_stamps_install_plan_and_run(Rdbms::Sqlite);
}

#[test]
fn postgres_date_stamps_install_plan_and_run() {
    date_stamps_install_plan_and_run(Rdbms::Postgres);
}

#[test]
fn mariadb_date_stamps_install_plan_and_run() {
    date_stamps_install_plan_and_run(Rdbms::Mysql);
}

/// 20240115093000 is larger than 2025010100 as a number, though smaller as text: a
/// package listing the 14-digit stamp first is out of order.
#[test]
fn stamps_of_different_lengths_compare_as_numbers() {
    let env = Env::new();
    let pkg = stamped(&env, Store::Queries);
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    std::fs::write(
        pkg.join("upwiz.toml"),
        format!("{manifest}\n[[release]]\nversion = \"2025010100\"\n"),
    )
    .unwrap();
    let db = env.path("app.db");
    let out = env.sqlite(&pkg, &db, &["install"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "release 2025010100 comes after 20240115093000; list releases in ascending order"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!db.exists(), "a refused install creates nothing");

    // With a leading zero the stamp is the same number, so the same release.
    let out = env.sqlite(&stamped(&env, Store::Queries), &db, &["install"]);
    assert_ok(&out);
    let out = env.sqlite(
        &stamped(&env, Store::Queries),
        &db,
        &["plan", "--target", "020240115093000"],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Stamped is at 20240115093000, the target; there is nothing to do."),
        "{}",
        stdout(&out)
    );
}

fn versionless_product_installed_upgraded_and_resumed(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = stamped(&env, Store::Upwiz);
    let db = Db::empty(&env, rdbms);

    // Before install: the plan says in plain words that no version is recorded.
    if let Db::Sqlite(file) = &db {
        std::fs::write(file, b"").unwrap();
    }
    {
        let out = run(&env, &db, &pkg, &["plan"]);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("upwiz has no version recorded for Stamped in this database"),
            "{err}"
        );
        assert!(err.contains("upwiz install"), "{err}");
        assert!(err.contains("upwiz adopt --version V"), "{err}");
    }

    db.install(&env, &pkg, "2019092900");
    assert_eq!(kept_version(&db), "2019092900");
    assert_eq!(
        db.scalar("SELECT how FROM upwiz_versions WHERE product = 'Stamped'"),
        "installed"
    );
    let v = status(&env, &db, &pkg);
    assert_eq!(v["version"], "2019092900", "{v}");
    assert_eq!(v["state"], "pending", "{v}");

    // The last script fails: the run stops with the earlier releases recorded.
    std::fs::write(
        pkg.join("rename.sql"),
        "UPDATE no_such_table SET name = 'renamed';\n",
    )
    .unwrap();
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(kept_version(&db), "2020010100");
    assert_eq!(status(&env, &db, &pkg)["state"], "failed");

    // Fixed, the run continues where it stopped and records the newest stamp.
    std::fs::write(
        pkg.join("rename.sql"),
        "UPDATE stamp_items SET name = 'renamed';\n",
    )
    .unwrap();
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing"), "{}", stdout(&out));
    assert_eq!(kept_version(&db), NEWEST);
    assert_eq!(
        db.scalar("SELECT how FROM upwiz_versions WHERE product = 'Stamped'"),
        "upgraded"
    );
    assert_eq!(db.scalar("SELECT name FROM stamp_items"), "renamed");
    assert_eq!(
        db.scalar("SELECT name FROM stamp_items WHERE price = 10"),
        "renamed"
    );
    let v = status(&env, &db, &pkg);
    assert_eq!(v["version"], NEWEST, "{v}");
    assert_eq!(v["state"], "up-to-date", "{v}");

    // History shows the install and both runs.
    let out = run(&env, &db, &pkg, &["history"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2019092900 -> 20240115093000: completed"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn sqlite_versionless_product_installed_upgraded_and_resumed() {
    versionless_product_installed_upgraded_and_resumed(Rdbms::Sqlite);
}

#[test]
fn postgres_versionless_product_installed_upgraded_and_resumed() {
    versionless_product_installed_upgraded_and_resumed(Rdbms::Postgres);
}

#[test]
fn mariadb_versionless_product_installed_upgraded_and_resumed() {
    versionless_product_installed_upgraded_and_resumed(Rdbms::Mysql);
}

/// A versionless product's run killed before each journal write in turn (needs
/// `--features fault-injection`), then run again, ends as an uninterrupted run: the
/// version upwiz keeps never disagrees with the journal.
#[test]
fn versionless_run_killed_at_every_journal_write_resumes_to_the_same_end() {
    let env = Env::new();
    let pkg = stamped(&env, Store::Upwiz);
    let template = env.path("template.db");
    assert_ok(&env.sqlite(&pkg, &template, &["install", "--version", "2019092900"]));
    let reference = env.path("reference.db");
    std::fs::copy(&template, &reference).unwrap();
    assert_ok(&env.sqlite(&pkg, &reference, &["run", "--yes"]));
    let expected = dump(&reference);

    let mut tried = 0;
    for n in 1.. {
        let db = env.path(&format!("crash-{n}.db"));
        std::fs::copy(&template, &db).unwrap();
        let crashed = env
            .cmd()
            .args(["--package", pkg.to_str().unwrap(), "--rdbms", "sqlite"])
            .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
            .env("UPWIZ_FAULT_AT", n.to_string())
            .output()
            .unwrap();
        if crashed.status.success() {
            break;
        }
        assert!(
            crashed.status.code().is_none(),
            "crash point {n}: expected an abort, got {:?}\n{}",
            crashed.status,
            stderr(&crashed)
        );
        tried += 1;
        let resumed = env.sqlite(&pkg, &db, &["run", "--yes"]);
        assert_ok(&resumed);
        assert_eq!(dump(&db), expected, "crash point {n}");
        assert_eq!(
            query_one::<String>(&db, "SELECT version FROM upwiz_versions"),
            NEWEST,
            "crash point {n}"
        );
    }
    assert!(tried >= 5, "only {tried} crash points");
}

/// Rehearse and restore read and write the version upwiz keeps as they do a product's
/// own: the table travels in every copy and every backup.
#[test]
fn versionless_product_rehearses_and_restores() {
    let env = Env::new();
    let pkg = stamped(&env, Store::Upwiz);
    let db = env.path("app.db");
    assert_ok(&env.sqlite(&pkg, &db, &["install", "--version", "2019100100"]));

    let out = env.sqlite(&pkg, &db, &["rehearse", "--json"]);
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["outcome"], "completed", "{v}");
    assert_eq!(
        query_one::<String>(&db, "SELECT version FROM upwiz_versions"),
        "2019100100",
        "a rehearsal leaves the real database alone"
    );

    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes"]));
    assert_eq!(
        query_one::<String>(&db, "SELECT version FROM upwiz_versions"),
        NEWEST
    );
    let out = env.sqlite(&pkg, &db, &["restore", "--yes", "--reason", "try again"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("now reads as version 2019100100"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        query_one::<String>(&db, "SELECT version FROM upwiz_versions"),
        "2019100100"
    );
    let out = env.sqlite(&pkg, &db, &["plan"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2019100100 -> 20240115093000"),
        "{}",
        stdout(&out)
    );
}
