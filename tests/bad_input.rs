//! Bad input gets one clear line on stderr, exit 2, and the database is left untouched.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Runs `args` against a fresh 9.0 demo database and checks the bad-input contract.
fn rejects(env: &Env, db: &Path, args: &[&str], expect_in_message: &str) -> String {
    let before = file_bytes(db);
    let out = env.upwiz(args);
    let err = stderr(&out);
    assert_eq!(
        code(&out),
        2,
        "args {args:?}\nstdout: {}\nstderr: {err}",
        stdout(&out)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr, got:\n{err}"
    );
    assert!(err.starts_with("upwiz: "), "{err}");
    assert!(
        err.contains(expect_in_message),
        "expected '{expect_in_message}' in: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(file_bytes(db), before, "the database changed for {args:?}");
    err
}

fn setup() -> (Env, PathBuf, PathBuf) {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    (env, db, pkg)
}

fn args<'a>(pkg: &'a Path, db: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "--package",
        pkg.to_str().unwrap(),
        "--rdbms",
        "sqlite",
        "--connect",
        db.to_str().unwrap(),
    ];
    v.extend_from_slice(rest);
    v
}

#[test]
fn an_unknown_rdbms_is_rejected() {
    let (env, db, pkg) = setup();
    let mut a = args(&pkg, &db, &["run", "--yes"]);
    a[3] = "oracle";
    rejects(&env, &db, &a, "unknown RDBMS 'oracle'");
}

#[test]
fn an_unknown_option_is_rejected() {
    let (env, db, pkg) = setup();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes", "--fast"]),
        "--fast",
    );
}

#[test]
fn a_password_flag_does_not_exist() {
    let (env, db, pkg) = setup();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes", "--password", "x"]),
        "--password",
    );
}

#[test]
fn a_missing_package_is_rejected() {
    let (env, db, _) = setup();
    let missing = env.path("nowhere");
    rejects(
        &env,
        &db,
        &args(&missing, &db, &["run", "--yes"]),
        "does not exist",
    );
}

#[test]
fn a_directory_without_a_manifest_is_rejected() {
    let (env, db, _) = setup();
    let empty = env.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    rejects(
        &env,
        &db,
        &args(&empty, &db, &["run", "--yes"]),
        "has no upwiz.toml",
    );
}

#[test]
fn a_bad_manifest_names_file_line_and_column() {
    let (env, db, pkg) = setup();
    let manifest = pkg.join("upwiz.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen("required_stops", "required_stop", 1),
    )
    .unwrap();
    let err = rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes"]),
        "required_stop",
    );
    assert!(err.contains("upwiz.toml:"), "{err}");
}

#[test]
fn a_required_stop_that_is_no_release_is_rejected() {
    let (env, db, pkg) = setup();
    let manifest = pkg.join("upwiz.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replacen(
            "required_stops = [\"10.1\"]",
            "required_stops = [\"10.5\"]",
            1,
        ),
    )
    .unwrap();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes"]),
        "required stop 10.5 is not one of the releases",
    );
}

#[test]
fn a_missing_script_is_rejected_before_anything_runs() {
    let (env, db, pkg) = setup();
    std::fs::remove_file(pkg.join("11.0/sqlite/02_application_slugs.sql")).unwrap();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes"]),
        "02_application_slugs.sql' does not exist",
    );
}

#[test]
fn an_unreadable_script_is_rejected_before_anything_runs() {
    let (env, db, pkg) = setup();
    let script = pkg.join("11.0/sqlite/02_application_slugs.sql");
    std::fs::write(&script, b"UPDATE applications SET name = '\xff\xfe';\n").unwrap();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes"]),
        "is not UTF-8",
    );
}

#[test]
fn a_missing_database_file_is_rejected() {
    let (env, db, pkg) = setup();
    let missing = env.path("missing.db");
    rejects(
        &env,
        &db,
        &args(&pkg, &missing, &["run", "--yes"]),
        "does not exist",
    );
    assert!(!missing.exists(), "a missing database is not created");
}

#[test]
fn a_file_that_is_not_sqlite_is_rejected() {
    let (env, db, pkg) = setup();
    let text = env.path("notes.txt");
    std::fs::write(
        &text,
        "just some notes, certainly not a database file at all\n".repeat(20),
    )
    .unwrap();
    rejects(
        &env,
        &db,
        &args(&pkg, &text, &["status"]),
        "is not a SQLite database",
    );
}

#[test]
fn a_database_locked_by_another_program_is_explained() {
    let (env, db, pkg) = setup();
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = env.upwiz(&args(&pkg, &db, &["status"]));
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is locked by another program"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_server_url_given_for_sqlite_is_rejected() {
    let (env, db, pkg) = setup();
    let mut a = args(&pkg, &db, &["status"]);
    a[5] = "postgres://app@db.example.com/repo";
    rejects(&env, &db, &a, "looks like a server URL");
}

#[test]
fn a_password_in_the_connect_string_is_refused_and_not_echoed() {
    let (env, db, pkg) = setup();
    let mut a = args(&pkg, &db, &["status"]);
    a[3] = "postgres";
    a[5] = "postgres://app:hunter2@127.0.0.1/repo";
    let err = rejects(&env, &db, &a, "contains a password");
    assert!(!err.contains("hunter2"));
}

#[test]
fn an_unknown_target_is_rejected() {
    let (env, db, pkg) = setup();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes", "--target", "12.0"]),
        "target 12.0 is not a release",
    );
}

#[test]
fn a_downgrade_is_explained() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "10.1");
    let pkg = demo_package();
    rejects(
        &env,
        &db,
        &args(&pkg, &db, &["run", "--yes", "--target", "9.1"]),
        "does not downgrade",
    );
}

#[test]
fn run_without_yes_is_refused() {
    let (env, db, pkg) = setup();
    rejects(&env, &db, &args(&pkg, &db, &["run"]), "--yes");
}

#[test]
fn a_database_without_the_product_is_explained() {
    let (env, _, pkg) = setup();
    let other = env.path("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    rejects(
        &env,
        &other,
        &args(&pkg, &other, &["run", "--yes"]),
        "no Lattice Application Platform installation found",
    );
}

#[test]
fn install_refuses_an_installed_database() {
    let (env, db, pkg) = setup();
    rejects(&env, &db, &args(&pkg, &db, &["install"]), "already holds");
}

#[test]
fn a_bad_config_file_names_its_line() {
    let (env, db, pkg) = setup();
    let cfg = env.path("bad.toml");
    std::fs::write(&cfg, "rdbms = \"sqlite\"\nkeyring = maybe\n").unwrap();
    let mut a = vec!["--config", cfg.to_str().unwrap()];
    a.extend(args(&pkg, &db, &["status"]));
    rejects(&env, &db, &a, "bad.toml:2:");
}

#[test]
fn a_missing_config_file_is_rejected() {
    let (env, db, pkg) = setup();
    let mut a = vec!["--config", "/nonexistent/upwiz.toml"];
    a.extend(args(&pkg, &db, &["status"]));
    rejects(
        &env,
        &db,
        &a,
        "config file /nonexistent/upwiz.toml does not exist",
    );
}

#[test]
fn an_empty_password_file_is_rejected() {
    let (env, db, pkg) = setup();
    let pw = env.path("pw");
    std::fs::write(&pw, "").unwrap();
    let mut a = args(
        &pkg,
        &db,
        &[
            "status",
            "--user",
            "app",
            "--password-file",
            pw.to_str().unwrap(),
        ],
    );
    a[3] = "postgres";
    a[5] = "postgres://127.0.0.1/x";
    rejects(&env, &db, &a, "is empty");
}
