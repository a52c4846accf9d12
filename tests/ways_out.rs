//! The ways out of a stuck or unwanted upgrade: restore a backup, repair the journal,
//! clear the lock. On SQLite, PostgreSQL and MariaDB, through the real binary.

mod common;

use std::path::Path;

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

fn restore_round_trip(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let before = db.dump();
    assert_ok(&run(&env, &db, &demo_package(), &["run", "--yes"]));
    assert_eq!(db.version(), "11.0");
    assert_ne!(db.dump(), before, "the upgrade changed the database");

    // Without --yes: what would be replaced is said, and nothing changes.
    let dry = run(&env, &db, &demo_package(), &["restore"]);
    assert_eq!(code(&dry), 2, "{}{}", stdout(&dry), stderr(&dry));
    let said = stdout(&dry);
    assert!(said.contains("version 9.0"), "{said}");
    assert!(said.contains("(version 11.0)"), "{said}");
    assert!(said.contains("replaced"), "{said}");
    assert_eq!(db.version(), "11.0");

    let out = run(
        &env,
        &db,
        &demo_package(),
        &[
            "restore",
            "--yes",
            "--reason",
            "roll back for the change ticket",
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("now reads as version 9.0"),
        "{}",
        stdout(&out)
    );
    assert_eq!(db.dump(), before, "exactly the pre-upgrade schema and rows");
    assert_eq!(db.version(), "9.0");
    assert_eq!(
        db.scalar("SELECT COUNT(*) FROM upwiz_lock"),
        count(rdbms, 0)
    );
    assert_eq!(
        db.scalar("SELECT reason FROM upwiz_repairs WHERE action = 'restore'"),
        "roll back for the change ticket"
    );

    // The restored journal's run (the one that took the backup) is closed, so the next
    // run plans afresh from 9.0 and upgrades again.
    let status = run(&env, &db, &demo_package(), &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&status).trim()).unwrap();
    assert_eq!(s["state"], "pending", "{s}");
    assert_ok(&run(&env, &db, &demo_package(), &["run", "--yes"]));
    assert_eq!(db.version(), "11.0");
}

/// How a server prints a count next to how SQLite's test helper does.
fn count(rdbms: Rdbms, n: i64) -> String {
    match rdbms {
        Rdbms::Sqlite => format!("Integer({n})"),
        _ => n.to_string(),
    }
}

#[test]
fn sqlite_upgrade_then_restore_gives_the_pre_upgrade_database() {
    restore_round_trip(Rdbms::Sqlite);
}

#[test]
fn postgres_upgrade_then_restore_gives_the_pre_upgrade_database() {
    restore_round_trip(Rdbms::Postgres);
}

#[test]
fn mariadb_upgrade_then_restore_gives_the_pre_upgrade_database() {
    restore_round_trip(Rdbms::Mysql);
}

#[test]
fn restore_into_another_database_leaves_the_upgraded_one_alone() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let before = dump(&db);
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes"]));
    let upgraded = dump(&db);
    let copy = env.path("inspect.db");
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["restore", "--into", copy.to_str().unwrap(), "--yes"],
    );
    assert_ok(&out);
    assert_eq!(dump(&copy), before);
    assert_eq!(dump(&db), upgraded, "the source database is not touched");
    assert_eq!(version(&db), "11.0");
}

