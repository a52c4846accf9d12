//! MySQL and MariaDB through the synchronous `mysql` crate. DDL commits implicitly
//! here, so the engine journals every statement as it completes.

use std::path::Path;
use std::sync::Arc;

use mysql::prelude::Queryable;
use mysql::{ClientIdentity, Conn, Opts, OptsBuilder, SslOpts};

use super::target::{MyTarget, TlsMode};
use super::tools;
use super::{
    BackupInfo, Canceller, ConnectSpec, ConnectTarget, Database, DbError, DbErrorKind, QueryResult,
    Value, Violation,
};
use crate::rdbms::Rdbms;

pub struct MysqlDb {
    conn: Conn,
    opts: Opts,
    target: MyTarget,
    spec: ConnectSpec,
    backslash_escapes: bool,
}

/// id, user, host, command and seconds in it: one row of the process list.
type Session = (u64, String, String, String, u64);

/// Cancels the statement a connection runs: KILL QUERY from a second connection.
struct MyCanceller {
    opts: Opts,
    id: u32,
    limit: std::time::Duration,
}

impl Canceller for MyCanceller {
    fn cancel(&self) {
        let (opts, id) = (self.opts.clone(), self.id);
        let _ = tools::within(self.limit, move || {
            if let Ok(mut c) = Conn::new(opts) {
                let _ = c.query_drop(format!("KILL QUERY {id}"));
            }
        });
    }
}

/// The driver's TLS settings for the mode and files the connect string names:
/// `required` encrypts without checking (unless a CA is named), `verify_ca` checks the
/// chain, `verify_identity` also the host name.
fn ssl_opts(t: &MyTarget) -> Option<SslOpts> {
    let mut ssl = match t.tls {
        TlsMode::Disable => return None,
        // The driver cannot fall back to plain text: as before, no TLS unless asked.
        TlsMode::Prefer if t.files.ca.is_none() && t.files.cert.is_none() => return None,
        TlsMode::Prefer | TlsMode::Require => {
            let ssl = SslOpts::default().with_danger_skip_domain_validation(true);
            if t.files.ca.is_some() {
                ssl
            } else {
                ssl.with_danger_accept_invalid_certs(true)
            }
        }
        TlsMode::VerifyCa => SslOpts::default().with_danger_skip_domain_validation(true),
        TlsMode::VerifyFull => SslOpts::default(),
    };
    if let Some(ca) = &t.files.ca {
        ssl = ssl.with_root_cert_path(Some(ca.clone()));
    }
    if let (Some(cert), Some(key)) = (&t.files.cert, &t.files.key) {
        ssl = ssl.with_client_identity(Some(ClientIdentity::new(cert.clone(), key.clone())));
    }
    Some(ssl)
}

