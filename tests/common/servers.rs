//! Real PostgreSQL and MariaDB servers for the integration tests. URLs come from
//! UPWIZ_TEST_PG_URL and UPWIZ_TEST_MYSQL_URL (defaults: the project machines' servers);
//! each test makes its own database and drops it afterwards. A missing server fails
//! the test: server tests are never skipped silently.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use upwiz::db::{self, ConnectSpec, OpenMode};
use upwiz::rdbms::Rdbms;

pub fn admin_url(rdbms: Rdbms) -> String {
    match rdbms {
        Rdbms::Postgres => std::env::var("UPWIZ_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        Rdbms::Mysql => std::env::var("UPWIZ_TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".into()),
        Rdbms::Sqlite => unreachable!("SQLite needs no server"),
    }
}

fn admin(rdbms: Rdbms) -> Box<dyn db::Database> {
    let spec = ConnectSpec::parse(rdbms, &admin_url(rdbms), None, None).unwrap();
    db::open(&spec, OpenMode::Existing).unwrap_or_else(|e| {
        panic!(
            "the {rdbms} test server is not reachable ({e}); start it (see README, 'Tests') or set {}",
            if rdbms == Rdbms::Postgres { "UPWIZ_TEST_PG_URL" } else { "UPWIZ_TEST_MYSQL_URL" }
        )
    })
}

/// A database of its own for one test, dropped when the test ends.
pub struct TempDb {
    pub rdbms: Rdbms,
    pub name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TempDb {
    pub fn new(rdbms: Rdbms) -> TempDb {
        let name = format!(
            "upwiz_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut a = admin(rdbms);
        a.execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .unwrap();
        a.execute(&format!("CREATE DATABASE {name}")).unwrap();
        TempDb { rdbms, name }
    }

    /// The connect string for this database, as an operator would give it.
    pub fn url(&self) -> String {
        let admin = admin_url(self.rdbms);
        let (base, query) = admin
            .split_once('?')
            .map_or((admin.as_str(), None), |(b, q)| (b, Some(q)));
        let root = &base[..base.rfind('/').expect("a database in the URL")];
        match query {
            Some(q) => format!("{root}/{}?{q}", self.name),
            None => format!("{root}/{}", self.name),
        }
    }

    pub fn open(&self) -> Box<dyn db::Database> {
        db::open(
            &ConnectSpec::parse(self.rdbms, &self.url(), None, None).unwrap(),
            OpenMode::Existing,
        )
        .expect("open the test database")
    }

    pub fn scalar(&self, sql: &str) -> String {
        self.open().query(sql).unwrap().scalar().unwrap_or_default()
    }

    pub fn execute(&self, sql: &str) {
        self.open().execute(sql).unwrap();
    }

    /// Product tables' rows, sorted, as text; the engine's tables left out.
    pub fn dump(&self) -> Vec<String> {
        let mut d = self.open();
        let schema = if self.rdbms == Rdbms::Postgres {
            "current_schema()"
        } else {
            "DATABASE()"
        };
        dump_tables(
            d.as_mut(),
            &format!(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = {schema} AND table_type = 'BASE TABLE'"
            ),
        )
    }
}

/// The product tables `tables_sql` names (the engine's own left out), each with its
/// columns and its rows sorted as text; wall-clock times written today become
/// `<run time>`. Any RDBMS, read through upwiz's own layer so that dumps compare.
pub fn dump_tables(d: &mut dyn db::Database, tables_sql: &str) -> Vec<String> {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    // Sorted here: server collations order '_' differently from SQLite.
    let mut names: Vec<String> = d
        .query(tables_sql)
        .unwrap()
        .rows
        .iter()
        .filter_map(|r| r[0].as_text())
        .filter(|t| !t.starts_with("upwiz_"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for t in names {
        out.push(format!("table {t}: {}", d.columns(&t).unwrap().join(",")));
        let r = d.query(&format!("SELECT * FROM {t}")).unwrap();
        let mut rows: Vec<String> = r
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| {
                        let s = v.render();
                        if s.starts_with(&today) {
                            "<run time>".to_string()
                        } else {
                            s
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        rows.sort();
        out.extend(rows.into_iter().map(|r| format!("  {t}: {r}")));
    }
    out
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Ok(mut a) = std::panic::catch_unwind(|| admin(self.rdbms)) {
            if self.rdbms == Rdbms::Postgres {
                let _ = a.execute(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
                    self.name
                ));
            }
            let _ = a.execute(&format!("DROP DATABASE IF EXISTS {}", self.name));
        }
    }
}

/// A PostgreSQL server of one test's own, made by scripts/throwaway-servers (the script
/// README's test command uses), stopped and removed when dropped.
pub struct ThrowawayPg {
    dir: tempfile::TempDir,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`
    pub url: String,
    pub port: u16,
}

impl ThrowawayPg {
    /// Trusts local connections, or with `password` takes only that (scram-sha-256).
    pub fn start(password: Option<&str>) -> ThrowawayPg {
        let dir = tempfile::tempdir().unwrap();
        // The server may run as another user (nobody, when the tests run as root),
        // who must reach its directory inside this one.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        }
        let mut c = std::process::Command::new(script());
        c.arg("start").arg(dir.path().join("servers")).arg("pg");
        if let Some(p) = password {
            let pw = dir.path().join("password");
            std::fs::write(&pw, p).unwrap();
            c.arg("--pg-password-file").arg(&pw);
        }
        let out = c.output().expect("scripts/throwaway-servers runs");
        assert!(
            out.status.success(),
            "a throwaway PostgreSQL could not be started: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let url = stdout
            .lines()
            .find_map(|l| l.strip_prefix("UPWIZ_TEST_PG_URL="))
            .expect("the script prints the URL")
            .to_string();
        let port = url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next()?.parse().ok())
            .expect("a port in the URL");
        ThrowawayPg { dir, url, port }
    }
}

impl Drop for ThrowawayPg {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .arg("stop")
            .arg(self.dir.path().join("servers"))
            .output();
    }
}

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/throwaway-servers")
}
