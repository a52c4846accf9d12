//! `upwiz rehearse`: the whole upgrade on a scratch copy, on SQLite, PostgreSQL and
//! MariaDB, through the real binary. The real database must come out byte-identical
//! (SQLite) or dump-identical (servers), and the scratch copy must be gone unless kept.

mod common;

use std::path::Path;
use std::process::Command;

use common::anydb::{run, Db};
use common::servers::{admin_url, TempDb};
use common::*;
use upwiz::db::{self, ConnectSpec, OpenMode};
use upwiz::rdbms::Rdbms;

/// Everything in the real database as its vendor's dump tool sees it (engine tables
/// included), or the SQLite file's bytes.
fn snapshot(db: &Db) -> Vec<u8> {
    match db {
        Db::Sqlite(p) => file_bytes(p),
        Db::Server(t) => server_dump(t),
    }
}

fn server_dump(t: &TempDb) -> Vec<u8> {
    let out = match t.rdbms {
        Rdbms::Postgres => Command::new("pg_dump")
            .args(["--no-owner", "--dbname", &t.url()])
            .output()
            .unwrap(),
        _ => {
            let url = admin_url(Rdbms::Mysql);
            let rest = url.trim_start_matches("mysql://");
            let (user, hostport) = rest.split_once('@').unwrap();
            let hostport = hostport.split('/').next().unwrap();
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
            Command::new("mariadb-dump")
                .args([
                    "--skip-dump-date",
                    "--single-transaction",
                    "--routines",
                    "--triggers",
                    &format!("--user={user}"),
                    &format!("--host={host}"),
                    &format!("--port={port}"),
                    "--protocol=tcp",
                    "--",
                    &t.name,
                ])
                .output()
                .unwrap()
        }
    };
    assert!(
        out.status.success(),
        "dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // pg_dump 15.14+/17.6+ writes a random \restrict key into every dump.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

/// The scratch databases of `real` left on its server.
fn scratch_databases(t: &TempDb) -> Vec<String> {
    let spec = ConnectSpec::parse(t.rdbms, &admin_url(t.rdbms), None, None).unwrap();
    let mut admin = db::open(&spec, OpenMode::Existing).unwrap();
    let sql = match t.rdbms {
        Rdbms::Postgres => format!(
            "SELECT datname FROM pg_database WHERE datname LIKE '{}\\_rehearse\\_%'",
            t.name
        ),
        _ => format!(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{}\\_rehearse\\_%'",
            t.name
        ),
    };
    admin.query(&sql).unwrap().first_column()
}

fn drop_scratch(t: &TempDb, name: &str) {
    let spec = ConnectSpec::parse(t.rdbms, &admin_url(t.rdbms), None, None).unwrap();
    let mut admin = db::open(&spec, OpenMode::Existing).unwrap();
    let _ = admin.execute(&format!("DROP DATABASE IF EXISTS {name}"));
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}

/// The files of the rehearsals under the state directory.
fn rehearsal_dirs(env: &Env) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(env.state_dir().join("rehearse"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

fn rehearsal_completes(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let before = snapshot(&db);
    let real_log = env.log();
    let backups_before = std::fs::read_dir(env.state_dir().join("backups"))
        .map(|d| d.count())
        .unwrap_or(0);

    let out = run(&env, &db, &demo_package(), &["rehearse", "--json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let r = json(&out);
    assert_eq!(r["outcome"], "completed", "{r}");
    let steps = r["rehearsal"]["steps"].as_array().unwrap();
    assert!(steps.len() > 10, "{r}");
    for s in steps {
        assert!(s["elapsed"].is_number(), "{s}");
        assert!(!s["title"].as_str().unwrap().is_empty(), "{s}");
    }
    assert!(steps.iter().any(|s| s["leg"] == "9.0 -> 10.1"), "{r}");
    let total: f64 = steps.iter().map(|s| s["elapsed"].as_f64().unwrap()).sum();
    let downtime = r["rehearsal"]["downtime"].as_f64().unwrap();
    assert!((downtime - total).abs() < 0.01, "{downtime} vs {total}");
    assert_eq!(
        r["rehearsal"]["downtime_legs"],
        serde_json::json!(["9.0 -> 10.1", "10.1 -> 11.0"])
    );
    assert_eq!(r["rehearsal"]["kept"], false);

    assert_eq!(snapshot(&db), before, "the real database is untouched");
    assert_eq!(db.version(), "9.0");
    assert_eq!(env.log(), real_log, "the real UPGRADE.LOG is untouched");
    assert_eq!(
        std::fs::read_dir(env.state_dir().join("backups"))
            .map(|d| d.count())
            .unwrap_or(0),
        backups_before,
        "no backup of the real database was added"
    );
    match &db {
        Db::Sqlite(_) => {
            let copy = r["rehearsal"]["scratch"].as_str().unwrap();
            assert!(!Path::new(copy).exists(), "{copy} was removed");
        }
        Db::Server(t) => assert!(
            scratch_databases(t).is_empty(),
            "the scratch database is dropped"
        ),
    }
    let dirs = rehearsal_dirs(&env);
    assert_eq!(dirs.len(), 1);
    assert!(
        dirs[0].join("UPGRADE.LOG").is_file(),
        "the rehearsal keeps its own log"
    );

    // Text output: each step with its time, and the downtime.
    let out = run(
        &env,
        &db,
        &demo_package(),
        &["rehearse", "--target", "10.1"],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("Expected downtime of the real run"), "{said}");
    assert!(said.contains("legs 9.0 -> 10.1)"), "{said}");
    assert!(!said.contains("10.1 -> 11.0"), "{said}");
    assert!(said.contains("was dropped"), "{said}");
    assert_eq!(snapshot(&db), before, "the real database is untouched");
}

#[test]
fn sqlite_rehearsal_completes_and_leaves_the_file_byte_identical() {
    rehearsal_completes(Rdbms::Sqlite);
}

#[test]
fn postgres_rehearsal_completes_and_leaves_the_database_dump_identical() {
    rehearsal_completes(Rdbms::Postgres);
}

#[test]
fn mariadb_rehearsal_completes_and_leaves_the_database_dump_identical() {
    rehearsal_completes(Rdbms::Mysql);
}

/// A copy of the demo whose 10.1 script fails on `rdbms`.
fn broken_package(env: &Env, rdbms: Rdbms) -> std::path::PathBuf {
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let script = pkg
        .join("10.1")
        .join(rdbms.key().replace("mariadb", "mysql"))
        .join("01_tags_to_join_table.sql");
    let mut sql = std::fs::read_to_string(&script).unwrap();
    sql.push_str("\nINSERT INTO no_such_table VALUES (1);\n");
    std::fs::write(&script, sql).unwrap();
    pkg
}

fn failing_script_is_reported(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let before = snapshot(&db);
    let pkg = broken_package(&env, rdbms);
    let out = run(&env, &db, &pkg, &["rehearse", "--json"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let r = json(&out);
    assert_eq!(r["outcome"], "failed", "{r}");
    let at = r["rehearsal"]["failed_at"].as_str().unwrap();
    assert!(at.contains("01_tags_to_join_table"), "{r}");
    let steps = r["rehearsal"]["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["status"], "failed", "{r}");
    assert_eq!(snapshot(&db), before, "the real database is untouched");
    assert_eq!(db.version(), "9.0");
    if let Db::Server(t) = &db {
        assert!(
            scratch_databases(t).is_empty(),
            "dropped after a failure too"
        );
    }
    // The real database has no failed run on record: a real run plans afresh.
    let status = json(&run(&env, &db, &demo_package(), &["status", "--json"]));
    assert_eq!(status["state"], "pending", "{status}");
}

#[test]
fn sqlite_failing_script_is_reported_with_exit_1() {
    failing_script_is_reported(Rdbms::Sqlite);
}

#[test]
fn postgres_failing_script_is_reported_with_exit_1() {
    failing_script_is_reported(Rdbms::Postgres);
}

#[test]
fn mariadb_failing_script_is_reported_with_exit_1() {
    failing_script_is_reported(Rdbms::Mysql);
}

fn keep_keeps_the_copy(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let before = snapshot(&db);
    let out = run(&env, &db, &demo_package(), &["rehearse", "--keep"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("The scratch copy is kept: "),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&db), before);
    match &db {
        Db::Sqlite(_) => {
            let dirs = rehearsal_dirs(&env);
            let copy = dirs[0].join("copy.sqlite");
            assert!(stdout(&out).contains(&copy.display().to_string()));
            assert_eq!(version(&copy), "11.0", "the kept copy is upgraded");
        }
        Db::Server(t) => {
            let left = scratch_databases(t);
            assert_eq!(left.len(), 1, "{left:?}");
            assert!(stdout(&out).contains(&left[0]), "{}", stdout(&out));
            let copy = TempDb {
                rdbms,
                name: left[0].clone(),
            };
            assert_eq!(copy.scalar("SELECT version FROM lattice_version"), "11.0");
            drop(copy);
            drop_scratch(t, &left[0]);
        }
    }
}

#[test]
fn sqlite_keep_keeps_the_upgraded_copy() {
    keep_keeps_the_copy(Rdbms::Sqlite);
}

#[test]
fn postgres_keep_keeps_the_upgraded_copy() {
    keep_keeps_the_copy(Rdbms::Postgres);
}

#[test]
fn mariadb_keep_keeps_the_upgraded_copy() {
    keep_keeps_the_copy(Rdbms::Mysql);
}

#[test]
fn a_database_mid_upgrade_is_refused_with_exit_3() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    conn.execute(
        "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, ?1, ?2, 'someone', ?3, ?3, 'run-x')",
        rusqlite::params![gethostname::gethostname().to_string_lossy(), std::process::id(), now],
    )
    .unwrap();
    drop(conn);
    let before = file_bytes(&db);
    let out = env.sqlite(&demo_package(), &db, &["rehearse"]);
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("being upgraded right now"),
        "{}",
        stderr(&out)
    );
    assert_eq!(file_bytes(&db), before);
    assert!(rehearsal_dirs(&env).is_empty(), "nothing was started");
}

#[test]
fn a_missing_database_is_bad_input() {
    let env = Env::new();
    let out = env.sqlite(&demo_package(), &env.path("none.db"), &["rehearse"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn failed_items_are_reported_with_exit_1_and_the_real_database_untouched() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE forms SET definition = 'title:text|budget:money' WHERE id = 19",
            [],
        )
        .unwrap();
    let before = file_bytes(&db);
    let out = env.sqlite(&demo_package(), &db, &["rehearse", "--json"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let r = json(&out);
    assert_eq!(r["outcome"], "completed with failed items", "{r}");
    let items = r["rehearsal"]["failed_items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{r}");
    assert_eq!(items[0]["id"], "7");
    assert_eq!(items[0]["name"], "People Requests");
    assert_eq!(file_bytes(&db), before);

    let out = env.sqlite(&demo_package(), &db, &["rehearse"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("Failed items: 1"), "{}", stdout(&out));
    assert!(stdout(&out).contains("People Requests"), "{}", stdout(&out));
}

#[test]
fn a_database_at_its_target_is_not_copied() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "11.0");
    let before = file_bytes(&db);
    let out = env.sqlite(&demo_package(), &db, &["rehearse"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("nothing to rehearse"),
        "{}",
        stdout(&out)
    );
    assert_eq!(file_bytes(&db), before);
    assert!(rehearsal_dirs(&env).is_empty(), "nothing was copied");
}

/// With a password, the tools and the scratch database get it the safe way, and no
/// output or file of the rehearsal shows it.
#[test]
fn postgres_rehearsal_with_a_password_never_shows_it() {
    let env = Env::new();
    let server = common::servers::ThrowawayPg::start(Some("rehearsal-secret"));
    let upwiz = |args: &[&str]| {
        env.cmd()
            .args(["--package", demo_package().to_str().unwrap()])
            .args(["--rdbms", "postgres", "--connect", &server.url])
            .args(args)
            .env("UPWIZ_PASSWORD", "rehearsal-secret")
            .output()
            .unwrap()
    };
    assert_ok(&upwiz(&["install", "--version", "9.0"]));
    let out = upwiz(&["rehearse", "--json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let r = json(&out);
    assert_eq!(r["outcome"], "completed", "{r}");
    assert!(!stdout(&out).contains("rehearsal-secret"));
    assert!(!stderr(&out).contains("rehearsal-secret"));
    for dir in rehearsal_dirs(&env) {
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.is_file() {
                let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                assert!(!text.contains("rehearsal-secret"), "{}", p.display());
            }
        }
    }
    let spec = ConnectSpec::parse(
        Rdbms::Postgres,
        &server.url,
        None,
        Some(upwiz::secret::Secret::new("rehearsal-secret")),
    )
    .unwrap();
    let left = db::open(&spec, OpenMode::Existing)
        .unwrap()
        .query("SELECT datname FROM pg_database WHERE datname LIKE '%\\_rehearse\\_%'")
        .unwrap()
        .first_column();
    assert!(left.is_empty(), "{left:?}");
}
