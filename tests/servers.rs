//! The same scenarios on real PostgreSQL and MariaDB servers: the demo upgrade, its data
//! identical to SQLite's, the lock, a failing script and resume, and every connection
//! error an operator meets.

mod common;

use common::servers::{TempDb, ThrowawayPg};
use common::*;
use upwiz::rdbms::Rdbms;

fn server(env: &Env, db: &TempDb, args: &[&str]) -> std::process::Output {
    server_pkg(env, &demo_package(), db, args)
}

fn server_pkg(
    env: &Env,
    pkg: &std::path::Path,
    db: &TempDb,
    args: &[&str],
) -> std::process::Output {
    let url = db.url();
    let mut all = vec![
        "--package",
        pkg.to_str().unwrap(),
        "--rdbms",
        db.rdbms.key(),
        "--connect",
        url.as_str(),
    ];
    all.extend_from_slice(args);
    env.upwiz(&all)
}

fn installed(env: &Env, rdbms: Rdbms, version: &str) -> TempDb {
    let db = TempDb::new(rdbms);
    let out = server(env, &db, &["install", "--version", version]);
    assert_ok(&out);
    db
}

/// The product tables of a SQLite demo database after the same steps, read through the
/// same layer, for comparison.
fn sqlite_dump_via_engine(path: &std::path::Path) -> Vec<String> {
    use upwiz::db::{open, ConnectSpec, OpenMode};
    let mut d = open(
        &ConnectSpec::parse(Rdbms::Sqlite, &path.display().to_string(), None, None).unwrap(),
        OpenMode::Existing,
    )
    .unwrap();
    common::servers::dump_tables(
        d.as_mut(),
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
}

fn full_upgrade_matches_sqlite(rdbms: Rdbms) {
    let env = Env::new();
    let db = installed(&env, rdbms, "9.0");
    assert_eq!(db.scalar("SELECT version FROM lattice_version"), "9.0");
    let out = server(&env, &db, &["run", "--yes"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("Upgrade route: 9.0 -> 10.1 -> 11.0"),
        "{text}"
    );
    assert_eq!(db.scalar("SELECT version FROM lattice_version"), "11.0");
    let verified = if rdbms == Rdbms::Postgres {
        "pg_restore --list ok"
    } else {
        "completion trailer present"
    };
    assert_eq!(
        text.matches(verified).count(),
        2,
        "both backups verified:\n{text}"
    );
    let backups: Vec<_> = std::fs::read_dir(env.state_dir().join("backups"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 2);
    assert_eq!(
        db.scalar("SELECT first_name FROM users WHERE id = 2"),
        "Ada"
    );

    let lite = env.demo_db("lite.db", "9.0");
    assert_ok(&env.sqlite(&demo_package(), &lite, &["run", "--yes"]));
    let (ours, theirs) = (db.dump(), sqlite_dump_via_engine(&lite));
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a, b, "{rdbms} and SQLite differ after the same upgrade");
    }
    assert_eq!(ours.len(), theirs.len());

    let again = server(&env, &db, &["run", "--yes"]);
    assert_ok(&again);
    assert!(stdout(&again).contains("nothing to do"));
}

fn live_lock_exits_3_and_dead_lock_is_taken_over(rdbms: Rdbms) {
    let env = Env::new();
    let db = installed(&env, rdbms, "10.1");
    // Another run's session: it holds the server-side lock and wrote its owner record.
    let mut holder = db.open();
    let lock_sql: &str = match rdbms {
        Rdbms::Postgres => &format!(
            "SELECT pg_try_advisory_lock({})",
            upwiz::db::postgres::ADVISORY_KEY
        ),
        _ => "SELECT GET_LOCK(CONCAT('upwiz_', DATABASE()), 0)",
    };
    assert!(matches!(
        holder.query(lock_sql).unwrap().scalar().as_deref(),
        Some("t" | "1")
    ));
    holder
        .execute("INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, 'db-admin-host', 4242, 'alice', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'r1')")
        .unwrap();
    let out = server(&env, &db, &["run", "--yes"]);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("process 4242 of user alice on host db-admin-host"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.scalar("SELECT version FROM lattice_version"), "10.1");
    let s = server(&env, &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["lock"]["stale"], false);

    // Its connection closes (the run was killed): the lock is stale and is taken over.
    drop(holder);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let s = server(&env, &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["lock"]["stale"], true, "{s}");
    let out = server(&env, &db, &["run", "--yes"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Took over the lock"),
        "{}",
        stdout(&out)
    );
    assert_eq!(db.scalar("SELECT version FROM lattice_version"), "11.0");
}

fn failed_script_resumes_after_the_fix(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let db = installed(&env, rdbms, "9.0");
    let dir = pkg.join("10.0").join(rdbms.key());
    let script = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("02_"))
        .unwrap();
    let good = std::fs::read_to_string(&script).unwrap();
    std::fs::write(
        &script,
        format!("{good}\nINSERT INTO no_such_table VALUES (1);\n"),
    )
    .unwrap();
    let out = server_pkg(&env, &pkg, &db, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("no_such_table"), "{}", stderr(&out));
    std::fs::write(&script, good).unwrap();
    let out = server_pkg(&env, &pkg, &db, &["run", "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing where the last run left off"));
    assert_eq!(db.scalar("SELECT version FROM lattice_version"), "11.0");

    // The same data as a run that never failed.
    let clean = installed(&env, rdbms, "9.0");
    assert_ok(&server(&env, &clean, &["run", "--yes"]));
    assert!(
        db.dump() == clean.dump(),
        "a failed and resumed {rdbms} upgrade differs from a clean one"
    );
}

fn missing_database_is_one_clear_line(rdbms: Rdbms) {
    let env = Env::new();
    let db = TempDb::new(rdbms);
    let url = db.url().replace(&db.name, "upwiz_no_such_db");
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        rdbms.key(),
        "--connect",
        &url,
        "run",
        "--yes",
    ]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("database 'upwiz_no_such_db' does not exist"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

fn unreachable_server_is_one_clear_line(rdbms: Rdbms) {
    let env = Env::new();
    let url = match rdbms {
        Rdbms::Postgres => "postgres://postgres@127.0.0.1:1/x",
        _ => "mysql://root@127.0.0.1:1/x",
    };
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        rdbms.key(),
        "--connect",
        url,
        "status",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));
}

