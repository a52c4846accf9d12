//! PostgreSQL through the synchronous `postgres` crate, TLS by rustls where the server
//! offers it (sslmode=prefer, the libpq default) or the connect string demands it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use postgres::config::{Host, SslMode};
use postgres::types::ToSql;
use postgres::{Client, Config, SimpleQueryMessage};

use super::target::PgTarget;
use super::tools::{self, SecretFile};
use super::value::quote_standard;
use super::{
    BackupInfo, Canceller, ConnectSpec, ConnectTarget, Database, DbError, DbErrorKind, QueryResult,
    Value, Violation,
};
use crate::rdbms::Rdbms;

mod dump;
mod errors;
mod params;
mod tls;

use errors::{classify_connect, statement_error, where_};
use params::{number_placeholders, typed_value, TextParam};
use tls::tls;

/// One advisory-lock key for every upwiz run on a database.
pub const ADVISORY_KEY: i64 = 0x7570_7769_7a00;

pub struct PostgresDb {
    client: Client,
    config: Config,
    target: PgTarget,
    spec: ConnectSpec,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
}

/// Cancels the statement a connection runs, through the server's cancel request.
struct PgCanceller {
    token: postgres::CancelToken,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
}

impl Canceller for PgCanceller {
    fn cancel(&self) {
        let _ = match &self.tls {
            Some(t) => self.token.cancel_query(t.clone()),
            None => self.token.cancel_query(postgres::NoTls),
        };
    }
}