#[test]
fn a_backup_of_another_database_is_refused_without_into() {
    let env = Env::new();
    let a = env.demo_db("a.db", "9.0");
    assert_ok(&env.sqlite(&demo_package(), &a, &["run", "--yes", "--target", "10.1"]));
    let backups: Vec<_> = std::fs::read_dir(env.state_dir().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("-9.0-"))
        .collect();
    let b = env.demo_db("b.db", "10.1");
    let out = env.sqlite(
        &demo_package(),
        &b,
        &["restore", "--backup", backups[0].to_str().unwrap(), "--yes"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(version(&b), "10.1");
}

/// A copy of the demo whose 10.1 script fails.
fn broken_package(env: &Env) -> std::path::PathBuf {
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let script = pkg.join("10.1/sqlite/01_tags_to_join_table.sql");
    let mut sql = std::fs::read_to_string(&script).unwrap();
    sql.push_str("\nINSERT INTO no_such_table VALUES (1);\n");
    std::fs::write(&script, sql).unwrap();
    pkg
}

fn repairs(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut s = conn
        .prepare("SELECT action, reason FROM upwiz_repairs ORDER BY at")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn repair_abandons_a_failed_run_only_with_yes_and_a_reason() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = broken_package(&env);
    let failed = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_eq!(code(&failed), 1, "{}", stdout(&failed));
    let at = version(&db);
    let mirrors =
        |env: &Env| std::fs::read_dir(env.state_dir().join("databases")).map_or(0, |d| d.count());
    assert_eq!(
        mirrors(&env),
        1,
        "the failed run is mirrored for the wizard"
    );

    let no_reason = env.sqlite(&pkg, &db, &["repair", "--abandon-run", "--yes"]);
    assert_eq!(code(&no_reason), 2);
    let dry = env.sqlite(
        &pkg,
        &db,
        &["repair", "--abandon-run", "--reason", "bad script"],
    );
    assert_eq!(code(&dry), 2);
    assert!(stdout(&dry).contains("abandoned"), "{}", stdout(&dry));
    assert!(stdout(&env.sqlite(&pkg, &db, &["plan"])).contains("Unfinished"));

    let out = env.sqlite(
        &pkg,
        &db,
        &[
            "repair",
            "--abandon-run",
            "--reason",
            "bad script, vendor fixes it",
            "--yes",
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("bad script, vendor fixes it"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        repairs(&db),
        vec![(
            "abandon-run".to_string(),
            "bad script, vendor fixes it".to_string()
        )]
    );
    let state: String = query_one(
        &db,
        "SELECT state FROM upwiz_runs ORDER BY started_at DESC LIMIT 1",
    );
    assert_eq!(state, "abandoned");
    // The next run plans afresh from the version found.
    let plan = stdout(&env.sqlite(&pkg, &db, &["plan"]));
    assert!(!plan.contains("Unfinished"), "{plan}");
    assert!(plan.contains(&format!("Installed: {at}")), "{plan}");
    // A second abandon finds nothing to abandon.
    let again = env.sqlite(
        &pkg,
        &db,
        &["repair", "--abandon-run", "--reason", "x", "--yes"],
    );
    assert_eq!(code(&again), 2);
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes"]));
    assert_eq!(version(&db), "11.0");
}

#[test]
fn repair_accepts_the_changed_checksum_of_an_applied_script() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes", "--target", "10.1"]));
    let script = pkg.join("9.1/sqlite/01_normalise_user_emails.sql");
    let mut sql = std::fs::read_to_string(&script).unwrap();
    sql.push_str("\n-- reviewed by the vendor\n");
    std::fs::write(&script, sql).unwrap();
    let refused = env.sqlite(&pkg, &db, &["plan"]);
    assert_eq!(code(&refused), 2, "{}", stdout(&refused));

    let out = env.sqlite(
        &pkg,
        &db,
        &[
            "repair",
            "--accept-checksum",
            "9.1/01_normalise_user_emails",
            "--reason",
            "comment added by the vendor",
            "--yes",
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("script/9.1/01_normalise_user_emails"));
    assert_ok(&env.sqlite(&pkg, &db, &["plan"]));
    assert_eq!(
        repairs(&db),
        vec![(
            "accept-checksum".to_string(),
            "comment added by the vendor".to_string()
        )]
    );
    // Nothing left to accept.
    let again = env.sqlite(
        &pkg,
        &db,
        &[
            "repair",
            "--accept-checksum",
            "9.1/01_normalise_user_emails",
            "--reason",
            "x",
            "--yes",
        ],
    );
    assert_eq!(code(&again), 2);
}

fn hold_lock(db: &Path, pid: u32) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    conn.execute(
        "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, ?1, ?2, 'someone', ?3, ?3, 'run-x')",
        rusqlite::params![gethostname::gethostname().to_string_lossy(), pid, now],
    )
    .unwrap();
}

#[test]
fn unlock_refuses_a_live_owner_and_clears_a_dead_one() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let free = env.sqlite(&demo_package(), &db, &["unlock", "--yes"]);
    assert_ok(&free);
    assert!(stdout(&free).contains("free"));

    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    hold_lock(&db, owner.id());
    let refused = env.sqlite(&demo_package(), &db, &["unlock", "--yes"]);
    assert_eq!(
        code(&refused),
        3,
        "{}{}",
        stdout(&refused),
        stderr(&refused)
    );
    assert!(stdout(&refused).contains(&format!("process {}", owner.id())));
    let held: i64 = query_one(&db, "SELECT COUNT(*) FROM upwiz_lock");
    assert_eq!(held, 1);

    owner.kill().unwrap();
    owner.wait().unwrap();
    let dry = env.sqlite(&demo_package(), &db, &["unlock"]);
    assert_eq!(code(&dry), 2);
    assert!(
        stdout(&dry).contains("no longer running"),
        "{}",
        stdout(&dry)
    );
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["unlock", "--reason", "the host was rebooted", "--yes"],
    );
    assert_ok(&out);
    let held: i64 = query_one(&db, "SELECT COUNT(*) FROM upwiz_lock");
    assert_eq!(held, 0);
    assert_eq!(
        repairs(&db),
        vec![("unlock".to_string(), "the host was rebooted".to_string())]
    );
}

#[test]
fn unlock_force_clears_a_live_owner_with_a_reason() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    hold_lock(&db, owner.id());
    let no_reason = env.sqlite(&demo_package(), &db, &["unlock", "--force", "--yes"]);
    assert_eq!(code(&no_reason), 2);
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["unlock", "--force", "--reason", "stuck terminal", "--yes"],
    );
    owner.kill().unwrap();
    owner.wait().unwrap();
    assert_ok(&out);
    let held: i64 = query_one(&db, "SELECT COUNT(*) FROM upwiz_lock");
    assert_eq!(held, 0);
}

