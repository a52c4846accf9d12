//! `[maintenance]` on SQLite, PostgreSQL and MariaDB: the application is locked out
//! exactly while the upgrade runs (a probe of the flag mid-upgrade reads on, after the
//! run off); a killed run leaves it on, `status --json` says so, and the resumed run
//! does not switch it on again and leaves it off; a failing step leaves it on, and a
//! later run with nothing to do switches off what an abandoned run left on.
//! Needs `--features fault-injection` (for the pause point between two steps).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

const HELD_AT: &str = "step:script_10.0_01_split_user_names";

/// The demo package with a maintenance flag in a table of its own; `extra` is added to
/// its manifest (a failing test, say).
fn package(env: &Env, extra: &str) -> PathBuf {
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        r#"
[maintenance]
on = { sql = "UPDATE app_flags SET value = 'on', times_on = times_on + 1 WHERE name = 'maintenance'" }
off = { sql = "UPDATE app_flags SET value = 'off' WHERE name = 'maintenance'" }
"#,
    );
    text.push_str(extra);
    std::fs::write(&manifest, text).unwrap();
    pkg
}

/// A demo database at 9.0 with the application's maintenance flag, off.
fn database(env: &Env, rdbms: Rdbms) -> Db {
    let db = Db::installed(env, rdbms, "9.0");
    db.execute("CREATE TABLE app_flags (name VARCHAR(40) PRIMARY KEY, value VARCHAR(10) NOT NULL, times_on INTEGER NOT NULL)");
    db.execute("INSERT INTO app_flags (name, value, times_on) VALUES ('maintenance', 'off', 0)");
    db
}

fn flag(db: &Db) -> String {
    db.scalar("SELECT value FROM app_flags WHERE name = 'maintenance'")
}

fn times_on(db: &Db) -> String {
    // CHAR pads on PostgreSQL.
    db.scalar("SELECT CAST(times_on AS CHAR(10)) FROM app_flags WHERE name = 'maintenance'")
        .trim()
        .to_string()
}

fn status(env: &Env, db: &Db, pkg: &Path) -> serde_json::Value {
    let out = run(env, db, pkg, &["status", "--json"]);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn held_run(env: &Env, db: &Db, pkg: &Path) -> (Child, PathBuf) {
    let pauses = env.path("pauses");
    std::fs::create_dir_all(&pauses).unwrap();
    let mut held = env
        .cmd()
        .args(db.args(pkg, &["run", "--yes"]))
        .env("UPWIZ_PAUSE_AT", HELD_AT)
        .env("UPWIZ_PAUSE_DIR", &pauses)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let paused = pauses.join(format!("{HELD_AT}.paused"));
    wait_until(&format!("no pause at {HELD_AT}"), 60, || {
        if let Some(status) = held.try_wait().unwrap() {
            panic!("the run ended before its pause point: {status}");
        }
        paused.exists()
    });
    (held, pauses)
}

fn on_exactly_while_the_upgrade_runs(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = package(&env, "");
    let db = database(&env, rdbms);

    let plan = run(&env, &db, &pkg, &["plan", "--json"]);
    assert_ok(&plan);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&plan)).unwrap();
    let keys: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys[1], "maintenance/on", "{keys:?}");
    assert_eq!(keys[2], "leg/9.0-10.1/backup", "{keys:?}");
    assert_eq!(*keys.last().unwrap(), "maintenance/off", "{keys:?}");
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "off");

    let (held, pauses) = held_run(&env, &db, &pkg);
    assert_eq!(
        flag(&db),
        "on",
        "the application is not locked out mid-upgrade"
    );
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "on");
    std::fs::write(pauses.join(format!("{HELD_AT}.resume")), b"").unwrap();
    assert_ok(&held.wait_with_output().unwrap());
    assert_eq!(db.version(), "11.0");
    assert_eq!(flag(&db), "off");
    assert_eq!(times_on(&db), "1");
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "off");
}

#[test]
fn sqlite_maintenance_is_on_exactly_while_the_upgrade_runs() {
    on_exactly_while_the_upgrade_runs(Rdbms::Sqlite);
}

#[test]
fn postgres_maintenance_is_on_exactly_while_the_upgrade_runs() {
    on_exactly_while_the_upgrade_runs(Rdbms::Postgres);
}

#[test]
fn mariadb_maintenance_is_on_exactly_while_the_upgrade_runs() {
    on_exactly_while_the_upgrade_runs(Rdbms::Mysql);
}

