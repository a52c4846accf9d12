//! Scripts as vendors ship them, through the binary on SQLite: wrapped in their own
//! BEGIN/COMMIT (run, and resumed after a crash), or holding what must never run (NUL
//! bytes, links out of the package, FIFOs).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;

const MANIFEST: &str = r#"
[product]
name = "Wrapped"

[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{version}}"

[[baseline]]
version = "1.0"
sqlite = "baseline.sql"

[[release]]
version = "1.0"

[[release]]
version = "1.1"

[[release.script]]
name = "01_wrapped"
sqlite = "1.1/change.sql"
"#;

/// A baseline as a vendor's dump writes it: in a transaction of its own.
const BASELINE: &str = "BEGIN TRANSACTION;
CREATE TABLE app_version (version TEXT NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT);
INSERT INTO settings VALUES ('x', '1'), ('y', '2');
COMMIT;
";

const WRAPPED: &str = "-- Shipped by the vendor as is.
BEGIN;
ALTER TABLE settings ADD COLUMN note TEXT;
UPDATE settings SET note = 'migrated';
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);

INSERT INTO audit (what) VALUES ('1.1');
COMMIT;
";

/// A package in the test's sandbox whose 1.1 script is `change`.
fn package(env: &Env, change: &[u8]) -> PathBuf {
    let dir = env.path("pkg");
    std::fs::create_dir_all(dir.join("1.1")).unwrap();
    std::fs::write(dir.join("upwiz.toml"), MANIFEST).unwrap();
    std::fs::write(dir.join("baseline.sql"), BASELINE).unwrap();
    std::fs::write(dir.join("1.1/change.sql"), change).unwrap();
    dir
}

fn installed(env: &Env, pkg: &Path, name: &str) -> PathBuf {
    let db = env.path(name);
    assert_ok(&env.sqlite(pkg, &db, &["install", "--version", "1.0"]));
    db
}

fn app_version(db: &Path) -> String {
    query_one(db, "SELECT version FROM app_version")
}

#[test]
fn a_baseline_with_its_own_commit_installs() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");
    assert_eq!(app_version(&db), "1.0");
    assert_eq!(query_one::<i64>(&db, "SELECT count(*) FROM settings"), 2);
}

#[test]
fn a_script_wrapped_in_begin_commit_runs_and_a_rerun_changes_nothing() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");

    let plan = env.sqlite(&pkg, &db, &["plan", "--sql"]);
    assert_ok(&plan);
    let text = stdout(&plan);
    assert!(
        text.contains("-- line 2: BEGIN (taken over by upwiz")
            && text.contains("-- line 8: COMMIT (taken over by upwiz"),
        "{text}"
    );
    // The statements sent keep the lines they have in the file.
    assert!(text.contains("-- line 3\n       ALTER TABLE settings ADD COLUMN note TEXT"));
    assert!(
        text.contains("-- line 7\n       INSERT INTO audit"),
        "{text}"
    );

    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes"]));
    assert_eq!(app_version(&db), "1.1");
    assert_eq!(
        query_one::<i64>(&db, "SELECT count(*) FROM settings WHERE note = 'migrated'"),
        2
    );
    let after = dump(&db);

    let again = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_ok(&again);
    assert!(
        stdout(&again).contains("nothing to do"),
        "{}",
        stdout(&again)
    );
    assert_eq!(dump(&db), after);
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_wrapped_script_killed_at_every_journal_write_resumes_to_the_same_database() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let template = installed(&env, &pkg, "template.db");
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
        assert!(crashed.status.code().is_none(), "{}", stderr(&crashed));
        tried += 1;
        assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes"]));
        assert_eq!(dump(&db), expected, "crash point {n}");
        assert_eq!(app_version(&db), "1.1");
    }
    assert!(tried >= 5, "only {tried} crash points");
}