fn value(v: mysql::Value) -> Value {
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Bytes(b) => match String::from_utf8(b) {
            Ok(s) => Value::Text(s),
            Err(e) => Value::Blob(e.into_bytes()),
        },
        mysql::Value::Int(i) => Value::Int(i),
        mysql::Value::UInt(u) => {
            i64::try_from(u).map_or_else(|_| Value::Text(u.to_string()), Value::Int)
        }
        mysql::Value::Float(f) => Value::Real(f as f64),
        mysql::Value::Double(f) => Value::Real(f),
        other => Value::Text(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

/// Values for a prepared statement: sent apart from the SQL, whatever the sql_mode.
fn bound(params: &[Value]) -> mysql::Params {
    mysql::Params::Positional(
        params
            .iter()
            .map(|v| match v {
                Value::Null => mysql::Value::NULL,
                Value::Int(i) => mysql::Value::Int(*i),
                Value::Real(f) => mysql::Value::Double(*f),
                Value::Text(s) => mysql::Value::Bytes(s.as_bytes().to_vec()),
                Value::Blob(b) => mysql::Value::Bytes(b.clone()),
            })
            .collect(),
    )
}

mod dump;
mod errors;

use errors::{classify_connect, plain, statement_error, where_};

impl MysqlDb {
    pub fn open(spec: &ConnectSpec) -> Result<Self, DbError> {
        let ConnectTarget::Mysql(target) = &spec.target else {
            return Err(DbError::new(
                DbErrorKind::BadConnectString,
                "not a MySQL connect string",
            ));
        };
        let base = Opts::from_url(&target.driver_url()).map_err(|e| {
            DbError::new(
                DbErrorKind::BadConnectString,
                format!(
                    "the connect string '{}' is not valid: {}",
                    spec.redacted(),
                    plain(&mysql::Error::UrlError(e))
                ),
            )
        })?;
        let mut b = OptsBuilder::from_opts(base)
            .tcp_connect_timeout(Some(spec.limits.connect))
            .ssl_opts(ssl_opts(target));
        if let Some(u) = &spec.user {
            b = b.user(Some(u.clone()));
        }
        if let Some(p) = &spec.password {
            b = b.pass(Some(p.expose().to_string()));
        }
        let opts: Opts = b.into();
        let o = opts.clone();
        // The driver's timeout covers the TCP connect only: a server that accepts and
        // then says nothing would hold the handshake and login for ever.
        let mut conn = match tools::within(spec.limits.connect, move || Conn::new(o)) {
            Some(r) => r.map_err(|e| classify_connect(&opts, e))?,
            None => {
                return Err(DbError::new(
                    DbErrorKind::Unreachable,
                    format!(
                        "the MySQL/MariaDB server at {} did not complete the connection and login within {} s; check that it is a MySQL or MariaDB server and is not overloaded (or raise connect_timeout)",
                        where_(&opts),
                        spec.limits.connect.as_secs()
                    ),
                ))
            }
        };
        let lock = spec.limits.lock.as_secs().max(1);
        // upwiz's own statements wait a bounded time for table and row locks.
        conn.query_drop(format!(
            "SET SESSION lock_wait_timeout = {lock}, SESSION innodb_lock_wait_timeout = {lock}"
        ))
        .map_err(statement_error)?;
        let mode: Option<String> = conn
            .query_first("SELECT @@SESSION.sql_mode")
            .map_err(statement_error)?;
        let backslash_escapes = !mode.unwrap_or_default().contains("NO_BACKSLASH_ESCAPES");
        Ok(MysqlDb {
            conn,
            opts,
            target: target.clone(),
            spec: spec.clone(),
            backslash_escapes,
        })
    }

    /// Who else is connected to this database, for the message when a statement gave
    /// up waiting for a lock.
    fn lock_holders(&mut self) -> String {
        let rows: Result<Vec<Session>, _> = self.conn.query(
            "SELECT ID, COALESCE(USER, ''), COALESCE(HOST, ''), COALESCE(COMMAND, ''), COALESCE(TIME, 0) \
             FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND DB = DATABASE() ORDER BY ID LIMIT 5",
        );
        match rows {
            Ok(r) if !r.is_empty() => {
                let who: Vec<String> = r
                    .into_iter()
                    .map(|(id, user, host, cmd, time)| {
                        format!("connection {id} ({user}@{host}, {cmd} for {time} s)")
                    })
                    .collect();
                format!(
                    "one of these sessions holds it (LOCK TABLES or an open transaction): {}",
                    who.join("; ")
                )
            }
            _ => "another session holds it (see SHOW PROCESSLIST)".into(),
        }
    }

    fn explain(&mut self, e: mysql::Error) -> DbError {
        let lock_wait = matches!(&e, mysql::Error::MySqlError(me) if me.code == 1205);
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

    /// The option file of the dump tool: where, as whom, TLS as given, the password.
    fn option_file(&self, flavor_mariadb: bool) -> String {
        let quote_opt = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let t = &self.target;
        // No connect-timeout: the dump tools do not know that option.
        let mut cnf = format!("[client]\nhost={}\nport={}\n", quote_opt(&t.host), t.port);
        if let Some(u) = &self.spec.user {
            cnf.push_str(&format!("user={}\n", quote_opt(u)));
        }
        if let Some(p) = &self.spec.password {
            cnf.push_str(&format!("password={}\n", quote_opt(p.expose())));
        }
        if flavor_mariadb {
            cnf.push_str(match t.tls {
                TlsMode::Disable => "skip-ssl\n",
                TlsMode::Prefer => "",
                TlsMode::Require => "ssl\ndisable-ssl-verify-server-cert\n",
                // MariaDB's clients check the chain and the name together.
                TlsMode::VerifyCa | TlsMode::VerifyFull => "ssl\nssl-verify-server-cert\n",
            });
        } else if t.tls != TlsMode::Prefer {
            cnf.push_str(&format!("ssl-mode={}\n", t.tls.mysql()));
        }
        for (k, v) in [
            ("ssl-ca", &t.files.ca),
            ("ssl-cert", &t.files.cert),
            ("ssl-key", &t.files.key),
        ] {
            if let Some(v) = v {
                cnf.push_str(&format!("{k}={}\n", quote_opt(&v.display().to_string())));
            }
        }
        cnf
    }

    fn query_rows(&mut self, sql: &str) -> Result<QueryResult, mysql::Error> {
        let mut result = self.conn.query_iter(sql)?;
        let mut out = QueryResult::default();
        if let Some(set) = result.iter() {
            out.columns = set
                .columns()
                .as_ref()
                .iter()
                .map(|c| c.name_str().into_owned())
                .collect();
            for row in set {
                out.rows
                    .push(row?.unwrap().into_iter().map(value).collect());
            }
        }
        Ok(out)
    }

    fn lock_name(&self) -> String {
        "CONCAT('upwiz_', DATABASE())".into()
    }
}

impl Database for MysqlDb {
    fn canceller(&self) -> Option<Arc<dyn Canceller>> {
        Some(Arc::new(MyCanceller {
            opts: self.opts.clone(),
            id: self.conn.connection_id(),
            limit: self.spec.limits.connect,
        }))
    }

    fn rdbms(&self) -> Rdbms {
        Rdbms::Mysql
    }

    fn server_version(&mut self) -> Result<String, DbError> {
        let v = self.query("SELECT VERSION()")?.scalar().unwrap_or_default();
        let product = if v.to_ascii_lowercase().contains("mariadb") {
            "MariaDB"
        } else {
            "MySQL"
        };
        Ok(format!("{product} {}", v.split('-').next().unwrap_or(&v)))
    }

    fn execute(&mut self, sql: &str) -> Result<u64, DbError> {
        if let Err(e) = self.conn.query_drop(sql) {
            return Err(self.explain(e));
        }
        Ok(self.conn.affected_rows())
    }

    fn execute_batch(&mut self, statements: &[&str]) -> Result<(), DbError> {
        // One multi-statement query: the server stops at the first statement that fails,
        // and its error comes with that statement's result.
        let mut result = self
            .conn
            .query_iter(statements.join(";\n"))
            .map_err(statement_error)?;
        while let Some(set) = result.iter() {
            for row in set {
                row.map_err(statement_error)?;
            }
        }
        Ok(())
    }

    fn query(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        match self.query_rows(sql) {
            Ok(r) => Ok(r),
            Err(e) => Err(self.explain(e)),
        }
    }

    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        if params.is_empty() {
            return self.execute(sql);
        }
        self.conn
            .exec_drop(sql, bound(params))
            .map_err(statement_error)?;
        Ok(self.conn.affected_rows())
    }

    fn query_with(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError> {
        if params.is_empty() {
            return self.query(sql);
        }
        let mut result = self
            .conn
            .exec_iter(sql, bound(params))
            .map_err(statement_error)?;
        let mut out = QueryResult::default();
        if let Some(set) = result.iter() {
            out.columns = set
                .columns()
                .as_ref()
                .iter()
                .map(|c| c.name_str().into_owned())
                .collect();
            for row in set {
                let row = row.map_err(statement_error)?;
                out.rows.push(row.unwrap().into_iter().map(value).collect());
            }
        }
        Ok(out)
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.execute("START TRANSACTION").map(|_| ())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.execute("COMMIT").map(|_| ())
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        self.execute("ROLLBACK").map(|_| ())
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let sql = format!(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = {}",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(!self.query(&sql)?.rows.is_empty())
    }

    fn columns(&mut self, table: &str) -> Result<Vec<String>, DbError> {
        let sql = format!(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = {} ORDER BY ordinal_position",
            self.quote(&Value::Text(table.to_string()))
        );
        Ok(self.query(&sql)?.first_column())
    }

    fn quote(&self, v: &Value) -> String {
        match v {
            Value::Text(s) => {
                let mut s = s.replace('\'', "''");
                if self.backslash_escapes {
                    s = s.replace('\\', "\\\\");
                }
                format!("'{s}'")
            }
            other => super::value::quote_standard(other),
        }
    }

    fn backup_preflight(&mut self, dir: &Path) -> Result<(), DbError> {
        tools::find("UPWIZ_MYSQLDUMP", &["mariadb-dump", "mysqldump"])?;
        let size: u64 = self
            .query("SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE()")?
            .scalar()
            .and_then(|s| s.parse::<f64>().ok())
            .map_or(0, |f| f as u64);
        tools::check_space(dir, size + 1_000_000)
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
        let fks = self.query(
            "SELECT constraint_name, table_name, referenced_table_name, \
             GROUP_CONCAT(CONCAT('`', column_name, '`') ORDER BY ordinal_position), \
             GROUP_CONCAT(CONCAT('`', referenced_column_name, '`') ORDER BY ordinal_position) \
             FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL \
             AND table_name NOT LIKE 'upwiz\\_%' GROUP BY constraint_name, table_name, referenced_table_name",
        )?;
        let mut out = Vec::new();
        for row in fks.rows {
            let t = |i: usize| row.get(i).and_then(Value::as_text).unwrap_or_default();
            let (name, child, parent, ccols, pcols) = (t(0), t(1), t(2), t(3), t(4));
            let sql = super::orphans::orphan_count_sql(
                &format!("`{child}`"),
                &format!("`{parent}`"),
                &ccols,
                &pcols,
            );
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
        Ok(out)
    }

    fn session_lock(&mut self) -> Result<Option<bool>, DbError> {
        let got = self
            .query(&format!("SELECT GET_LOCK({}, 0)", self.lock_name()))?
            .scalar();
        Ok(Some(got.as_deref() == Some("1")))
    }

    fn session_lock_held(&mut self) -> Result<Option<bool>, DbError> {
        let sql = format!(
            "SELECT COALESCE(IS_USED_LOCK({}) <> CONNECTION_ID(), 0)",
            self.lock_name()
        );
        Ok(Some(self.query(&sql)?.scalar().as_deref() == Some("1")))
    }

    fn transactional_ddl(&self) -> bool {
        false
    }

    fn engine_tables_ddl(&self) -> Vec<String> {
        // TEXT holds 64 KB here; a step's detail (the lines of a violation report, kept
        // to compare the report after the leg with) can be longer.
        super::ENGINE_TABLES
            .iter()
            .map(|ddl| ddl.replace(" detail TEXT", " detail LONGTEXT"))
            .collect()
    }
}