impl PostgresDb {
    pub fn open(spec: &ConnectSpec) -> Result<Self, DbError> {
        let ConnectTarget::Postgres(target) = &spec.target else {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                "not a PostgreSQL connect string",
            ));
        };
        let mut config: Config = target
            .driver_string()
            .parse()
            .map_err(|e: postgres::Error| {
                let why =
                    std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
                DbError::new(
                    DbErrorKind::BadConnectString,
                    format!(
                        "the connect string '{}' is not valid ({why})",
                        spec.redacted()
                    ),
                )
            })?;
        // The user given apart from the connect string (equal to its own, if both).
        if let Some(u) = &spec.user {
            config.user(u);
        }
        if config.get_user().is_none() {
            config.user(&super::default_user());
        }
        if let Some(p) = &spec.password {
            config.password(p.expose());
        }
        config.connect_timeout(spec.limits.connect);
        config.application_name("upwiz");
        let tls = if config.get_ssl_mode() == SslMode::Disable {
            None
        } else {
            Some(tls(target.tls, &target.files)?)
        };
        let (c, t) = (config.clone(), tls.clone());
        // The driver's own timeout covers the TCP connect only: a server that accepts
        // and then says nothing would hold the TLS handshake or the login for ever.
        let connected = tools::within(spec.limits.connect, move || match t {
            Some(t) => c.connect(t),
            None => c.connect(postgres::NoTls),
        });
        let mut client = match connected {
            Some(r) => r.map_err(|e| classify_connect(&config, e))?,
            None => {
                return Err(DbError::new(
                    DbErrorKind::Unreachable,
                    format!(
                        "the PostgreSQL server at {} did not complete the connection and login within {} s; check that it is a PostgreSQL server and is not overloaded (or raise connect_timeout)",
                        where_(&config),
                        spec.limits.connect.as_secs()
                    ),
                ))
            }
        };
        // upwiz's own statements wait a bounded time for another session's locks.
        client
            .batch_execute(&format!(
                "SET lock_timeout = {}",
                spec.limits.lock.as_millis()
            ))
            .map_err(statement_error)?;
        Ok(PostgresDb {
            client,
            config,
            target: target.clone(),
            spec: spec.clone(),
            tls,
        })
    }

    /// For pg_dump and pg_restore: where and how to connect, TLS mode and files as
    /// given, and the password through a file only the tool can open.
    fn env_for_tools(&self, cmd: &mut Command, dir: &Path) -> Result<Option<SecretFile>, DbError> {
        for (k, v) in tool_env(&self.target, &self.config, &self.spec) {
            cmd.env(k, v);
        }
        let Some(pw) = &self.spec.password else {
            return Ok(None);
        };
        let esc = |s: &str| s.replace('\\', "\\\\").replace(':', "\\:");
        let line = format!("*:*:*:*:{}\n", esc(pw.expose()));
        let file = SecretFile::create(dir, "pgpass", &line)?;
        file.pass_to(cmd);
        cmd.env("PGPASSFILE", file.path());
        Ok(Some(file))
    }

    /// Who holds locks in this database, for the message when a statement gave up
    /// waiting for one.
    fn lock_holders(&mut self) -> String {
        let sql = "SELECT a.pid, COALESCE(a.usename, ''), COALESCE(NULLIF(a.application_name, ''), '-'), COALESCE(a.state, ''), l.mode, COALESCE(c.relname, l.locktype) \
                   FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
                   WHERE l.granted AND l.pid <> pg_backend_pid() AND l.mode <> 'AccessShareLock' AND l.locktype = 'relation' \
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 1 LIMIT 5";
        let Ok(r) = self.client.simple_query(sql) else {
            return "another session holds it (see pg_locks and pg_stat_activity)".into();
        };
        let held: Vec<String> = r
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => {
                    let c = |i: usize| row.get(i).unwrap_or("").to_string();
                    Some(format!(
                        "session {} (user {}, application {}, {}) holds {} on {}",
                        c(0),
                        c(1),
                        c(2),
                        c(3),
                        c(4),
                        c(5)
                    ))
                }
                _ => None,
            })
            .collect();
        if held.is_empty() {
            "another session held it (see pg_locks and pg_stat_activity)".into()
        } else {
            held.join("; ")
        }
    }

    fn explain(&mut self, e: postgres::Error) -> DbError {
        let lock_wait = e.as_db_error().is_some_and(|d| d.code().code() == "55P03");
        let mut err = statement_error(e);
        if lock_wait {
            let holders = self.lock_holders();
            err.message = format!(
                "gave up after waiting {} s for a lock: {holders}; end that session or wait until it finishes, then run upwiz again",
                self.spec.limits.lock.as_secs()
            );
            err.kind = DbErrorKind::Locked;
        }
        err
    }

    fn database_size(&mut self) -> u64 {
        self.query("SELECT pg_database_size(current_database())")
            .ok()
            .and_then(|r| r.scalar())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// The libpq environment of the backup tools: the target as parsed, TLS mode and
/// files unchanged (verify-full stays verify-full), no password.
fn tool_env(target: &PgTarget, config: &Config, spec: &ConnectSpec) -> Vec<(&'static str, String)> {
    let mut env = vec![("PGAPPNAME", "upwiz-backup".to_string())];
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(h) => h.clone(),
            Host::Unix(p) => p.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        env.push(("PGHOST", hosts.join(",")));
    }
    if !target.ports.is_empty() {
        let p: Vec<String> = target.ports.iter().map(u16::to_string).collect();
        env.push(("PGPORT", p.join(",")));
    }
    if let Some(u) = config.get_user() {
        env.push(("PGUSER", u.to_string()));
    }
    if let Some(d) = config.get_dbname() {
        env.push(("PGDATABASE", d.to_string()));
    }
    env.push(("PGSSLMODE", target.tls.libpq().to_string()));
    for (k, v) in [
        ("PGSSLROOTCERT", &target.files.ca),
        ("PGSSLCERT", &target.files.cert),
        ("PGSSLKEY", &target.files.key),
    ] {
        if let Some(v) = v {
            env.push((k, v.display().to_string()));
        }
    }
    // pg_dump waits for table locks no longer than upwiz's own statements do.
    let mut options = format!("-c lock_timeout={}", spec.limits.lock.as_millis());
    for (k, v) in &target.options {
        match k.as_str() {
            "options" => options = format!("{v} {options}"),
            "target_session_attrs" => env.push(("PGTARGETSESSIONATTRS", v.clone())),
            _ => {}
        }
    }
    env.push(("PGOPTIONS", options));
    env.push((
        "PGCONNECT_TIMEOUT",
        spec.limits.connect.as_secs().max(2).to_string(),
    ));
    env
}

