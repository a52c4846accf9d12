//! `upwiz package check`: every problem of a package in one run, each as
//! `file:line:column: message`; exit 0 clean, 1 problems, 2 unreadable.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn check(env: &Env, dir: &Path, json: bool) -> std::process::Output {
    let mut args = vec!["package", "check", dir.to_str().unwrap()];
    if json {
        args.push("--json");
    }
    env.upwiz(&args)
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

const BROKEN: &str = r#"[product]
name = "Broken"

[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{version}}"

[policy]
required_stops = ["1.5"]

[[baseline]]
version = "1"
sqlite = "base/sqlite.sql"
postgres = "base/postgres.sql"

[[release]]
version = "1"

[[release]]
version = "2"

[[release.script]]
name = "nul"
sqlite = "2/nul.sql"
postgres = "2/ok.sql"

[[release.script]]
name = "latin1"
sqlite = "2/latin1.sql"
postgres = "2/ok.sql"

[[release.script]]
name = "dollar"
sqlite = "2/ok.sql"
postgres = "2/dollar.sql"

[[release.script]]
name = "rollback"
sqlite = "2/rollback.sql"
postgres = "2/ok.sql"

[[release.script]]
name = "missing"
sqlite = "2/missing.sql"
postgres = "2/ok.sql"

[[release.script]]
name = "string"
sqlite = "2/string.sql"
postgres = "2/ok.sql"

[[release]]
version = "3.x"
"#;

/// A package with one problem of each kind the check must find.
fn broken(env: &Env) -> PathBuf {
    let dir = env.path("broken");
    write(&dir, "upwiz.toml", BROKEN.as_bytes());
    let base =
        b"CREATE TABLE app_version (version varchar(20));\nINSERT INTO app_version VALUES ('1');\n";
    write(&dir, "base/sqlite.sql", base);
    write(&dir, "base/postgres.sql", base);
    write(&dir, "2/ok.sql", b"SELECT 1;\n");
    write(
        &dir,
        "2/nul.sql",
        b"-- two\nUPDATE a SET b = 1;\nSELE\0CT 2;\n",
    );
    write(
        &dir,
        "2/latin1.sql",
        b"-- Umlaut\nUPDATE a SET name = 'M\xfcller';\n",
    );
    write(
        &dir,
        "2/dollar.sql",
        b"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n  SELECT 1;\n",
    );
    write(
        &dir,
        "2/rollback.sql",
        b"BEGIN;\nUPDATE a SET b = 1;\nROLLBACK;\n",
    );
    write(
        &dir,
        "2/string.sql",
        b"SELECT 1;\nINSERT INTO a VALUES ('open;\n",
    );
    dir
}

/// The 1-based line of the manifest holding `needle`.
fn manifest_line(needle: &str) -> usize {
    BROKEN.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn every_seeded_problem_is_reported_with_its_file_and_line_in_one_run() {
    let env = Env::new();
    let dir = broken(&env);
    let o = check(&env, &dir, false);
    assert_eq!(
        code(&o),
        1,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    let out = stdout(&o);
    let expected = [
        ("2/nul.sql:3:5: ", "a NUL byte"),
        ("2/latin1.sql:2:23: ", "not UTF-8 text: byte 0xFC"),
        ("2/dollar.sql:1:49: ", "unterminated"),
        ("2/rollback.sql:3:1: ", "ROLLBACK"),
        ("2/string.sql:2:23: ", "unterminated string literal"),
        (
            &format!("upwiz.toml:{}:", manifest_line("2/missing.sql")),
            "script file '2/missing.sql' does not exist",
        ),
        (
            &format!("upwiz.toml:{}:", manifest_line("3.x")),
            "'3.x' is not a version",
        ),
        (
            &format!("upwiz.toml:{}:", manifest_line("1.5")),
            "required stop 1.5 is not one of the releases",
        ),
    ];
    for (at, what) in expected {
        assert!(
            out.lines().any(|l| l.starts_with(at) && l.contains(what)),
            "expected a line starting {at:?} saying {what:?}:\n{out}"
        );
    }
    assert!(
        out.contains("8 problems found"),
        "exactly the seeded problems:\n{out}"
    );
}

#[test]
fn json_lists_the_problems() {
    let env = Env::new();
    let dir = broken(&env);
    let o = check(&env, &dir, true);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 8);
    let nul = problems.iter().find(|p| p["file"] == "2/nul.sql").unwrap();
    assert_eq!(
        (nul["line"].as_u64(), nul["column"].as_u64()),
        (Some(3), Some(5))
    );
}

#[test]
fn a_script_missing_on_a_route_is_located_at_its_release() {
    let env = Env::new();
    let dir = env.path("pkg");
    let manifest = r#"[product]
name = "Gaps"

[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{version}}"

[[baseline]]
version = "1"
sqlite = "base.sql"
mysql = "base.sql"

[[release]]
version = "1"

[[release]]
version = "2"

[[release.script]]
name = "sqlite_only"
sqlite = "2.sql"
"#;
    write(&dir, "upwiz.toml", manifest.as_bytes());
    write(
        &dir,
        "base.sql",
        b"CREATE TABLE app_version (version varchar(20));\n",
    );
    write(&dir, "2.sql", b"SELECT 1;\n");
    let o = check(&env, &dir, false);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    let line = manifest
        .lines()
        .position(|l| l == "version = \"2\"")
        .unwrap()
        + 1;
    let at = format!("upwiz.toml:{line}:");
    assert!(
        stdout(&o).lines().any(|l| l.starts_with(&at)
            && l.contains("mysql from 1 to 2")
            && l.contains("sqlite_only")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_clean_package_passes_with_its_counts() {
    let env = Env::new();
    let o = check(&env, &demo_package(), false);
    assert_ok(&o);
    assert_eq!(
        stdout(&o).trim(),
        "package OK: 5 releases, 30 scripts, 21 routes checked"
    );
}

#[test]
fn an_unreadable_package_exits_2() {
    let env = Env::new();
    let o = check(&env, &env.path("nowhere"), false);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not a directory"), "{}", stderr(&o));

    let dir = env.path("empty");
    std::fs::create_dir_all(&dir).unwrap();
    let o = check(&env, &dir, false);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("it has no upwiz.toml"),
        "{}",
        stderr(&o)
    );

    write(&dir, "upwiz.toml", b"[product]\nname = \"x\"\n[version\n");
    let o = check(&env, &dir, true);
    assert_eq!(code(&o), 2);
    assert!(
        stdout(&o).is_empty(),
        "no JSON object for an unreadable package"
    );
    assert!(stderr(&o).contains("upwiz.toml:3:"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a TOML file"), "{}", stderr(&o));

    // TOML, but not a manifest: that is a problem in the package, located.
    write(
        &dir,
        "upwiz.toml",
        b"[product]\nname = \"x\"\nvendr = \"typo\"\n",
    );
    let o = check(&env, &dir, false);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("upwiz.toml:3:1: unknown field `vendr`"),
        "{}",
        stdout(&o)
    );
}
