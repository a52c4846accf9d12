//! The crash matrix over every kind of DDL the journal settles: a script that adds,
//! drops and renames columns, adds and drops foreign keys and indexes (concurrently on
//! PostgreSQL), creates tables from queries, converts a MySQL table's character set,
//! and creates triggers and views, killed at every journal write (so before and after
//! every statement), then resumed, ends with the schema and rows of an uninterrupted
//! run on every RDBMS. Needs `--features fault-injection`.

mod common;

use common::mini::{self, Mini};
use common::servers::{dump_tables, TempDb};
use common::*;
use upwiz::db::{self, ConnectSpec, OpenMode};
use upwiz::rdbms::Rdbms;

const BASELINE: &str =
    "CREATE TABLE c (id INTEGER PRIMARY KEY, name VARCHAR(50), note VARCHAR(50), old INTEGER);
INSERT INTO c (id, name, note, old) VALUES (1, 'one', 'n1', 7), (2, 'two', 'n2', 8);
CREATE TABLE gone (id INTEGER);";

fn script(rdbms: Rdbms) -> (&'static str, bool) {
    match rdbms {
        Rdbms::Sqlite => (
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR(50));
INSERT INTO p VALUES (1, 'a'), (2, 'b');
ALTER TABLE c ADD COLUMN p_id INTEGER;
UPDATE c SET p_id = 1;
CREATE INDEX c_name ON c (name);
ALTER TABLE c RENAME COLUMN note TO remark;
ALTER TABLE c DROP COLUMN old;
CREATE TABLE c_copy AS SELECT id, name FROM c;
CREATE TRIGGER c_ins BEFORE INSERT ON c BEGIN SELECT 1; END;
DROP INDEX c_name;
ALTER TABLE c_copy RENAME TO c_archive;
DROP TABLE gone;
CREATE VIEW v_c AS SELECT id, name FROM c;
",
            false,
        ),
        Rdbms::Postgres => (
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR(50));
INSERT INTO p VALUES (1, 'a'), (2, 'b');
INSERT INTO c (id, name, note, old) VALUES (3, 'three', 'n3', 9);
ALTER TABLE c ADD COLUMN p_id INTEGER;
UPDATE c SET p_id = 1;
ALTER TABLE c ADD CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id);
CREATE INDEX CONCURRENTLY c_name ON c (name);
CREATE UNIQUE INDEX c_id_name ON c (id, name);
ALTER TABLE c RENAME COLUMN note TO remark;
ALTER TABLE c DROP COLUMN old;
CREATE TABLE c_copy AS SELECT id, name FROM c;
CREATE FUNCTION c_upper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$;
CREATE TRIGGER c_ins BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION c_upper();
ALTER TABLE c DROP CONSTRAINT fk_c_p;
DROP INDEX CONCURRENTLY c_name;
ALTER TABLE c_copy RENAME TO c_archive;
DROP TABLE gone;
CREATE VIEW v_c AS SELECT id, name FROM c;
",
            false,
        ),
        Rdbms::Mysql => (
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR(50)) ENGINE=InnoDB;
INSERT INTO p VALUES (1, 'a'), (2, 'b');
ALTER TABLE c ADD COLUMN p_id INTEGER;
UPDATE c SET p_id = 1;
ALTER TABLE c ADD CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id);
CREATE INDEX c_name ON c (name);
ALTER TABLE c RENAME COLUMN note TO remark;
ALTER TABLE c DROP COLUMN old;
CREATE TABLE c_copy AS SELECT id, name FROM c;
ALTER TABLE c_copy CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE TRIGGER c_ins BEFORE INSERT ON c FOR EACH ROW SET NEW.name = UPPER(NEW.name);
INSERT INTO c (id, name, p_id) VALUES (10, 'zed', 2);
ALTER TABLE c DROP FOREIGN KEY fk_c_p;
DROP INDEX c_name ON c;
RENAME TABLE c_copy TO c_archive;
DROP TABLE gone;
CREATE VIEW v_c AS SELECT id, name FROM c;
",
            true,
        ),
    }
}

/// Where one attempt's database lives.
struct Target {
    rdbms: Rdbms,
    connect: String,
    _server: Option<TempDb>,
}

impl Target {
    fn new(env: &Env, rdbms: Rdbms, n: usize) -> Target {
        match rdbms {
            Rdbms::Sqlite => Target {
                rdbms,
                connect: env.path(&format!("db-{n}.sqlite")).display().to_string(),
                _server: None,
            },
            other => {
                let db = TempDb::new(other);
                Target {
                    rdbms,
                    connect: db.url(),
                    _server: Some(db),
                }
            }
        }
    }

    fn upwiz(
        &self,
        env: &Env,
        pkg: &std::path::Path,
        fault: Option<usize>,
        args: &[&str],
    ) -> std::process::Output {
        let mut c = env.cmd();
        c.args([
            "--package",
            pkg.to_str().unwrap(),
            "--rdbms",
            self.rdbms.key(),
            "--connect",
            &self.connect,
        ]);
        c.args(args);
        if let Some(n) = fault {
            c.env("UPWIZ_FAULT_AT", n.to_string());
        }
        c.output().unwrap()
    }

