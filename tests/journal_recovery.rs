//! What the journal knows decides recovery: a statement that failed in a live run is
//! run again (and fails again until its cause is fixed), never counted as done; an
//! invalid index a failed concurrent build left is rebuilt; values never become SQL;
//! an install that cannot be one transaction is finished by the next install.

mod common;

use common::mini::{self, Mini};
use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

/// Where a test's database lives: a SQLite file or a server database.
enum Target {
    Sqlite(std::path::PathBuf),
    Server(TempDb),
}

impl Target {
    fn new(env: &Env, rdbms: Rdbms) -> Target {
        match rdbms {
            Rdbms::Sqlite => Target::Sqlite(env.path("db.sqlite")),
            other => Target::Server(TempDb::new(other)),
        }
    }

    fn upwiz(&self, env: &Env, pkg: &std::path::Path, args: &[&str]) -> std::process::Output {
        let (rdbms, connect) = match self {
            Target::Sqlite(p) => (Rdbms::Sqlite, p.display().to_string()),
            Target::Server(db) => (db.rdbms, db.url()),
        };
        let mut all = vec![
            "--package",
            pkg.to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            &connect,
        ];
        all.extend_from_slice(args);
        env.upwiz(&all)
    }

    fn scalar(&self, sql: &str) -> String {
        match self {
            Target::Sqlite(p) => query_one::<String>(p, sql),
            Target::Server(db) => db.scalar(sql),
        }
    }
}

fn genuine_failure_is_never_counted_as_done(rdbms: Rdbms) {
    let env = Env::new();
    // The 2nd statement and those after it fail in a live run, every time.
    let failing = match rdbms {
        Rdbms::Mysql => "ALTER TABLE kept DROP FOREIGN KEY no_such_key",
        _ => "CREATE TABLE kept (id INTEGER)",
    };
    let script = format!(
        "CREATE TABLE added (id INTEGER);\n{failing};\nCREATE TABLE kept (id INTEGER);\nCREATE TABLE kept2 (id INTEGER);\nCREATE TABLE kept3 (id INTEGER);\nCREATE TABLE kept4 (id INTEGER);\nCREATE TABLE kept5 (id INTEGER);\n"
    );
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: "CREATE TABLE kept (id INTEGER);\nCREATE TABLE kept2 (id INTEGER);\nCREATE TABLE kept3 (id INTEGER);\nCREATE TABLE kept4 (id INTEGER);\nCREATE TABLE kept5 (id INTEGER);",
            script: &script,
            transactional: false,
            items: None,
        },
    );
    let db = Target::new(&env, rdbms);
    assert_ok(&db.upwiz(&env, &pkg, &["install", "--version", "1.0"]));
    for attempt in 0..6 {
        let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
        assert_eq!(
            code(&out),
            1,
            "{rdbms} attempt {attempt}: a failing statement must fail again\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("line 2"),
            "{rdbms} attempt {attempt}: the error must name the 2nd statement: {}",
            stderr(&out)
        );
        assert_eq!(db.scalar("SELECT version FROM app_version"), "1.0");
    }
}

#[test]
fn sqlite_genuine_failure_is_never_counted_as_done() {
    genuine_failure_is_never_counted_as_done(Rdbms::Sqlite);
}

#[test]
fn postgres_genuine_failure_is_never_counted_as_done() {
    genuine_failure_is_never_counted_as_done(Rdbms::Postgres);
}

#[test]
fn mariadb_genuine_failure_is_never_counted_as_done() {
    genuine_failure_is_never_counted_as_done(Rdbms::Mysql);
}

#[test]
fn postgres_failed_concurrent_unique_index_is_rebuilt_after_the_data_is_fixed() {
    let env = Env::new();
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER);\nINSERT INTO t VALUES (1, 10), (2, 10), (3, 30);",
            script: "CREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);\n",
            transactional: false,
            items: None,
        },
    );
    let db = Target::new(&env, Rdbms::Postgres);
    assert_ok(&db.upwiz(&env, &pkg, &["install", "--version", "1.0"]));
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let Target::Server(server) = &db else {
        unreachable!()
    };
    server.execute("DELETE FROM t WHERE id = 2");
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(db.scalar("SELECT version FROM app_version"), "2.0");
    assert_eq!(
        db.scalar("SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_v'"),
        "true",
        "the index must exist and be valid"
    );
}

#[test]
fn postgres_item_names_never_become_sql_even_without_standard_strings() {
    let env = Env::new();
    let evil = r"x\' ...; DELETE FROM settings; COMMIT; --";
    let baseline = format!(
        "CREATE TABLE settings (name VARCHAR(50), value VARCHAR(50));\nINSERT INTO settings VALUES ('a', '1'), ('b', '2');\nCREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, copied TEXT);\nINSERT INTO things VALUES (1, '{}', NULL);",
        evil.replace('\'', "''")
    );
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: &baseline,
            script: "UPDATE settings SET value = value;\n",
            transactional: true,
            items: Some((
                "SELECT id, name FROM things ORDER BY id",
                "UPDATE things SET copied = {{name}} WHERE id = {{id}};\n",
            )),
        },
    );
    let db = Target::new(&env, Rdbms::Postgres);
    assert_ok(&db.upwiz(&env, &pkg, &["install", "--version", "1.0"]));
    let Target::Server(server) = &db else {
        unreachable!()
    };
    server.execute(&format!(
        "ALTER DATABASE {} SET standard_conforming_strings = off",
        server.name
    ));
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(db.scalar("SELECT count(*) FROM settings"), "2");
    assert_eq!(db.scalar("SELECT copied FROM things WHERE id = 1"), evil);
    assert_eq!(
        db.scalar("SELECT name FROM upwiz_items"),
        evil,
        "the journal records the name as it is"
    );
}

#[test]
fn mariadb_failed_install_is_reported_incomplete_and_finished_by_the_next_install() {
    let env = Env::new();
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            // The 5th statement of the baseline fails while `blocker` exists.
            baseline: "CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\nCREATE TABLE blocker (id INTEGER);\nCREATE TABLE c (id INTEGER);",
            script: "CREATE TABLE d (id INTEGER);\n",
            transactional: true,
            items: None,
        },
    );
    let db = Target::new(&env, Rdbms::Mysql);
    let Target::Server(server) = &db else {
        unreachable!()
    };
    server.execute("CREATE TABLE blocker (id INTEGER)");
    let out = db.upwiz(&env, &pkg, &["install", "--version", "1.0"]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let status = db.upwiz(&env, &pkg, &["status"]);
    assert_ok(&status);
    assert!(
        stdout(&status).contains("install-incomplete"),
        "{}",
        stdout(&status)
    );
    let run = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_ne!(code(&run), 0, "a half install must not be upgraded");
    server.execute("DROP TABLE blocker");
    assert_ok(&db.upwiz(&env, &pkg, &["install", "--version", "1.0"]));
    assert_eq!(db.scalar("SELECT version FROM app_version"), "1.0");
    assert_eq!(db.scalar("SELECT count(*) FROM app_version"), "1");
    assert_eq!(
        db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('a', 'b', 'blocker', 'c')"),
        "4"
    );
    let status = db.upwiz(&env, &pkg, &["status"]);
    assert!(
        !stdout(&status).contains("install-incomplete"),
        "{}",
        stdout(&status)
    );
    assert_ok(&db.upwiz(&env, &pkg, &["run", "--yes"]));
    assert_eq!(db.scalar("SELECT version FROM app_version"), "2.0");
}