#[test]
fn backups_keep_removes_old_backups_but_never_the_newest_pre_upgrade_one() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let config = env.path("upwiz.toml");
    std::fs::write(&config, "backups_keep = 1\n").unwrap();
    let cfg = config.to_str().unwrap();
    let backups = |env: &Env| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(env.state_dir().join("backups"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    // One run, two legs: the newest backup (10.1) and the run's pre-upgrade one (9.0) stay.
    assert_ok(&env.sqlite(&demo_package(), &db, &["--config", cfg, "run", "--yes"]));
    let kept = backups(&env);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept.iter().any(|n| n.contains("-9.0-")), "{kept:?}");
    // After a restore and a new run, the older run's backups go.
    assert_ok(&env.sqlite(&demo_package(), &db, &["restore", "--yes"]));
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["--config", cfg, "run", "--yes", "--target", "10.1"],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Removed the old backup"),
        "{}",
        stdout(&out)
    );
    let now = backups(&env);
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(
        now[0].contains("-9.0-") && !kept.contains(&now[0]),
        "{now:?}"
    );
}

#[test]
fn repair_and_restore_are_refused_while_a_live_run_holds_the_lock() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = broken_package(&env);
    assert_eq!(code(&env.sqlite(&pkg, &db, &["run", "--yes"])), 1);
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    hold_lock(&db, owner.id());
    let before = dump(&db);
    let repair = env.sqlite(
        &pkg,
        &db,
        &["repair", "--abandon-run", "--reason", "r", "--yes"],
    );
    let restore = env.sqlite(&pkg, &db, &["restore", "--yes"]);
    owner.kill().unwrap();
    owner.wait().unwrap();
    assert_eq!(code(&repair), 3, "{}", stderr(&repair));
    assert!(
        stderr(&repair).contains("nothing was changed"),
        "{}",
        stderr(&repair)
    );
    assert_eq!(code(&restore), 3, "{}", stderr(&restore));
    assert_eq!(dump(&db), before);
    let state: String = query_one(
        &db,
        "SELECT state FROM upwiz_runs ORDER BY started_at DESC LIMIT 1",
    );
    assert_eq!(state, "failed");
}

#[test]
fn the_ways_out_taken_are_listed_with_their_reasons() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let none = env.sqlite(&demo_package(), &db, &["repair", "--list"]);
    assert_ok(&none);
    assert!(stdout(&none).contains("No repair"), "{}", stdout(&none));
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "10.1"]));
    assert_ok(&env.sqlite(
        &demo_package(),
        &db,
        &["restore", "--reason", "users reported slow forms", "--yes"],
    ));
    let list = env.sqlite(&demo_package(), &db, &["repair", "--list"]);
    assert_ok(&list);
    let text = stdout(&list);
    assert!(text.contains(" restore by tester on "), "{text}");
    assert!(text.contains("reason: users reported slow forms"), "{text}");
}

#[test]
fn a_database_without_a_journal_has_nothing_to_repair() {
    let env = Env::new();
    let db = env.path("plain.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE lattice_version (version TEXT); INSERT INTO lattice_version VALUES ('9.0');")
        .unwrap();
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["repair", "--abandon-run", "--reason", "r", "--yes"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no upwiz journal"),
        "{}",
        stderr(&out)
    );
    let restore = env.sqlite(&demo_package(), &db, &["restore", "--yes"]);
    assert_eq!(code(&restore), 2, "{}", stderr(&restore));
}