fn a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = package(&env, "");
    let db = database(&env, rdbms);
    let (mut held, _pauses) = held_run(&env, &db, &pkg);
    held.kill().unwrap();
    held.wait().unwrap();
    assert_eq!(flag(&db), "on");
    let s = status(&env, &db, &pkg);
    assert_eq!(s["maintenance"], "on", "{s}");
    let out = run(&env, &db, &pkg, &["status"]);
    assert!(stdout(&out).contains("Maintenance: on"), "{}", stdout(&out));

    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing"), "{}", stdout(&out));
    assert_eq!(db.version(), "11.0");
    assert_eq!(flag(&db), "off");
    assert_eq!(times_on(&db), "1", "the resumed run switched it on again");
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "off");
}

#[test]
fn sqlite_a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end() {
    a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end(Rdbms::Sqlite);
}

#[test]
fn postgres_a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end() {
    a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end(Rdbms::Postgres);
}

#[test]
fn mariadb_a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end() {
    a_crash_leaves_it_on_and_the_resumed_run_switches_it_off_at_the_end(Rdbms::Mysql);
}

fn a_failing_step_leaves_it_on(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = package(
        &env,
        "\n[[test]]\nname = \"the portal answers\"\nsql = \"SELECT missing_column FROM app_flags\"\n",
    );
    let db = database(&env, rdbms);
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Maintenance mode is still on"),
        "{}",
        stdout(&out)
    );
    assert_eq!(flag(&db), "on");
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "on");

    // The operator gives up on the run: the database is at the target, so the next run
    // has nothing to do but let the application back in.
    let out = run(
        &env,
        &db,
        &pkg,
        &[
            "repair",
            "--abandon-run",
            "--reason",
            "tests checked by hand",
            "--yes",
        ],
    );
    assert_ok(&out);
    let out = run(&env, &db, &pkg, &["run", "--yes", "--json"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("\"outcome\":\"nothing_to_do\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(flag(&db), "off");
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "off");
}

#[test]
fn sqlite_a_failing_step_leaves_it_on() {
    a_failing_step_leaves_it_on(Rdbms::Sqlite);
}

#[test]
fn postgres_a_failing_step_leaves_it_on() {
    a_failing_step_leaves_it_on(Rdbms::Postgres);
}

#[test]
fn mariadb_a_failing_step_leaves_it_on() {
    a_failing_step_leaves_it_on(Rdbms::Mysql);
}

/// The demo package with command switches that write to `switched.txt` in it.
fn command_package(env: &Env) -> PathBuf {
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[maintenance]\non = { command = [\"/bin/sh\", \"-c\", \"echo on >> switched.txt\"] }\noff = { command = [\"/bin/sh\", \"-c\", \"echo off >> switched.txt\"] }\n",
    );
    std::fs::write(&manifest, text).unwrap();
    pkg
}

/// A command switch runs without a shell, in the package directory, once each way.
#[test]
fn sqlite_a_command_switches_it() {
    let env = Env::new();
    let pkg = command_package(&env);
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    assert_ok(&run(&env, &db, &pkg, &["run", "--yes"]));
    assert_eq!(
        std::fs::read_to_string(pkg.join("switched.txt")).unwrap(),
        "on\noff\n"
    );
    assert_eq!(status(&env, &db, &pkg)["maintenance"], "off");
}

/// A switch without SQL for the database's RDBMS is refused before anything changes.
#[test]
fn sqlite_a_switch_without_sql_for_the_rdbms_is_refused_with_nothing_changed() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[maintenance]\non = { sql = { postgres = \"SELECT 1\" } }\noff = { sql = \"SELECT 1\" }\n",
    );
    std::fs::write(&manifest, text).unwrap();
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    let before = db.dump();
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("[maintenance] on in") && stderr(&out).contains("no SQL for"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.dump(), before);
    assert_eq!(db.version(), "9.0");
}

/// A rehearsal works on a scratch copy: it must not run a program that switches the
/// live application's maintenance mode.
#[test]
fn sqlite_a_rehearsal_runs_no_command_switch() {
    let env = Env::new();
    let pkg = command_package(&env);
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    let out = run(&env, &db, &pkg, &["rehearse", "--json"]);
    assert_ok(&out);
    assert!(
        !pkg.join("switched.txt").exists(),
        "the rehearsal switched the live application"
    );
    assert_eq!(db.version(), "9.0");
}