macro_rules! on_servers {
    ($($name:ident),*) => {
        mod postgres {
            use super::*;
            $( #[test] fn $name() { super::$name(Rdbms::Postgres) } )*
        }
        mod mariadb {
            use super::*;
            $( #[test] fn $name() { super::$name(Rdbms::Mysql) } )*
        }
    };
}

on_servers!(
    full_upgrade_matches_sqlite,
    live_lock_exits_3_and_dead_lock_is_taken_over,
    failed_script_resumes_after_the_fix,
    missing_database_is_one_clear_line,
    unreachable_server_is_one_clear_line
);

#[test]
fn mariadb_wrong_password_is_one_clear_line_without_the_password() {
    let env = Env::new();
    let db = TempDb::new(Rdbms::Mysql);
    let mut admin = db.open();
    admin.execute("DROP USER IF EXISTS 'upwiz_pw'@'%'").unwrap();
    admin
        .execute("CREATE USER 'upwiz_pw'@'%' IDENTIFIED BY 'right-secret'")
        .unwrap();
    admin
        .execute("DROP USER IF EXISTS 'upwiz_pw'@'localhost'")
        .unwrap();
    admin
        .execute("CREATE USER 'upwiz_pw'@'localhost' IDENTIFIED BY 'right-secret'")
        .unwrap();
    for host in ["%", "localhost"] {
        admin
            .execute(&format!(
                "GRANT ALL ON {}.* TO 'upwiz_pw'@'{host}'",
                db.name
            ))
            .unwrap();
    }
    let url = db.url().replace("root@", "upwiz_pw@");
    let out = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "mysql",
            "--connect",
            &url,
            "status",
        ])
        .env("UPWIZ_PASSWORD", "wrong-secret")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("authentication failed for user 'upwiz_pw'"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret") && !err.contains("right-secret"));
    let ok = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "mysql",
            "--connect",
            &url,
            "status",
        ])
        .env("UPWIZ_PASSWORD", "right-secret")
        .output()
        .unwrap();
    assert_ok(&ok);
    admin.execute("DROP USER 'upwiz_pw'@'%'").unwrap();
    admin.execute("DROP USER 'upwiz_pw'@'localhost'").unwrap();
}

#[test]
fn postgres_wrong_password_is_one_clear_line_without_the_password() {
    let env = Env::new();
    let server = ThrowawayPg::start(Some("right-secret"));
    let url = server.url.clone();
    let status = |password: &str| {
        env.cmd()
            .args([
                "--package",
                demo_package().to_str().unwrap(),
                "--rdbms",
                "postgres",
                "--connect",
                &url,
                "status",
            ])
            .env("UPWIZ_PASSWORD", password)
            .output()
            .unwrap()
    };
    let out = status("wrong-secret");
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("authentication failed for user 'postgres'"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret") && !err.contains("right-secret"));
    let out = status("right-secret");
    assert_ok(&out);
    assert!(stdout(&out).contains("not installed"));
    // Headless with no password anywhere: the refusal says that none was given.
    for args in [&["status"][..], &["run", "--yes"][..]] {
        let out = env
            .cmd()
            .args(["--package", demo_package().to_str().unwrap()])
            .args(["--rdbms", "postgres", "--connect", &url])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(
            stderr(&out).contains("no password was given"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// A missing vendor backup utility is a clear error before anything changes.
fn missing_backup_tool_changes_nothing(rdbms: Rdbms) {
    let env = Env::new();
    let db = installed(&env, rdbms, "9.0");
    let before = db.dump();
    let runs_before = db.scalar("SELECT COUNT(*) FROM upwiz_runs");
    let var = if rdbms == Rdbms::Postgres {
        "UPWIZ_PG_DUMP"
    } else {
        "UPWIZ_MYSQLDUMP"
    };
    let url = db.url();
    let out = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            &url,
            "run",
            "--yes",
        ])
        .env(var, "/nonexistent/dump-tool")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/nonexistent/dump-tool, which does not exist"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.dump(), before);
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM upwiz_runs"),
        runs_before,
        "no run was started"
    );
}

#[test]
fn postgres_missing_backup_tool_changes_nothing() {
    missing_backup_tool_changes_nothing(Rdbms::Postgres);
}

#[test]
fn mariadb_missing_backup_tool_changes_nothing() {
    missing_backup_tool_changes_nothing(Rdbms::Mysql);
}
