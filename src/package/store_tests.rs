//! `[version] store` and `nothing_on`, as the loader reads them.

use std::path::Path;

use super::{parse, PackageError, VersionStore};
use crate::plan::{plan_route, RouteError};
use crate::rdbms::Rdbms;

const RELEASES: &str = r#"
[[release]]
version = "2019092900"

[[release]]
version = "20240115093000"

[[release.script]]
name = "01_index"
postgres = "index.sql"
nothing_on = ["mysql"]
"#;

fn load(version: &str) -> Result<super::Package, PackageError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.sql"), "CREATE INDEX i ON t (c);\n").unwrap();
    let text = format!("[product]\nname = \"P\"\n\n[version]\n{version}\n{RELEASES}");
    parse(dir.path(), Path::new("upwiz.toml"), &text)
}

fn message(r: Result<super::Package, PackageError>) -> String {
    r.map(|_| ()).unwrap_err().to_string()
}

#[test]
fn store_upwiz_stands_for_detect_and_record() {
    let p = load("store = \"upwiz\"").unwrap();
    assert_eq!(p.version_store, VersionStore::Upwiz);
    assert!(p.detect.covered().is_empty() && p.record.covered().is_empty());
    // Planning needs no version queries then.
    let route = plan_route(&p, Rdbms::Postgres, "2019092900", p.newest()).unwrap();
    assert_eq!(route.describe(), "2019092900 -> 20240115093000");

    let p =
        load("detect = \"SELECT v FROM t\"\nrecord = \"UPDATE t SET v = {{version}}\"").unwrap();
    assert_eq!(p.version_store, VersionStore::Queries);
}

#[test]
fn store_errors_name_the_line() {
    let e = message(load("store = \"upwiz\"\ndetect = \"SELECT v FROM t\""));
    assert!(
        e.starts_with(
            "upwiz.toml:6:10: [version] store = \"upwiz\" cannot go with detect or record"
        ),
        "{e}"
    );
    let e = message(load("store = \"mine\""));
    assert!(
        e.starts_with("upwiz.toml:5:9: [version] store = \"mine\": the only store is \"upwiz\""),
        "{e}"
    );
    let e = message(load("record = \"UPDATE t SET v = {{version}}\""));
    assert!(e.contains("missing field `detect` in [version]"), "{e}");
    assert!(e.contains("store = \"upwiz\""), "{e}");
}

#[test]
fn nothing_on_is_read_and_planned_around() {
    let p = load("store = \"upwiz\"").unwrap();
    let script = &p.releases[1].scripts[0];
    assert_eq!(script.nothing_on, vec![Rdbms::Mysql]);
    assert!(script.nothing_on(Rdbms::Mysql) && !script.nothing_on(Rdbms::Postgres));
    assert!(plan_route(&p, Rdbms::Mysql, "2019092900", p.newest()).is_ok());
    // SQLite has neither a file nor nothing_on: planning says both ways to fix it.
    let e = plan_route(&p, Rdbms::Sqlite, "2019092900", p.newest()).unwrap_err();
    assert!(matches!(e, RouteError::NoScripts { .. }));
    assert!(
        e.to_string()
            .contains("add a sqlite file to the script, or nothing_on = [\"sqlite\"]"),
        "{e}"
    );
}

#[test]
fn nothing_on_errors_point_at_the_name() {
    let with = |nothing_on: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), "SELECT 1;\n").unwrap();
        let text = format!(
            "[product]\nname = \"P\"\n[version]\nstore = \"upwiz\"\n[[release]]\nversion = \"1\"\n[[release.script]]\nname = \"s\"\nsqlite = \"a.sql\"\nnothing_on = {nothing_on}\n"
        );
        message(parse(dir.path(), Path::new("upwiz.toml"), &text))
    };
    let e = with("[\"postgres\", \"db2\"]");
    assert!(
        e.starts_with("upwiz.toml:10:27: nothing_on: unknown RDBMS 'db2'"),
        "{e}"
    );
    let e = with("[\"sqlite\"]");
    assert!(
        e.starts_with(
            "upwiz.toml:10:15: script 's' has a sqlite file and lists sqlite in nothing_on"
        ),
        "{e}"
    );
    let e = with("[\"mysql\", \"mysql\"]");
    assert!(e.contains("nothing_on lists mysql twice"), "{e}");
}