fn refused(out: &Output, fragment: &str) {
    assert_eq!(
        code(out),
        2,
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    assert!(stderr(out).contains(fragment), "{}", stderr(out));
}

#[test]
fn a_nul_byte_is_refused_with_its_line_and_column_and_nothing_runs() {
    let env = Env::new();
    let pkg = package(
        &env,
        b"UPDATE settings SET value = '3';\nDELETE FROM settings\0 WHERE name = 'x';\n",
    );
    let db = installed(&env, &pkg, "app.db");
    let before = file_bytes(&db);
    for args in [&["plan"][..], &["plan", "--sql"], &["run", "--yes"]] {
        let out = env.sqlite(&pkg, &db, args);
        refused(&out, "change.sql, line 2, column 21: a NUL byte");
        assert_eq!(file_bytes(&db), before, "{args:?} changed the database");
    }
    assert_eq!(query_one::<i64>(&db, "SELECT count(*) FROM settings"), 2);
}

#[test]
fn a_bom_is_accepted_and_bad_utf8_refused_with_its_line() {
    let env = Env::new();
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(WRAPPED.as_bytes());
    let pkg = package(&env, &bom);
    let db = installed(&env, &pkg, "app.db");
    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes"]));
    assert_eq!(app_version(&db), "1.1");

    let env = Env::new();
    let pkg = package(&env, b"SELECT 1;\nSELECT '\xe9';\n");
    let db = installed(&env, &pkg, "app.db");
    refused(
        &env.sqlite(&pkg, &db, &["plan"]),
        "is not UTF-8 text (invalid byte at line 2)",
    );
}

#[test]
fn a_rollback_in_a_script_is_refused_at_plan_with_its_line() {
    let env = Env::new();
    let pkg = package(
        &env,
        b"BEGIN;\nUPDATE settings SET value = '3';\nROLLBACK;\n",
    );
    let db = installed(&env, &pkg, "app.db");
    let before = file_bytes(&db);
    refused(
        &env.sqlite(&pkg, &db, &["plan"]),
        "change.sql, line 3: 'ROLLBACK' would undo upwiz's transaction",
    );
    refused(&env.sqlite(&pkg, &db, &["run", "--yes"]), "line 3");
    assert_eq!(file_bytes(&db), before);
}

#[test]
fn a_non_transactional_script_with_its_own_commit_is_refused_at_load() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");
    let manifest = MANIFEST.replace(
        "sqlite = \"1.1/change.sql\"",
        "sqlite = \"1.1/change.sql\"\ntransactional = false",
    );
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();
    refused(
        &env.sqlite(&pkg, &db, &["status"]),
        "change.sql, line 2: 'BEGIN' is transaction control in a script marked transactional = false",
    );
}

#[test]
fn a_symlink_out_of_the_package_is_refused_and_its_target_never_printed() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");
    let script = pkg.join("1.1/change.sql");
    std::fs::remove_file(&script).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", &script).unwrap();
    let out = env.sqlite(&pkg, &db, &["plan", "--sql"]);
    refused(
        &out,
        "is a symbolic link to a file outside the package directory",
    );
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let first = passwd.lines().next().unwrap();
    assert!(!stdout(&out).contains(first) && !stderr(&out).contains(first));
    assert!(!env.log().contains(first));
}

#[test]
fn a_symlink_to_a_file_inside_the_package_is_fine() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");
    let script = pkg.join("1.1/change.sql");
    std::fs::rename(&script, pkg.join("shared.sql")).unwrap();
    std::os::unix::fs::symlink("../shared.sql", &script).unwrap();
    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes"]));
    assert_eq!(app_version(&db), "1.1");
}

#[test]
fn a_fifo_is_refused_as_not_a_regular_file_without_waiting_for_a_writer() {
    let env = Env::new();
    let pkg = package(&env, WRAPPED.as_bytes());
    let db = installed(&env, &pkg, "app.db");
    let script = pkg.join("1.1/change.sql");
    std::fs::remove_file(&script).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&script)
        .status()
        .unwrap();
    assert!(made.success());
    let mut child = env
        .cmd()
        .args(["--package", pkg.to_str().unwrap(), "--rdbms", "sqlite"])
        .args(["--connect", db.to_str().unwrap(), "plan", "--sql"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A loader that opened the FIFO would block forever: give up on it after a while.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("upwiz plan blocked on a FIFO script");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    refused(&out, "is not a regular file");
    assert!(!stderr(&out).contains("does not exist"));
}
