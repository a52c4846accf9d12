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

/// A script run statement by statement fails half-way; the vendor then ships it with
/// a statement inserted at its top. Resuming by statement index would skip that new
/// statement without a word: the run stops with exit 2, naming the script.
fn an_edited_half_applied_script_stops_the_run(rdbms: Rdbms) {
    use common::mini::{self, Mini};
    let env = Env::new();
    let original = "CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\nINSERT INTO missing VALUES (1);\nCREATE TABLE c (id INTEGER);\n";
    let write = |script: &str| {
        mini::write(
            &env.path("pkg"),
            &Mini {
                baseline: "CREATE TABLE t (id INTEGER);",
                script,
                transactional: false,
                items: None,
                only: Some(rdbms),
            },
        )
    };
    let pkg = write(original);
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "1.0");
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));

    write("CREATE TABLE z (id INTEGER);\nCREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\nCREATE TABLE c (id INTEGER);\n");
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
            err.contains(
                "change.sql: statement 1 (line 1) ran, or was running, in the unfinished upgrade"
            ),
            "{err}"
        );
    }
    assert_eq!(db.dump(), before);
}

#[test]
fn postgres_an_edited_half_applied_script_stops_the_run() {
    an_edited_half_applied_script_stops_the_run(Rdbms::Postgres);
}

#[test]
fn mariadb_an_edited_half_applied_script_stops_the_run() {
    an_edited_half_applied_script_stops_the_run(Rdbms::Mysql);
}

#[test]
fn sqlite_an_edited_half_applied_script_stops_the_run() {
    an_edited_half_applied_script_stops_the_run(Rdbms::Sqlite);
}

/// After a dropped SSH session the operator asks what is going on: `status --follow`
/// follows the upgrade another process runs to its end, and exits as it ended.
#[test]
fn status_follow_follows_a_running_upgrade_to_its_end() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let args = |rest: &[&str]| {
        let mut a = vec![
            "--package".to_string(),
            demo_package().display().to_string(),
            "--rdbms".into(),
            "sqlite".into(),
            "--connect".into(),
            db.display().to_string(),
        ];
        a.extend(rest.iter().map(|s| s.to_string()));
        a
    };
    let mut runner = env
        .cmd()
        .args(args(&["run", "--yes"]))
        .env("UPWIZ_SLOW_MS", "60")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Observable: the lock is held by the running upgrade.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = env
            .cmd()
            .args(args(&["status", "--json"]))
            .output()
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(stdout(&out).trim()).unwrap_or(serde_json::Value::Null);
        if v["lock"].is_object() {
            break;
        }
        assert!(
            runner.try_wait().unwrap().is_none(),
            "the run ended too soon"
        );
        assert!(Instant::now() < deadline, "the run never took the lock");
    }
    let out = env
        .cmd()
        .args(args(&["status", "--follow"]))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert!(text.contains("Following the upgrade running now"), "{text}");
    assert!(text.contains("steps done]"), "{text}");
    assert!(text.contains("The upgrade completed."), "{text}");
    assert!(text.contains("Version:   11.0"), "{text}");
    assert!(runner.wait().unwrap().success());
    assert_eq!(version(&db), "11.0");
}

/// Runs started at once on a database without a journal yet: exactly one upgrades, the
/// others exit 3. The journal's tables are created under the server's session lock, so
/// no run fails on two sessions' CREATE TABLE (PostgreSQL's duplicate pg_type key).
fn runs_at_once_on_a_new_journal(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    db.execute("DROP TABLE upwiz_runs, upwiz_journal, upwiz_items, upwiz_lock");
    let args = db.args(&demo_package(), &["run", "--yes"]);
    let children: Vec<_> = (0..6)
        .map(|_| {
            env.cmd()
                .args(&args)
                .env("UPWIZ_SLOW_MS", "25")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outputs.iter().map(code).collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 3).count(), 5, "{codes:?}");
    for o in outputs.iter().filter(|o| code(o) == 3) {
        assert!(
            stderr(o).contains("another upgrade of this database is running"),
            "{}",
            stderr(o)
        );
    }
    assert_eq!(db.version(), "11.0");
}

#[test]
fn postgres_runs_at_once_on_a_new_journal() {
    runs_at_once_on_a_new_journal(Rdbms::Postgres);
}

#[test]
fn mariadb_runs_at_once_on_a_new_journal() {
    runs_at_once_on_a_new_journal(Rdbms::Mysql);
}
