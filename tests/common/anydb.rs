//! One database under test, whatever its RDBMS: a SQLite file or a server database of
//! its own, driven through the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use super::servers::TempDb;
use super::*;
use upwiz::rdbms::Rdbms;

/// One database under test, whatever its RDBMS.
pub enum Db {
    Sqlite(PathBuf),
    Server(TempDb),
}

impl Db {
    pub fn installed(env: &Env, rdbms: Rdbms, version: &str) -> Db {
        let db = Db::empty(env, rdbms);
        db.install(env, &demo_package(), version);
        db
    }

    /// A database with nothing in it yet.
    pub fn empty(env: &Env, rdbms: Rdbms) -> Db {
        match rdbms {
            Rdbms::Sqlite => Db::Sqlite(env.path("app.db")),
            _ => Db::Server(TempDb::new(rdbms)),
        }
    }

    /// Installs `pkg`'s product at `version` into this database.
    pub fn install(&self, env: &Env, pkg: &Path, version: &str) {
        assert_ok(&run(env, self, pkg, &["install", "--version", version]));
    }

    /// One value, as text.
    pub fn scalar(&self, sql: &str) -> String {
        match self {
            Db::Sqlite(p) => rusqlite::Connection::open(p)
                .unwrap()
                .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
                .unwrap(),
            Db::Server(t) => t.scalar(sql),
        }
    }

    pub fn args(&self, pkg: &Path, rest: &[&str]) -> Vec<String> {
        let (rdbms, connect) = match self {
            Db::Sqlite(p) => ("sqlite", p.display().to_string()),
            Db::Server(t) => (t.rdbms.key(), t.url()),
        };
        let mut all: Vec<String> = vec![
            "--package".into(),
            pkg.display().to_string(),
            "--rdbms".into(),
            rdbms.into(),
            "--connect".into(),
            connect,
        ];
        all.extend(rest.iter().map(|s| s.to_string()));
        all
    }

    pub fn version(&self) -> String {
        self.scalar("SELECT version FROM lattice_version")
    }

    pub fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(p) => {
                rusqlite::Connection::open(p)
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            Db::Server(t) => t.execute(sql),
        }
    }

    pub fn dump(&self) -> Vec<String> {
        match self {
            Db::Sqlite(p) => dump(p),
            Db::Server(t) => t.dump(),
        }
    }
}

pub fn run(env: &Env, db: &Db, pkg: &Path, rest: &[&str]) -> Output {
    let args = db.args(pkg, rest);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.upwiz(&args)
}
