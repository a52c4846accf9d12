//! Two products in one database, each with its own package: the journal keeps their
//! runs apart. One product's unfinished upgrade is never continued by the other's
//! package, and is reported, not hidden.

mod common;

use std::path::{Path, PathBuf};

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

const MANIFEST: &str = r#"
[product]
name = "Beacon Portal"

[version]
detect = "SELECT version FROM beacon_version"
record = "UPDATE beacon_version SET version = {{version}}"

[[baseline]]
version = "1.0"
sqlite = "baseline.sql"
postgres = "baseline.sql"
mysql = "baseline.sql"

[[release]]
version = "1.0"

[[release]]
version = "1.1"

[[release.script]]
name = "01_page_titles"
sqlite = "1.1/titles.sql"
postgres = "1.1/titles.sql"
mysql = "1.1/titles.sql"
"#;

const BASELINE: &str = "CREATE TABLE beacon_version (version VARCHAR(20) NOT NULL);
INSERT INTO beacon_version VALUES ('1.0');
CREATE TABLE beacon_pages (id INTEGER PRIMARY KEY, slug VARCHAR(40) NOT NULL);
INSERT INTO beacon_pages VALUES (1, 'home');
";

const TITLES: &str = "ALTER TABLE beacon_pages ADD COLUMN title VARCHAR(80);
UPDATE beacon_pages SET title = slug;
";

fn beacon(env: &Env) -> PathBuf {
    let dir = env.path("beacon");
    std::fs::create_dir_all(dir.join("1.1")).unwrap();
    std::fs::write(dir.join("upwiz.toml"), MANIFEST).unwrap();
    std::fs::write(dir.join("baseline.sql"), BASELINE).unwrap();
    std::fs::write(dir.join("1.1/titles.sql"), TITLES).unwrap();
    dir
}

fn break_script(pkg: &Path) {
    std::fs::write(
        pkg.join("1.1/titles.sql"),
        format!("SELECT * FROM no_such_table;\n{TITLES}"),
    )
    .unwrap();
}

fn another_products_run_is_never_continued(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let pkg_b = beacon(&env);
    db.install(&env, &pkg_b, "1.0");

    // Beacon's upgrade fails and stays unfinished.
    break_script(&pkg_b);
    let out = run(&env, &db, &pkg_b, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));

    // Lattice's own upgrade runs in full: its own preflight, backup and versions.
    let status = run(&env, &db, &demo_package(), &["status", "--json"]);
    assert_ok(&status);
    let v: serde_json::Value = serde_json::from_str(stdout(&status).trim()).unwrap();
    assert_eq!(v["state"], "pending", "{v}");
    assert!(v["unfinished"].is_null(), "{v}");
    let out = run(&env, &db, &demo_package(), &["run", "--yes"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(!text.contains("Continuing"), "{text}");
    assert!(
        text.contains("Preflight checks before 9.0 -> 10.1"),
        "{text}"
    );
    assert!(text.contains("Back up the 9.0 database"), "{text}");
    assert!(
        text.contains("An unfinished upgrade of Beacon Portal (1.0 -> 1.1, failed)"),
        "{text}"
    );
    assert_eq!(db.version(), "11.0");
    assert_eq!(db.scalar("SELECT version FROM beacon_version"), "1.0");

    // Beacon's run is still its own to continue, once its script is fixed.
    let status = run(&env, &db, &pkg_b, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&status).trim()).unwrap();
    assert_eq!(v["state"], "failed", "{v}");
    std::fs::write(pkg_b.join("1.1/titles.sql"), TITLES).unwrap();
    let out = run(&env, &db, &pkg_b, &["run", "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing"), "{}", stdout(&out));
    assert_eq!(db.scalar("SELECT version FROM beacon_version"), "1.1");
    assert_eq!(db.scalar("SELECT title FROM beacon_pages"), "home");
}

#[test]
fn sqlite_another_products_run_is_never_continued() {
    another_products_run_is_never_continued(Rdbms::Sqlite);
}

#[test]
fn postgres_another_products_run_is_never_continued() {
    another_products_run_is_never_continued(Rdbms::Postgres);
}

#[test]
fn mariadb_another_products_run_is_never_continued() {
    another_products_run_is_never_continued(Rdbms::Mysql);
}