impl Database for PostgresDb {
    fn canceller(&self) -> Option<Arc<dyn Canceller>> {
        Some(Arc::new(PgCanceller {
            token: self.client.cancel_token(),
            tls: self.tls.clone(),
        }))
    }

    fn rdbms(&self) -> Rdbms {
        Rdbms::Postgres
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        let v = self
            .query("SHOW server_version")?
            .scalar()
            .unwrap_or_default();
        Ok(format!("PostgreSQL {v}"))
    }

    fn execute(&mut self, sql: &str) -> Result<u64, DbError> {
        let msgs = match self.client.simple_query(sql) {
            Ok(m) => m,
            Err(e) => return Err(self.explain(e)),
        };
        Ok(msgs
            .iter()
            .map(|m| match m {
                SimpleQueryMessage::CommandComplete(n) => *n,
                _ => 0,
            })
            .sum())
    }

    fn execute_batch(&mut self, statements: &[&str]) -> Result<(), DbError> {
        // One simple query: the server stops at the first statement that fails.
        match self.client.batch_execute(&statements.join(";\n")) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.explain(e)),
        }
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let msgs = match self.client.simple_query(sql) {
            Ok(m) => m,
            Err(e) => return Err(self.explain(e)),
        };
        let mut out = QueryResult::default();
        for m in msgs {
            match m {
                SimpleQueryMessage::RowDescription(cols) if out.columns.is_empty() => {
                    out.columns = cols.iter().map(|c| c.name().to_string()).collect();
                }
                SimpleQueryMessage::Row(row) => {
                    if out.columns.is_empty() {
                        out.columns = row.columns().iter().map(|c| c.name().to_string()).collect();
                    }
                    out.rows.push(
                        (0..row.len())
                            .map(|i| {
                                row.get(i)
                                    .map_or(Value::Null, |s| Value::Text(s.to_string()))
                            })
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        if params.is_empty() {
            return self.execute(sql);
        }
        let bound: Vec<TextParam> = params.iter().map(TextParam).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p as _).collect();
        self.client
            .execute(&number_placeholders(sql), &refs)
            .map_err(statement_error)
    }

    fn query_with(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError> {
        if params.is_empty() {
            return self.query(sql);
        }
        let bound: Vec<TextParam> = params.iter().map(TextParam).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p as _).collect();
        let stmt = self
            .client
            .prepare(&number_placeholders(sql))
            .map_err(statement_error)?;
        let rows = self.client.query(&stmt, &refs).map_err(statement_error)?;
        Ok(QueryResult {
            columns: stmt
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect(),
            rows: rows
                .iter()
                .map(|r| (0..r.len()).map(|i| typed_value(r, i)).collect())
                .collect(),
        })
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.execute("BEGIN").map(|_| ())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.execute("COMMIT").map(|_| ())
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        self.execute("ROLLBACK").map(|_| ())
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let sql = format!(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {}",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(!self.query(&sql)?.rows.is_empty())
    }

    fn columns(&mut self, table: &str) -> Result<Vec<String>, DbError> {
        let sql = format!(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = {} ORDER BY ordinal_position",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(self.query(&sql)?.first_column())
    }

    fn quote(&self, v: &Value) -> String {
        quote_standard(v)
    }

    fn backup_preflight(&mut self, dir: &Path) -> Result<(), DbError> {
        tools::find("UPWIZ_PG_DUMP", &["pg_dump"])?;
        tools::find("UPWIZ_PG_RESTORE", &["pg_restore"])?;
        let size = self.database_size();
        tools::check_space(dir, size / 2 + 1_000_000)
    }

    fn backup(
        &mut self,
        dir: &Path,
        stem: &str,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<BackupInfo, DbError> {
        self.dump_to(dir, stem, progress)
    }

    fn verify_backup(&mut self, file: &Path) -> Result<String, DbError> {
        self.verify_dump(file)
    }

    fn restore(&mut self, file: &Path) -> Result<String, DbError> {
        self.restore_dump(file)
    }

    fn builtin_violations(&mut self) -> Result<Vec<Violation>, DbError> {
        let mut out = Vec::new();
        let fks = self.query(
            "SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text, \
             (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att), \
             (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.att) \
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE c.contype = 'f' AND n.nspname = current_schema() AND c.conrelid::regclass::text NOT LIKE 'upwiz\\_%'",
        )?;
        for row in fks.rows {
            let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
            let (name, child, parent, ccols, pcols) = (t(0), t(1), t(2), t(3), t(4));
            let sql = super::orphans::orphan_count_sql(&child, &parent, &ccols, &pcols);
            let n: u64 = self
                .query(&sql)?
                .scalar()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if n > 0 {
                out.push(Violation {
                    check: "foreign key".into(),
                    detail: format!("{n} {child} row(s) refer to missing {parent} rows ({name})"),
                });
            }
        }
        // Constraints added NOT VALID are not enforced on old rows: check those rows.
        let unchecked = self.query(
            "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE c.contype = 'c' AND NOT c.convalidated AND n.nspname = current_schema()",
        )?;
        for row in unchecked.rows {
            let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
            let (name, table, def) = (t(0), t(1), t(2));
            let expr = def
                .trim_start_matches("CHECK ")
                .trim_end_matches(" NOT VALID");
            let n: u64 = self
                .query(&format!("SELECT count(*) FROM {table} WHERE NOT {expr}"))?
                .scalar()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if n > 0 {
                out.push(Violation {
                    check: "constraint".into(),
                    detail: format!("{n} {table} row(s) break CHECK constraint {name}"),
                });
            }
        }
        Ok(out)
    }

    fn session_lock(&mut self) -> Result<Option<bool>, DbError> {
        let got = self
            .query(&format!("SELECT pg_try_advisory_lock({ADVISORY_KEY})"))?
            .scalar();
        Ok(Some(got.as_deref() == Some("t")))
    }

    fn session_lock_held(&mut self) -> Result<Option<bool>, DbError> {
        let (hi, lo) = ((ADVISORY_KEY >> 32) as u32, ADVISORY_KEY as u32);
        let sql = format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = {hi} AND objid = {lo} AND pid <> pg_backend_pid()"
        );
        Ok(Some(self.query(&sql)?.scalar().as_deref() != Some("0")))
    }
}

#[cfg(test)]
mod connect_tests {
    use super::*;

    #[test]
    fn the_backup_tools_get_the_tls_mode_and_files_as_given_and_no_password() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, b"").unwrap();
        let text = format!(
            "host=db.example.com port=5433 dbname=app user=app sslmode=verify-full sslrootcert={}",
            ca.display()
        );
        let spec = ConnectSpec::parse(
            Rdbms::Postgres,
            &text,
            None,
            Some(crate::secret::Secret::new("s3cret")),
        )
        .unwrap();
        let ConnectTarget::Postgres(t) = &spec.target else {
            panic!()
        };
        let config: Config = t.driver_string().parse().unwrap();
        let env = tool_env(t, &config, &spec);
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
        assert_eq!(get("PGSSLMODE").as_deref(), Some("verify-full"));
        assert_eq!(get("PGSSLROOTCERT"), Some(ca.display().to_string()));
        assert_eq!(get("PGHOST").as_deref(), Some("db.example.com"));
        assert_eq!(get("PGPORT").as_deref(), Some("5433"));
        assert_eq!(get("PGOPTIONS").as_deref(), Some("-c lock_timeout=30000"));
        assert!(env.iter().all(|(_, v)| !v.contains("s3cret")));
    }
}
