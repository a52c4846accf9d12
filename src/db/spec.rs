//! Where and as whom to connect: the parsed connect string, the user, the password
//! and how long to wait, built once from what the operator gave.

use std::path::Path;
use std::time::Duration;

use super::{default_user, ConnectError, ConnectTarget};
use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// Where and as whom to connect. The password never leaves this struct except to the driver.
#[derive(Debug, Clone)]
pub struct ConnectSpec {
    pub rdbms: Rdbms,
    pub target: ConnectTarget,
    /// The user: the connect string's own, or the one given apart from it.
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub limits: Limits,
}

/// How long upwiz waits: for a connection and login, and for a lock held by another
/// session before its own query gives up and says who holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub connect: Duration,
    pub lock: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(10),
            lock: Duration::from_secs(30),
        }
    }
}

impl ConnectSpec {
    /// Parses `text` once; refuses a password in it in any spelling, a user given both
    /// in it and apart from it that differ, and a password the tools cannot be given.
    pub fn parse(
        rdbms: Rdbms,
        text: &str,
        user: Option<String>,
        password: Option<Secret>,
    ) -> Result<ConnectSpec, ConnectError> {
        let target = ConnectTarget::parse(rdbms, text)?;
        let user = user.filter(|u| !u.trim().is_empty());
        let user = match (target.user().map(str::to_string), user) {
            (Some(url), Some(given)) if url != given => {
                return Err(ConnectError::UserConflict { url, given })
            }
            (url, given) => url.or(given),
        };
        if password
            .as_ref()
            .is_some_and(|p| p.expose().contains(['\n', '\r', '\0']))
        {
            return Err(ConnectError::PasswordLineBreak);
        }
        Ok(ConnectSpec {
            rdbms,
            target,
            user: if rdbms == Rdbms::Sqlite { None } else { user },
            password,
            limits: Limits::default(),
        })
    }

    /// For a front end: what the user typed, whether or not it parses. A bad connect
    /// string (a password in it included) becomes an error of `open`, reported where
    /// the connection is tried; the spec never holds the text.
    pub fn from_input(
        rdbms: Rdbms,
        text: &str,
        user: Option<String>,
        password: Option<Secret>,
    ) -> ConnectSpec {
        ConnectSpec::parse(rdbms, text, user.clone(), password.clone()).unwrap_or_else(|e| {
            ConnectSpec {
                rdbms,
                target: ConnectTarget::Invalid(e),
                user,
                password,
                limits: Limits::default(),
            }
        })
    }

    /// The database file, for SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.target {
            ConnectTarget::Sqlite { path } => Some(path),
            _ => None,
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The connect string rebuilt from the parsed value: safe for logs and screens.
    pub fn redacted(&self) -> String {
        self.target.render()
    }

    /// The RDBMS and where the database is (canonical SQLite path, or hosts, ports and
    /// database), never who connects: what names state files and backups.
    pub fn identity(&self) -> String {
        let at = match &self.target {
            ConnectTarget::Sqlite { path } => std::fs::canonicalize(path)
                .or_else(|_| std::path::absolute(path))
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            ConnectTarget::Postgres(t) => {
                let hosts = if t.hosts.is_empty() {
                    vec!["localhost".to_string()]
                } else {
                    t.hosts.clone()
                };
                let ports = if t.ports.is_empty() {
                    vec![5432]
                } else {
                    t.ports.clone()
                };
                let addrs: Vec<String> = hosts
                    .iter()
                    .enumerate()
                    .map(|(i, h)| format!("{h}:{}", ports.get(i).unwrap_or(&ports[0])))
                    .collect();
                // libpq's default database is the user's name.
                let db = t
                    .dbname
                    .clone()
                    .or_else(|| self.user.clone())
                    .unwrap_or_else(default_user);
                format!("{}/{db}", addrs.join(","))
            }
            ConnectTarget::Mysql(t) => format!("{}:{}/{}", t.host, t.port, t.database),
            ConnectTarget::Invalid(_) => "(invalid)".into(),
        };
        format!("{}|{at}", self.rdbms.key())
    }

    /// Whether the connect string is blank (the wizard before one is typed).
    pub fn is_empty(&self) -> bool {
        matches!(&self.target, ConnectTarget::Invalid(ConnectError::Empty(_)))
    }
}

/// Free text (a driver's message, a field being typed) with anything that looks like a
/// password replaced by `***`: URL userinfo, and `key = value` pairs whose key, however
/// spelled, names a password. Connect strings themselves are parsed, not searched.
pub fn redact(text: &str) -> String {
    super::target::redact_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_and_keyword_passwords_in_free_text() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(
            redact("host=db password=s3cret user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(
            redact("host=db password = 's3 cret' user=app"),
            "host=db password = *** user=app"
        );
        assert_eq!(redact("x?pass%77ord=s3cret&a=b"), "x?pass%77ord=***&a=b");
        assert_eq!(redact("./demo.db"), "./demo.db");
        assert_eq!(redact("mysql://root@db/x"), "mysql://root@db/x");
    }

    #[test]
    fn identities_tell_databases_apart_and_never_name_the_user() {
        let dir = tempfile::tempdir().unwrap();
        for d in ["a", "b"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
            std::fs::write(dir.path().join(d).join("app.db"), b"").unwrap();
        }
        let at = |d: &str| dir.path().join(d).join("app.db").display().to_string();
        let sqlite = |t: &str| ConnectSpec::parse(Rdbms::Sqlite, t, None, None).unwrap();
        assert_ne!(sqlite(&at("a")).identity(), sqlite(&at("b")).identity());
        let pg = |t: &str, u: Option<&str>| {
            ConnectSpec::parse(Rdbms::Postgres, t, u.map(str::to_string), None).unwrap()
        };
        let one = pg("host=db port=5432 dbname=one user=app", None);
        let two = pg("host=db port=5432 dbname=two user=app", None);
        assert_ne!(one.identity(), two.identity());
        assert!(!one.identity().contains("app"), "{}", one.identity());
        assert_eq!(
            pg("postgres://app@db/one", None).identity(),
            pg("host=db dbname=one", Some("other")).identity()
        );
    }

    #[test]
    fn the_url_user_is_kept_and_a_different_user_flag_is_an_error() {
        let s = ConnectSpec::parse(Rdbms::Postgres, "postgres://app@db/x", None, None).unwrap();
        assert_eq!(s.user.as_deref(), Some("app"));
        let s = ConnectSpec::parse(
            Rdbms::Postgres,
            "postgres://app@db/x",
            Some("app".into()),
            None,
        )
        .unwrap();
        assert_eq!(s.user.as_deref(), Some("app"));
        let e = ConnectSpec::parse(Rdbms::Mysql, "mysql://app@db/x", Some("root".into()), None)
            .unwrap_err();
        assert!(
            e.to_string().contains("'app'") && e.to_string().contains("'root'"),
            "{e}"
        );
    }

    #[test]
    fn a_password_with_a_line_break_is_refused_without_showing_it() {
        let e = ConnectSpec::parse(
            Rdbms::Mysql,
            "mysql://app@db/x",
            None,
            Some(Secret::new("abc\ndef")),
        )
        .unwrap_err();
        assert!(
            !e.to_string().contains("abc") && !e.to_string().contains("def"),
            "{e}"
        );
    }
}