#[test]
fn a_failed_upgrade_is_undone_by_restoring_its_pre_upgrade_backup() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let before = dump(&db);
    let pkg = broken_package(&env);
    assert_eq!(code(&env.sqlite(&pkg, &db, &["run", "--yes"])), 1);
    assert_ne!(
        version(&db),
        "9.0",
        "the first releases were applied before the failure"
    );
    let out = env.sqlite(&pkg, &db, &["restore", "--reason", "back to 9.0", "--yes"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Closed as restored"),
        "{}",
        stdout(&out)
    );
    assert_eq!(dump(&db), before);
    let plan = stdout(&env.sqlite(&demo_package(), &db, &["plan"]));
    assert!(!plan.contains("Unfinished"), "{plan}");
    assert!(plan.contains("Installed: 9.0"), "{plan}");
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes"]));
    assert_eq!(version(&db), "11.0");
}

#[test]
fn postgres_restore_into_another_database_for_inspection() {
    let env = Env::new();
    let db = Db::installed(&env, Rdbms::Postgres, "9.0");
    let before = db.dump();
    assert_ok(&run(
        &env,
        &db,
        &demo_package(),
        &["run", "--yes", "--target", "10.1"],
    ));
    let upgraded = db.dump();
    let copy = common::servers::TempDb::new(Rdbms::Postgres);
    let out = run(
        &env,
        &db,
        &demo_package(),
        &["restore", "--into", &copy.url(), "--yes"],
    );
    assert_ok(&out);
    assert_eq!(copy.dump(), before);
    assert_eq!(db.dump(), upgraded, "the source database is not touched");
}

#[test]
fn each_way_out_prints_one_json_object_with_json() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "10.1"]));
    let object = |out: &std::process::Output| -> serde_json::Value {
        let text = stdout(out);
        assert_eq!(text.lines().count(), 1, "{text}");
        serde_json::from_str(text.trim()).expect("one JSON object")
    };
    let dry = env.sqlite(&demo_package(), &db, &["restore", "--json"]);
    assert_eq!(code(&dry), 2);
    let v = object(&dry);
    assert_eq!(v["restored"], false);
    assert_eq!(v["backup_version"], "9.0");
    assert_eq!(v["exit"], 2);
    let done = env.sqlite(&demo_package(), &db, &["restore", "--json", "--yes"]);
    assert_ok(&done);
    let v = object(&done);
    assert_eq!(v["restored"], true);
    assert_eq!(v["version"], "9.0");
    let unlock = env.sqlite(&demo_package(), &db, &["unlock", "--json", "--yes"]);
    assert_ok(&unlock);
    assert_eq!(object(&unlock)["cleared"], false);
    let list = env.sqlite(&demo_package(), &db, &["repair", "--list", "--json"]);
    assert_ok(&list);
    assert_eq!(object(&list)["repairs"][0]["action"], "restore");
    let repair = env.sqlite(
        &demo_package(),
        &db,
        &["repair", "--abandon-run", "--reason", "r", "--json"],
    );
    assert_eq!(code(&repair), 2, "nothing to abandon after the restore");
}

/// On servers the owner is alive exactly while its connection holds the server-side lock.
fn server_unlock(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let Db::Server(temp) = &db else {
        unreachable!("a server database")
    };
    db.execute(
        "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, 'elsewhere', 4242, 'someone', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'run-x')",
    );
    let mut owner = temp.open();
    assert_eq!(owner.session_lock().unwrap(), Some(true));
    let refused = run(&env, &db, &demo_package(), &["unlock", "--yes"]);
    assert_eq!(
        code(&refused),
        3,
        "{}{}",
        stdout(&refused),
        stderr(&refused)
    );
    assert!(stdout(&refused).contains("process 4242 of user someone on host elsewhere"));
    assert_eq!(db.scalar("SELECT COUNT(*) FROM upwiz_lock"), "1");
    drop(owner);
    // The server notices the closed connection on its own time: wait for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let out = run(
            &env,
            &db,
            &demo_package(),
            &["unlock", "--reason", "owner gone", "--yes"],
        );
        if code(&out) == 0 {
            break;
        }
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        assert!(
            std::time::Instant::now() < deadline,
            "the owner's lock never ended"
        );
    }
    assert_eq!(db.scalar("SELECT COUNT(*) FROM upwiz_lock"), "0");
    assert_eq!(
        db.scalar("SELECT reason FROM upwiz_repairs WHERE action = 'unlock'"),
        "owner gone"
    );
}