    /// Rows and columns of every product table, and the names of its other objects.
    fn state(&self) -> Vec<String> {
        let mut d = db::open(
            &ConnectSpec::parse(self.rdbms, &self.connect, None, None).unwrap(),
            OpenMode::Existing,
        )
        .unwrap();
        let (tables, objects) = match self.rdbms {
            Rdbms::Sqlite => (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                "SELECT type || ' ' || name FROM sqlite_master WHERE type <> 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%upwiz%'",
            ),
            Rdbms::Postgres => (
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                "SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE 'upwiz%' \
                 UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace AND conname NOT LIKE 'upwiz%' \
                 UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal \
                 UNION ALL SELECT 'view ' || table_name FROM information_schema.views WHERE table_schema = current_schema()",
            ),
            Rdbms::Mysql => (
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
                "SELECT CONCAT('index ', table_name, '.', index_name) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%' \
                 UNION ALL SELECT CONCAT('constraint ', constraint_name) FROM information_schema.table_constraints WHERE constraint_schema = DATABASE() AND table_name NOT LIKE 'upwiz%' \
                 UNION ALL SELECT CONCAT('trigger ', trigger_name) FROM information_schema.triggers WHERE trigger_schema = DATABASE() \
                 UNION ALL SELECT CONCAT('view ', table_name) FROM information_schema.views WHERE table_schema = DATABASE() \
                 UNION ALL SELECT CONCAT('collation ', table_name, ' ', table_collation) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%'",
            ),
        };
        let mut out = dump_tables(d.as_mut(), tables);
        let mut names = d.query(objects).unwrap().first_column();
        names.sort();
        out.extend(names);
        out
    }
}

fn crash_matrix(rdbms: Rdbms) {
    let env = Env::new();
    let (script, transactional) = script(rdbms);
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: BASELINE,
            script,
            transactional,
            items: None,
            only: Some(rdbms),
        },
    );
    let reference = Target::new(&env, rdbms, 0);
    assert_ok(&reference.upwiz(&env, &pkg, None, &["install", "--version", "1.0"]));
    assert_ok(&reference.upwiz(&env, &pkg, None, &["run", "--yes"]));
    let expected = reference.state();
    drop(reference);

    let (mut tried, mut mismatched) = (0, Vec::new());
    for n in 1.. {
        let db = Target::new(&env, rdbms, n);
        assert_ok(&db.upwiz(&env, &pkg, None, &["install", "--version", "1.0"]));
        let crashed = db.upwiz(&env, &pkg, Some(n), &["run", "--yes"]);
        if crashed.status.success() {
            break;
        }
        tried += 1;
        if crashed.status.code().is_some() {
            mismatched.push(format!("point {n}: no abort: {}", stderr(&crashed)));
            continue;
        }
        let resumed = db.upwiz(&env, &pkg, None, &["run", "--yes"]);
        if code(&resumed) != 0 {
            mismatched.push(format!(
                "point {n}: the resumed run failed: {}",
                stderr(&resumed)
            ));
        } else if db.state() != expected {
            mismatched.push(format!("point {n}: the resumed database differs"));
        }
    }
    println!(
        "crash matrix {rdbms} DDL: {}/{tried} matched",
        tried - mismatched.len()
    );
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
    assert!(tried >= 20, "only {tried} crash points on {rdbms}");
}

#[test]
fn sqlite_ddl_crash_matrix() {
    crash_matrix(Rdbms::Sqlite);
}

#[test]
fn postgres_ddl_crash_matrix() {
    crash_matrix(Rdbms::Postgres);
}

#[test]
fn mariadb_ddl_crash_matrix() {
    crash_matrix(Rdbms::Mysql);
}

/// On MariaDB an install cannot be one transaction: killed at every journal write, the
/// next install finishes it, to exactly what an uninterrupted install creates.
#[test]
fn mariadb_install_killed_anywhere_is_finished_by_the_next_install() {
    let env = Env::new();
    let (script, _) = script(Rdbms::Mysql);
    let baseline = format!("{BASELINE}\n{script}");
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: &baseline,
            script: "CREATE TABLE later (id INTEGER);\n",
            transactional: true,
            items: None,
            only: None,
        },
    );
    let reference = Target::new(&env, Rdbms::Mysql, 0);
    assert_ok(&reference.upwiz(&env, &pkg, None, &["install", "--version", "1.0"]));
    let expected = reference.state();
    drop(reference);

    let (mut tried, mut mismatched) = (0, Vec::new());
    for n in 1.. {
        let db = Target::new(&env, Rdbms::Mysql, n);
        let crashed = db.upwiz(&env, &pkg, Some(n), &["install", "--version", "1.0"]);
        if crashed.status.success() {
            break;
        }
        tried += 1;
        let again = db.upwiz(&env, &pkg, None, &["install", "--version", "1.0"]);
        if code(&again) != 0 {
            mismatched.push(format!(
                "point {n}: the second install failed: {}",
                stderr(&again)
            ));
        } else if db.state() != expected {
            mismatched.push(format!("point {n}: the finished install differs"));
        }
    }
    println!(
        "crash matrix MySQL/MariaDB install: {}/{tried} matched",
        tried - mismatched.len()
    );
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
    assert!(tried >= 20, "only {tried} crash points");
}
