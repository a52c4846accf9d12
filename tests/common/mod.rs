//! Shared helpers for the integration tests: an isolated environment per test, the real
//! binary, and a dump of a database's product tables for exact comparison.
#![allow(dead_code)]

pub mod anydb;
pub mod https;
pub mod mini;
pub mod servers;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_upwiz");

pub fn demo_package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// A private home for one test: state, config, logs and databases in a temp dir.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn state_dir(&self) -> PathBuf {
        self.path("state/upwiz")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.state_dir().join("UPGRADE.LOG")).unwrap_or_default()
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("USER", "tester")
            .stdin(std::process::Stdio::null());
        c
    }

    /// Runs upwiz with `args`; the package and RDBMS default to the demo on SQLite.
    pub fn upwiz(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("upwiz runs")
    }

    pub fn sqlite(&self, package: &Path, db: &Path, args: &[&str]) -> Output {
        let mut all = vec![
            "--package",
            package.to_str().unwrap(),
            "--rdbms",
            "sqlite",
            "--connect",
            db.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        self.upwiz(&all)
    }

    /// A new demo database at `version`.
    pub fn demo_db(&self, name: &str, version: &str) -> PathBuf {
        let db = self.path(name);
        let out = self.sqlite(&demo_package(), &db, &["install", "--version", version]);
        assert_ok(&out);
        db
    }
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_ok(out: &Output) {
    assert_eq!(
        code(out),
        0,
        "expected success\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Copies a package directory so a test can change it.
pub fn copy_package(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every product table's schema and rows, sorted: two databases with equal dumps hold
/// the same data. The engine's own tables are left out, and so are the wall-clock
/// times scripts write (the demo's audit log stamps CURRENT_TIMESTAMP), which no two
/// runs share.
pub fn dump(db: &Path) -> Vec<String> {
    let today = chrono::Utc::now().date_naive();
    let recent: Vec<String> = [today, today.pred_opt().unwrap()]
        .iter()
        .map(|d| format!("Text(\"{}", d.format("%Y-%m-%d")))
        .collect();
    let conn = rusqlite::Connection::open(db).expect("open dump db");
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'upwiz_%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    let objects: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (kind, name, sql) in objects {
        out.push(format!("{kind} {name}: {}", sql.unwrap_or_default()));
        if kind != "table" {
            continue;
        }
        let mut s = conn.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let n = s.column_count();
        let mut rows: Vec<String> = s
            .query_map([], |r| {
                let mut cells = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    let cell = format!("{v:?}");
                    if recent.iter().any(|p| cell.starts_with(p.as_str())) {
                        cells.push("<run time>".to_string());
                    } else {
                        cells.push(cell);
                    }
                }
                Ok(cells.join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        out.extend(rows.into_iter().map(|r| format!("  {name}: {r}")));
    }
    out
}

pub fn version(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT version FROM lattice_version", [], |r| r.get(0))
        .unwrap()
}

pub fn query_one<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> T {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The bytes of a database file, to prove a command changed nothing.
pub fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// Waits until `ready` holds, looking again every 20 ms, for at most `secs` seconds;
/// panics naming `what` at the deadline. The tests wait on what they can observe (a
/// pause file, a log line, a scratch database), never on time passing.
pub fn wait_until(what: &str, secs: u64, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
