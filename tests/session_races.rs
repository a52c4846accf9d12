//! The engine session's seams, on SQLite, PostgreSQL and MariaDB: a run plans only
//! under its own lock, and an unfinished run is continued only on the database it left.
//! Needs `--features fault-injection` (for the pause point before the lock).

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

fn wait_for(path: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the paused run ended before its pause point: {status}");
        }
        assert!(Instant::now() < deadline, "no pause at {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Run A connects and looks (9.0 -> 11.0), then is held just before its lock; run B
/// completes the whole upgrade; A, let go, must plan afresh under the lock and find
/// nothing to do: no backup, no violation report, no script of its old plan.
fn held_before_the_lock_runs_nothing_of_its_old_plan(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let pauses = env.path("pauses");
    std::fs::create_dir_all(&pauses).unwrap();
    let backups = env.path("backups-a");
    let args = db.args(
        &demo_package(),
        &["--backup-dir", backups.to_str().unwrap(), "run", "--yes"],
    );
    let mut a = env
        .cmd()
        .args(&args)
        .env("UPWIZ_PAUSE_AT", "before-lock")
        .env("UPWIZ_PAUSE_DIR", &pauses)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&pauses.join("before-lock.paused"), &mut a);

    assert_ok(&run(&env, &db, &demo_package(), &["run", "--yes"]));
    assert_eq!(db.version(), "11.0");
    let upgraded = db.dump();

    std::fs::write(pauses.join("before-lock.resume"), b"").unwrap();
    let out = a.wait_with_output().unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("there is nothing to do"), "{text}");
    assert!(!text.contains("Step "), "ran steps of its old plan: {text}");
    assert!(
        std::fs::read_dir(&backups).map_or(true, |mut d| d.next().is_none()),
        "the held run made a backup"
    );
    assert_eq!(db.version(), "11.0");
    assert_eq!(db.dump(), upgraded, "the held run changed the database");
}

#[test]
fn sqlite_held_before_the_lock_runs_nothing_of_its_old_plan() {
    held_before_the_lock_runs_nothing_of_its_old_plan(Rdbms::Sqlite);
}

#[test]
fn postgres_held_before_the_lock_runs_nothing_of_its_old_plan() {
    held_before_the_lock_runs_nothing_of_its_old_plan(Rdbms::Postgres);
}

#[test]
fn mariadb_held_before_the_lock_runs_nothing_of_its_old_plan() {
    held_before_the_lock_runs_nothing_of_its_old_plan(Rdbms::Mysql);
}

/// A run fails after recording 9.1; someone then moves the database to 10.0 by other
/// means. Continuing would run 10.0's scripts on a database that already has them:
/// the rerun stops with exit 2, naming both versions, and changes nothing.
fn resume_on_a_database_moved_outside_is_refused(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let db = Db::installed(&env, rdbms, "9.0");
    let dir = pkg.join("10.0").join(rdbms.key());
    let script = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("01_"))
        .unwrap();
    let good = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, format!("SELECT * FROM no_such_table;\n{good}")).unwrap();
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(db.version(), "9.1");
    std::fs::write(&script, good).unwrap();

    db.execute("UPDATE lattice_version SET version = '10.0'");
    let before = db.dump();
    for args in [&["plan"][..], &["run", "--yes"][..]] {
        let out = run(&env, &db, &pkg, args);
        assert_eq!(
            code(&out),
            2,
            "{args:?}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(
            err.contains("last recorded version 9.1") && err.contains("now at 10.0"),
            "{err}"
        );
    }
    assert_eq!(db.dump(), before);
}

#[test]
fn sqlite_resume_on_a_database_moved_outside_is_refused() {
    resume_on_a_database_moved_outside_is_refused(Rdbms::Sqlite);
}

#[test]
fn postgres_resume_on_a_database_moved_outside_is_refused() {
    resume_on_a_database_moved_outside_is_refused(Rdbms::Postgres);
}

#[test]
fn mariadb_resume_on_a_database_moved_outside_is_refused() {
    resume_on_a_database_moved_outside_is_refused(Rdbms::Mysql);
}

#[test]
fn a_version_query_giving_two_rows_is_refused_not_read_as_the_first() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("INSERT INTO lattice_version VALUES ('11.0')", [])
        .unwrap();
    let before = file_bytes(&db);
    for args in [&["run", "--yes"][..], &["plan"][..]] {
        let out = env.sqlite(&demo_package(), &db, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("returned 2 rows; it must return exactly one"),
            "{err}"
        );
    }
    assert_eq!(file_bytes(&db), before);
}
