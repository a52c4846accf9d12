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
            only: None,
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
            only: None,
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
            only: None,
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
            only: None,
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

/// Marks statement `index` (0-based) of the 2.0 script as started and unfinished, as a
/// run killed while it ran leaves it.
fn mark_in_flight(db: &Target, index: usize) {
    let sql = format!(
        "UPDATE upwiz_journal SET state = 'started', detail = NULL WHERE step_key LIKE 'script/%' AND stmt_index = {index}"
    );
    match db {
        Target::Sqlite(p) => {
            rusqlite::Connection::open(p)
                .unwrap()
                .execute_batch(&sql)
                .unwrap();
        }
        Target::Server(s) => s.execute(&sql),
    }
}

fn in_flight_statement_is_settled_by_the_catalog(rdbms: Rdbms) {
    let env = Env::new();
    // Statement 2 adds a foreign key (MariaDB) or a table; statement 3 fails until fixed.
    let (baseline, second) = match rdbms {
        Rdbms::Mysql => (
            "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE ch (id INTEGER, p_id INTEGER);",
            "ALTER TABLE ch ADD CONSTRAINT fk_ch_p FOREIGN KEY (p_id) REFERENCES p (id)",
        ),
        _ => (
            "CREATE TABLE p (id INTEGER PRIMARY KEY);",
            "CREATE TABLE made (id INTEGER)",
        ),
    };
    // Statement 3 fails until blocker_src exists, and its effect is nothing the
    // catalog can show.
    let third = match rdbms {
        Rdbms::Sqlite => "REINDEX blocker_src",
        Rdbms::Postgres => "ALTER TABLE blocker_src ALTER COLUMN id SET NOT NULL",
        Rdbms::Mysql => "ALTER TABLE blocker_src ENGINE=InnoDB",
    };
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline,
            script: &format!(
                "CREATE TABLE first (id INTEGER);\n{second};\n{third};\nCREATE TABLE last (id INTEGER);\n"
            ),
            transactional: false,
            items: None,
            only: None,
        },
    );
    let db = Target::new(&env, rdbms);
    assert_ok(&db.upwiz(&env, &pkg, &["install", "--version", "1.0"]));
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("blocker_src"), "{}", stderr(&out));

    // As if the run had died just after statement 2 took effect, before its record.
    mark_in_flight(&db, 1);
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("catalog shows it took effect"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("blocker_src"), "{}", stderr(&out));

    // An in-flight statement whose effect the catalog cannot show, failing again.
    mark_in_flight(&db, 2);
    let out = db.upwiz(&env, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was running when an earlier run died")
            && stderr(&out).contains("cannot be read from the catalog"),
        "{}",
        stderr(&out)
    );

    let fix = "CREATE TABLE blocker_src (id INTEGER)";
    match &db {
        Target::Sqlite(p) => rusqlite::Connection::open(p)
            .unwrap()
            .execute_batch(fix)
            .unwrap(),
        Target::Server(s) => s.execute(fix),
    }
    assert_ok(&db.upwiz(&env, &pkg, &["run", "--yes"]));
    assert_eq!(db.scalar("SELECT version FROM app_version"), "2.0");
    assert_eq!(
        db.scalar("SELECT CAST(count(*) AS CHAR) FROM last"),
        "0",
        "the script ran to its end"
    );
}

#[test]
fn sqlite_in_flight_statement_is_settled_by_the_catalog() {
    in_flight_statement_is_settled_by_the_catalog(Rdbms::Sqlite);
}

#[test]
fn postgres_in_flight_statement_is_settled_by_the_catalog() {
    in_flight_statement_is_settled_by_the_catalog(Rdbms::Postgres);
}

#[test]
fn mariadb_in_flight_foreign_key_is_settled_by_the_catalog() {
    in_flight_statement_is_settled_by_the_catalog(Rdbms::Mysql);
}
