//! PostgreSQL through the synchronous `postgres` crate, TLS by rustls where the server
//! offers it (sslmode=prefer, the libpq default) or the connect string demands it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use postgres::config::{Host, SslMode};
use postgres::types::{Format, IsNull, ToSql, Type};
use postgres::{Client, Config, SimpleQueryMessage};

use super::tools::{self, SecretFile};
use super::value::quote_standard;
use super::{
    BackupInfo, ConnectSpec, Database, DbError, DbErrorKind, QueryResult, Value, Violation,
};
use crate::rdbms::Rdbms;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One advisory-lock key for every upwiz run on a database.
pub const ADVISORY_KEY: i64 = 0x7570_7769_7a00;

pub struct PostgresDb {
    client: Client,
    config: Config,
}

/// TLS as libpq does it: `sslmode=prefer` and `require` encrypt without checking the
/// certificate; `verify-ca` and `verify-full` check it against the system's roots.
fn tls(verify: bool) -> tokio_postgres_rustls::MakeRustlsConnect {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    let config = if verify {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth()
    };
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The postgres crate knows disable/prefer/require; verify-ca and verify-full are
/// taken off here and mean "require, and check the certificate".
fn split_verify(target: &str) -> (String, bool) {
    let mut verify = false;
    let mut out = target.to_string();
    for mode in ["verify-full", "verify-ca"] {
        for form in [format!("sslmode={mode}")] {
            if out.contains(&form) {
                verify = true;
                out = out.replace(&form, "sslmode=require");
            }
        }
    }
    (out, verify)
}

fn where_(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            Host::Tcp(h) => h.clone(),
            Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// One plain sentence for a connection error; never includes the password.
fn classify_connect(config: &Config, e: postgres::Error) -> DbError {
    let at = where_(config);
    let user = config.get_user().unwrap_or("(default)");
    let db = config.get_dbname().unwrap_or(user);
    if let Some(dbe) = e.as_db_error() {
        let code = dbe.code().code().to_string();
        let (kind, msg) = match code.as_str() {
            "28P01" | "28000" => (
                DbErrorKind::Auth,
                format!("authentication failed for user '{user}' on {at}: check the user name and password"),
            ),
            "3D000" => (
                DbErrorKind::NoDatabase,
                format!("database '{db}' does not exist on {at}"),
            ),
            "42501" => (
                DbErrorKind::Permission,
                format!("permission denied for user '{user}' on {at}: {}", dbe.message()),
            ),
            _ => (DbErrorKind::Unreachable, format!("the server at {at} refused the connection: {}", dbe.message())),
        };
        return DbError::new(kind, msg).with_code(code);
    }
    let text = e.to_string();
    let source = std::error::Error::source(&e)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let detail = if source.is_empty() { text } else { source };
    if detail.contains("password") && detail.contains("missing") {
        return DbError::new(
            DbErrorKind::Auth,
            format!("the server at {at} asks for a password for user '{user}'; give it with UPWIZ_PASSWORD, --password-file or the wizard"),
        );
    }
    if detail.contains("TLS") || detail.contains("tls") || detail.contains("certificate") {
        return DbError::new(
            DbErrorKind::Unreachable,
            format!("TLS with {at} failed: {detail}"),
        );
    }
    DbError::new(
        DbErrorKind::Unreachable,
        format!("cannot reach the PostgreSQL server at {at}: {detail}"),
    )
}

fn statement_error(e: postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(dbe) => {
            let mut msg = format!("{}: {}", dbe.severity(), dbe.message());
            if let Some(d) = dbe.detail() {
                msg.push_str(&format!(" ({d})"));
            }
            let kind = if dbe.code().code() == "42501" {
                DbErrorKind::Permission
            } else {
                DbErrorKind::Statement
            };
            DbError::new(kind, msg).with_code(dbe.code().code())
        }
        None => DbError::new(
            DbErrorKind::Io,
            format!("the connection to PostgreSQL failed: {e}"),
        ),
    }
}

impl PostgresDb {
    pub fn open(spec: &ConnectSpec) -> Result<Self, DbError> {
        let target = spec.target.trim();
        if target.is_empty() {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                "the connect string is empty",
            ));
        }
        // Neither a postgres:// URL nor key=value pairs: typically a file path or another
        // server's URL, which the driver would only call "unexpected EOF".
        let is_url = target.contains("://");
        if (is_url && !(target.starts_with("postgres://") || target.starts_with("postgresql://")))
            || (!is_url && !target.contains('='))
        {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                format!("'{}' is not a PostgreSQL connect string; use postgres://user@host:port/database or host=... dbname=...", super::redact(target)),
            ));
        }
        let (target_text, verify) = split_verify(target);
        let mut config: Config = target_text.parse().map_err(|e: postgres::Error| {
            // The error itself only says "invalid connection string"; its source says what.
            let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            DbError::new(
                DbErrorKind::BadConnectString,
                format!("the connect string '{}' is not valid ({why}); use postgres://user@host:port/database or host=... dbname=...", super::redact(target)),
            )
        })?;
        if let Some(u) = &spec.user {
            config.user(u);
        }
        if config.get_user().is_none() {
            config.user(&super::default_user());
        }
        if let Some(p) = &spec.password {
            config.password(p.expose());
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("upwiz");
        let client = if config.get_ssl_mode() == SslMode::Disable {
            config.connect(postgres::NoTls)
        } else {
            config.connect(tls(verify))
        }
        .map_err(|e| classify_connect(&config, e))?;
        Ok(PostgresDb { client, config })
    }

    fn env_for_tools(&self, cmd: &mut Command, dir: &Path) -> Result<Option<SecretFile>, DbError> {
        cmd.env_remove("PGPASSWORD")
            .env("PGAPPNAME", "upwiz-backup");
        if let Some(Host::Tcp(h)) = self.config.get_hosts().first() {
            cmd.env("PGHOST", h);
        }
        if let Some(Host::Unix(p)) = self.config.get_hosts().first() {
            cmd.env("PGHOST", p);
        }
        if let Some(p) = self.config.get_ports().first() {
            cmd.env("PGPORT", p.to_string());
        }
        if let Some(u) = self.config.get_user() {
            cmd.env("PGUSER", u);
        }
        if let Some(d) = self.config.get_dbname() {
            cmd.env("PGDATABASE", d);
        }
        let mode = match self.config.get_ssl_mode() {
            SslMode::Disable => "disable",
            SslMode::Require => "require",
            _ => "prefer",
        };
        cmd.env("PGSSLMODE", mode);
        let Some(pw) = self.config.get_password() else {
            return Ok(None);
        };
        let esc = |s: &str| s.replace('\\', "\\\\").replace(':', "\\:");
        let line = format!("*:*:*:*:{}\n", esc(&String::from_utf8_lossy(pw)));
        let file = SecretFile::create(dir, "pgpass", &line)?;
        cmd.env("PGPASSFILE", &file.0);
        Ok(Some(file))
    }

    fn database_size(&mut self) -> u64 {
        self.query("SELECT pg_database_size(current_database())")
            .ok()
            .and_then(|r| r.scalar())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

impl Database for PostgresDb {
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
        let msgs = self.client.simple_query(sql).map_err(statement_error)?;
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
        self.client
            .batch_execute(&statements.join(";\n"))
            .map_err(statement_error)
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let msgs = self.client.simple_query(sql).map_err(statement_error)?;
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
        self.backup_preflight(dir)?;
        let dump = tools::find("UPWIZ_PG_DUMP", &["pg_dump"])?;
        let restore = tools::find("UPWIZ_PG_RESTORE", &["pg_restore"])?;
        let tables: u64 = self
            .query("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")?
            .scalar()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let dest = dir.join(format!("{stem}.pgdump"));
        // pg_dump writes a file created here, under a temporary name, that becomes the
        // backup once verified; on failure it is removed with `pending`.
        let (pending, file) = crate::fsutil::Pending::create(dest.clone())
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot create the backup: {e}")))?;
        drop(file);
        let mut cmd = Command::new(&dump);
        cmd.args(["--format=custom", "--verbose", "--no-password", "--file"])
            .arg(pending.tmp());
        let _pass = self.env_for_tools(&mut cmd, dir)?;
        let mut child = tools::spawn(&mut cmd, "pg_dump")?;
        let mut err_text = String::new();
        let mut done = 0u64;
        if let Some(err) = child.stderr.take() {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if line.contains("dumping contents of table") {
                    done += 1;
                    progress(done.min(tables), tables.max(done));
                }
                err_text.push_str(&line);
                err_text.push('\n');
            }
        }
        let status = child
            .wait()
            .map_err(|e| DbError::new(DbErrorKind::Io, e.to_string()))?;
        if !status.success() {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!("pg_dump failed ({status}): {}", tools::tail(&err_text)),
            ));
        }
        let list = Command::new(&restore)
            .arg("--list")
            .arg(pending.tmp())
            .output()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot start pg_restore: {e}")))?;
        let toc = String::from_utf8_lossy(&list.stdout);
        if !list.status.success() || !toc.contains("TABLE DATA") {
            return Err(DbError::new(
                DbErrorKind::Io,
                format!(
                    "the backup {} failed verification (pg_restore --list) and was not kept: {}",
                    dest.display(),
                    tools::tail(&String::from_utf8_lossy(&list.stderr))
                ),
            ));
        }
        let entries = toc
            .lines()
            .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
            .count();
        let path = pending
            .publish()
            .map_err(|e| DbError::new(DbErrorKind::Io, format!("cannot keep the backup: {e}")))?;
        progress(tables, tables);
        Ok(BackupInfo {
            bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            path,
            verified: format!("pg_restore --list ok, {entries} entries"),
        })
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