#[test]
fn postgres_unlock_refuses_a_live_owner_and_clears_a_dead_one() {
    server_unlock(Rdbms::Postgres);
}

#[test]
fn mariadb_unlock_refuses_a_live_owner_and_clears_a_dead_one() {
    server_unlock(Rdbms::Mysql);
}

/// Abandon a failed run, then accept a changed applied script, on a server.
fn server_repair(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let dir = if rdbms == Rdbms::Postgres {
        "postgres"
    } else {
        "mysql"
    };
    let broken = pkg.join("10.1").join(dir).join("01_tags_to_join_table.sql");
    let good = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(
        &broken,
        format!("{good}\nINSERT INTO no_such_table VALUES (1);\n"),
    )
    .unwrap();
    assert_eq!(code(&run(&env, &db, &pkg, &["run", "--yes"])), 1);
    let out = run(
        &env,
        &db,
        &pkg,
        &[
            "repair",
            "--abandon-run",
            "--reason",
            "vendor fix coming",
            "--yes",
        ],
    );
    assert_ok(&out);
    assert_eq!(
        db.scalar("SELECT state FROM upwiz_runs WHERE state <> 'completed'"),
        "abandoned"
    );

    // 9.1 was applied by the abandoned run; its script changes afterwards.
    std::fs::write(&broken, good).unwrap();
    let script = pkg
        .join("9.1")
        .join(dir)
        .join("01_normalise_user_emails.sql");
    let mut sql = std::fs::read_to_string(&script).unwrap();
    sql.push_str("\n-- reviewed\n");
    std::fs::write(&script, sql).unwrap();
    assert_eq!(code(&run(&env, &db, &pkg, &["plan"])), 2);
    let out = run(
        &env,
        &db,
        &pkg,
        &[
            "repair",
            "--accept-checksum",
            "script/9.1/01_normalise_user_emails",
            "--reason",
            "comment only",
            "--yes",
        ],
    );
    assert_ok(&out);
    let plan = run(&env, &db, &pkg, &["plan"]);
    assert_ok(&plan);
    assert!(!stdout(&plan).contains("Unfinished"), "{}", stdout(&plan));
    // Where DDL commits on its own (MariaDB), what the abandoned run did to 10.1 stays
    // half done, as repair said; PostgreSQL rolled the failed script back.
    if rdbms == Rdbms::Postgres {
        assert_ok(&run(&env, &db, &pkg, &["run", "--yes"]));
        assert_eq!(db.version(), "11.0");
    }
}

#[test]
fn postgres_repair_abandons_a_run_and_accepts_a_changed_script() {
    server_repair(Rdbms::Postgres);
}

#[test]
fn mariadb_repair_abandons_a_run_and_accepts_a_changed_script() {
    server_repair(Rdbms::Mysql);
}

/// The pre-upgrade backup of the only run, damaged by `damage`: refused, nothing changed.
fn damaged_backup_is_refused(rdbms: Rdbms, damage: fn(&Path)) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    assert_ok(&run(
        &env,
        &db,
        &demo_package(),
        &["run", "--yes", "--target", "10.1"],
    ));
    let upgraded = db.dump();
    let backup = std::fs::read_dir(env.state_dir().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("-9.0-"))
        .unwrap();
    damage(&backup);
    let out = run(&env, &db, &demo_package(), &["restore", "--yes"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("nothing was restored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(db.dump(), upgraded);
    assert_eq!(db.version(), "10.1");
}

#[test]
fn sqlite_a_damaged_backup_is_refused_with_nothing_changed() {
    damaged_backup_is_refused(Rdbms::Sqlite, |p| {
        std::fs::write(p, b"not a database at all, just some bytes").unwrap()
    });
}

#[test]
fn mariadb_an_incomplete_dump_is_refused_with_nothing_changed() {
    damaged_backup_is_refused(Rdbms::Mysql, |p| {
        let dump = std::fs::read(p).unwrap();
        std::fs::write(p, &dump[..dump.len() / 2]).unwrap()
    });
}

#[test]
fn postgres_a_damaged_dump_is_refused_with_nothing_changed() {
    damaged_backup_is_refused(Rdbms::Postgres, |p| {
        std::fs::write(p, b"PGDMP but not really").unwrap()
    });
}

#[test]
fn a_restore_into_a_new_file_that_is_not_confirmed_creates_nothing() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "10.1"]));
    let copy = env.path("inspect.db");
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["restore", "--into", copy.to_str().unwrap()],
    );
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).contains("(a new file)"), "{}", stdout(&out));
    assert!(!copy.exists());
}
