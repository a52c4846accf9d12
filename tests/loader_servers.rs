//! Scripts wrapped in their own BEGIN/COMMIT on PostgreSQL and MariaDB: installed from a
//! baseline that commits by itself, upgraded, and after a crash at any journal write
//! resumed to the database an uninterrupted run makes. Crashes need
//! `--features fault-injection`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

const MANIFEST: &str = r#"
[product]
name = "Wrapped"

[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{version}}"

[[baseline]]
version = "1.0"
postgres = "baseline.sql"
mysql = "baseline.sql"

[[release]]
version = "1.0"

[[release]]
version = "1.1"

[[release.script]]
name = "01_wrapped"
postgres = "1.1/change.sql"
mysql = "1.1/change.sql"
"#;

fn scripts(rdbms: Rdbms) -> (&'static str, &'static str) {
    match rdbms {
        Rdbms::Postgres => (
            "BEGIN;
CREATE TABLE app_version (version varchar(20) NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE settings (name varchar(40) PRIMARY KEY, value varchar(40));
INSERT INTO settings VALUES ('x', '1'), ('y', '2');
COMMIT;
",
            "BEGIN;
ALTER TABLE settings ADD COLUMN note varchar(40);
UPDATE settings SET note = 'migrated';
CREATE TABLE audit (id int PRIMARY KEY, what varchar(40));
DO $$ BEGIN INSERT INTO audit VALUES (1, '1.1'); END $$;
COMMIT;
",
        ),
        _ => (
            "START TRANSACTION;
CREATE TABLE app_version (version varchar(20) NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE settings (name varchar(40) PRIMARY KEY, value varchar(40));
INSERT INTO settings VALUES ('x', '1'), ('y', '2');
COMMIT;
",
            "SET autocommit = 0;
START TRANSACTION;
ALTER TABLE settings ADD COLUMN note varchar(40);
UPDATE settings SET note = 'migrated';
INSERT INTO settings (name, value) VALUES ('z', '3');
CREATE TABLE audit (id int PRIMARY KEY, what varchar(40));
INSERT INTO audit VALUES (1, '1.1');
COMMIT;
SET autocommit = 1;
",
        ),
    }
}

fn package(env: &Env, rdbms: Rdbms) -> PathBuf {
    let dir = env.path("pkg");
    std::fs::create_dir_all(dir.join("1.1")).unwrap();
    let (baseline, change) = scripts(rdbms);
    std::fs::write(dir.join("upwiz.toml"), MANIFEST).unwrap();
    std::fs::write(dir.join("baseline.sql"), baseline).unwrap();
    std::fs::write(dir.join("1.1/change.sql"), change).unwrap();
    dir
}

fn upwiz_on(env: &Env, pkg: &Path, db: &TempDb, fault_at: Option<usize>, args: &[&str]) -> Output {
    let mut c = env.cmd();
    c.args([
        "--package",
        pkg.to_str().unwrap(),
        "--rdbms",
        db.rdbms.key(),
    ])
    .args(["--connect", &db.url()])
    .args(args);
    if let Some(n) = fault_at {
        c.env("UPWIZ_FAULT_AT", n.to_string());
    }
    c.output().unwrap()
}

fn installed(env: &Env, pkg: &Path, rdbms: Rdbms) -> TempDb {
    let db = TempDb::new(rdbms);
    assert_ok(&upwiz_on(
        env,
        pkg,
        &db,
        None,
        &["install", "--version", "1.0"],
    ));
    assert_eq!(db.scalar("SELECT version FROM app_version"), "1.0");
    db
}

fn wrapped_script_runs_and_reruns(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = package(&env, rdbms);
    let db = installed(&env, &pkg, rdbms);
    let plan = upwiz_on(&env, &pkg, &db, None, &["plan", "--sql"]);
    assert_ok(&plan);
    assert!(
        stdout(&plan).contains("COMMIT (taken over by upwiz"),
        "{}",
        stdout(&plan)
    );
    assert_ok(&upwiz_on(&env, &pkg, &db, None, &["run", "--yes"]));
    assert_eq!(db.scalar("SELECT version FROM app_version"), "1.1");
    assert_eq!(db.scalar("SELECT what FROM audit"), "1.1");
    let after = db.dump();
    let again = upwiz_on(&env, &pkg, &db, None, &["run", "--yes"]);
    assert_ok(&again);
    assert!(stdout(&again).contains("nothing to do"));
    assert_eq!(db.dump(), after);
}

#[test]
fn postgres_wrapped_scripts_install_run_and_rerun() {
    wrapped_script_runs_and_reruns(Rdbms::Postgres);
}

#[test]
fn mariadb_wrapped_scripts_install_run_and_rerun() {
    wrapped_script_runs_and_reruns(Rdbms::Mysql);
}

#[cfg(feature = "fault-injection")]
fn crash_matrix(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = package(&env, rdbms);
    let reference = installed(&env, &pkg, rdbms);
    assert_ok(&upwiz_on(&env, &pkg, &reference, None, &["run", "--yes"]));
    let expected = reference.dump();
    drop(reference);

    let mut tried = 0;
    for n in 1.. {
        let db = installed(&env, &pkg, rdbms);
        let crashed = upwiz_on(&env, &pkg, &db, Some(n), &["run", "--yes"]);
        if crashed.status.success() {
            break;
        }
        assert!(
            crashed.status.code().is_none(),
            "{rdbms} crash point {n}: expected an abort: {}",
            stderr(&crashed)
        );
        tried += 1;
        let resumed = upwiz_on(&env, &pkg, &db, None, &["run", "--yes"]);
        assert_ok(&resumed);
        assert_eq!(db.dump(), expected, "{rdbms} crash point {n}");
    }
    assert!(tried >= 5, "only {tried} crash points on {rdbms}");
}

#[cfg(feature = "fault-injection")]
#[test]
fn postgres_wrapped_script_crashed_at_every_journal_write_resumes_to_the_same_state() {
    crash_matrix(Rdbms::Postgres);
}

#[cfg(feature = "fault-injection")]
#[test]
fn mariadb_wrapped_script_crashed_at_every_journal_write_resumes_to_the_same_state() {
    crash_matrix(Rdbms::Mysql);
}