/// A parameter sent in PostgreSQL's text format: the server parses it as whatever type
/// the statement gives it there, as it would a literal, but it is never SQL.
#[derive(Debug)]
struct TextParam<'a>(&'a Value);

impl ToSql for TextParam<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let text = match self.0 {
            Value::Null => return Ok(IsNull::Yes),
            Value::Blob(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                format!("\\x{hex}")
            }
            other => other.render(),
        };
        if text.contains('\0') {
            return Err("a text value holds a NUL character, which PostgreSQL cannot store".into());
        }
        out.extend_from_slice(text.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    postgres::types::to_sql_checked!();
}

/// A column of a row read with the extended protocol (binary), as the simple protocol
/// would have shown it.
fn typed_value(row: &postgres::Row, i: usize) -> Value {
    fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Option<T> {
        row.try_get::<_, Option<T>>(i).ok().flatten()
    }
    let ty = row.columns()[i].type_().clone();
    let v = match ty {
        Type::INT2 => get::<i16>(row, i).map(|v| Value::Int(v.into())),
        Type::INT4 => get::<i32>(row, i).map(|v| Value::Int(v.into())),
        Type::INT8 => get::<i64>(row, i).map(Value::Int),
        Type::OID => get::<u32>(row, i).map(|v| Value::Int(v.into())),
        Type::FLOAT4 => get::<f32>(row, i).map(|v| Value::Real(v.into())),
        Type::FLOAT8 => get::<f64>(row, i).map(Value::Real),
        Type::BOOL => get::<bool>(row, i).map(|b| Value::Text(if b { "t" } else { "f" }.into())),
        Type::BYTEA => get::<Vec<u8>>(row, i).map(Value::Blob),
        _ => get::<String>(row, i).map(Value::Text),
    };
    v.unwrap_or(Value::Null)
}

/// `?` placeholders numbered `$1`, `$2`, ... as PostgreSQL wants them; a `?` inside a
/// string, a quoted name or a comment is left alone.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                n += 1;
                out.push_str(&format!("${n}"));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod placeholder_tests {
    use super::number_placeholders;

    #[test]
    fn numbers_placeholders_outside_strings_and_names() {
        assert_eq!(
            number_placeholders("UPDATE t SET a = ?, \"b?\" = '?' WHERE c = ? -- ?\n AND d = ?"),
            "UPDATE t SET a = $1, \"b?\" = '?' WHERE c = $2 -- ?\n AND d = $3"
        );
    }
}
