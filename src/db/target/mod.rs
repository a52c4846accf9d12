//! A connect string parsed once into where the database is: every later use (the
//! driver, the backup tools, the screen, the state file's name) reads this typed value,
//! never the text. A password in the text is refused in any spelling, so the parsed
//! value cannot hold one and nothing derived from it can show one.

use std::path::PathBuf;

use crate::rdbms::Rdbms;

mod codec;
mod my;
mod pg;
mod secrets;

use my::parse_mysql;
use pg::parse_pg;
pub use secrets::{contains_password, redact_text};

/// What was wrong with a connect string; never quotes a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    #[error("the connect string is empty{0}")]
    Empty(&'static str),
    #[error("the connect string contains a password, which would be visible to other users of this host; remove it and use UPWIZ_PASSWORD or --password-file")]
    Password,
    #[error("{0}")]
    Invalid(String),
    #[error("the connect string names user '{url}' but --user (or the config file) says '{given}'; give the user in one place only")]
    UserConflict { url: String, given: String },
    #[error("the password contains a line break or NUL character, which the backup tools cannot be given safely; change the password")]
    PasswordLineBreak,
}

/// How a connection is encrypted, in libpq's terms (MySQL's ssl-mode names map onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    Disable,
    /// Encrypt when the server offers it, without checking its certificate.
    #[default]
    Prefer,
    /// Encrypt, without checking the certificate.
    Require,
    /// Encrypt and check the certificate chain, not the host name.
    VerifyCa,
    /// Encrypt and check the chain and that the certificate names the host.
    VerifyFull,
}

impl TlsMode {
    pub fn libpq(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }

    pub fn mysql(self) -> &'static str {
        match self {
            TlsMode::Disable => "DISABLED",
            TlsMode::Prefer => "PREFERRED",
            TlsMode::Require => "REQUIRED",
            TlsMode::VerifyCa => "VERIFY_CA",
            TlsMode::VerifyFull => "VERIFY_IDENTITY",
        }
    }

    pub fn verifies(self) -> bool {
        matches!(self, TlsMode::VerifyCa | TlsMode::VerifyFull)
    }
}

/// The CA to check the server against and the client's own certificate, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// As written: a URL or libpq key=value pairs; the redacted form keeps it.
    pub url: bool,
    pub hosts: Vec<String>,
    pub ports: Vec<u16>,
    pub dbname: Option<String>,
    pub user: Option<String>,
    pub tls: TlsMode,
    pub files: TlsFiles,
    /// Other libpq parameters the driver understands (application_name, options, ...).
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyTarget {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: Option<String>,
    pub tls: TlsMode,
    pub files: TlsFiles,
    /// Other URL parameters of the driver (checked by it when parsed).
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectTarget {
    Sqlite {
        path: PathBuf,
    },
    Postgres(PgTarget),
    Mysql(MyTarget),
    /// What a front end typed that did not parse, kept so that the error is reported
    /// when the connection is tried; holds no text of the input.
    Invalid(ConnectError),
}

impl ConnectTarget {
    pub fn parse(rdbms: Rdbms, text: &str) -> Result<ConnectTarget, ConnectError> {
        let text = text.trim();
        // Refused before anything else, so that no later message can quote one.
        if contains_password(text) {
            return Err(ConnectError::Password);
        }
        match rdbms {
            Rdbms::Sqlite => parse_sqlite(text),
            Rdbms::Postgres => parse_pg(text).map(ConnectTarget::Postgres),
            Rdbms::Mysql => parse_mysql(text).map(ConnectTarget::Mysql),
        }
    }

    /// The user the connect string names, if it names one.
    pub fn user(&self) -> Option<&str> {
        match self {
            ConnectTarget::Sqlite { .. } | ConnectTarget::Invalid(_) => None,
            ConnectTarget::Postgres(t) => t.user.as_deref(),
            ConnectTarget::Mysql(t) => t.user.as_deref(),
        }
    }

    /// The connect string rebuilt from the parsed value: it has no password to show.
    pub fn render(&self) -> String {
        match self {
            ConnectTarget::Sqlite { path } => path.display().to_string(),
            ConnectTarget::Postgres(t) => t.render(),
            ConnectTarget::Mysql(t) => t.render(),
            ConnectTarget::Invalid(_) => "(not a valid connect string)".into(),
        }
    }
}

fn parse_sqlite(text: &str) -> Result<ConnectTarget, ConnectError> {
    if text.is_empty() {
        return Err(ConnectError::Empty(
            "; for SQLite give the database file's path",
        ));
    }
    if text.contains("://") && !text.starts_with("file:") {
        return Err(ConnectError::Invalid(format!(
            "'{}' looks like a server URL; for SQLite give the database file's path",
            text
        )));
    }
    let path = text.strip_prefix("sqlite:").unwrap_or(text);
    Ok(ConnectTarget::Sqlite {
        path: PathBuf::from(path),
    })
}

/// The CA and client certificate files must exist, and a client certificate needs its key.
pub(super) fn check_files(files: &TlsFiles, tls: TlsMode) -> Result<(), ConnectError> {
    for p in [&files.ca, &files.cert, &files.key].into_iter().flatten() {
        if !p.is_file() {
            return Err(ConnectError::Invalid(format!(
                "the TLS file {} named in the connect string does not exist",
                p.display()
            )));
        }
    }
    if files.cert.is_some() != files.key.is_some() {
        return Err(ConnectError::Invalid(
            "a client certificate needs both its certificate and its key file (sslcert and sslkey, or ssl-cert and ssl-key)".into(),
        ));
    }
    if (files.ca.is_some() || files.cert.is_some()) && tls == TlsMode::Disable {
        return Err(ConnectError::Invalid(
            "the connect string names TLS files but disables TLS".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(rdbms: Rdbms, text: &str) {
        assert_eq!(
            ConnectTarget::parse(rdbms, text),
            Err(ConnectError::Password),
            "{text}"
        );
    }

    #[test]
    fn every_spelling_of_a_password_is_refused() {
        for t in [
            "postgres://app:s3cret@db/x",
            "postgres://app:@db/x",
            "postgres://app%3As3cret@db/x",
            "postgres://app@db/x?password=s3cret",
            "postgres://app@db/x?pass%77ord=s3cret",
            "postgres://app@db/x?PASSWORD=s3cret",
            "postgres://app@db/x?sslmode=require&password=s3cret",
            "host=db password=s3cret",
            "host=db password = s3cret",
            "host=db password ='s3cret'",
            "host=db PassWord='s 3'",
            "host=db pass%77ord=s3cret",
            "host=db sslpassword=s3cret",
        ] {
            refused(Rdbms::Postgres, t);
        }
        for t in [
            "mysql://app:s3cret@db/x",
            "mariadb://app:s3cret@db/x",
            "mysql://app@db/x?password=s3cret",
            "mysql://app@db/x?pwd=s3cret",
            "mysql://app@db/x?pass%77ord=s3cret",
            "mysql://app@db/x?PWD=s3cret",
        ] {
            refused(Rdbms::Mysql, t);
        }
        refused(Rdbms::Sqlite, "postgres://app:s3cret@db/x");
    }

    #[test]
    fn keyword_strings_with_blanks_and_quotes_are_understood() {
        let ConnectTarget::Postgres(t) = ConnectTarget::parse(
            Rdbms::Postgres,
            "host = db  port= 5433 dbname ='my db' user=app sslmode=verify-full application_name='a\\'b'",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(t.hosts, ["db"]);
        assert_eq!(t.ports, [5433]);
        assert_eq!(t.dbname.as_deref(), Some("my db"));
        assert_eq!(t.user.as_deref(), Some("app"));
        assert_eq!(t.tls, TlsMode::VerifyFull);
        assert_eq!(t.options, [("application_name".into(), "a'b".into())]);
    }

    #[test]
    fn urls_keep_their_user_and_render_without_change() {
        let t = ConnectTarget::parse(Rdbms::Postgres, "postgres://app@db:5432/x").unwrap();
        assert_eq!(t.user(), Some("app"));
        assert_eq!(t.render(), "postgres://app@db:5432/x");
        let t =
            ConnectTarget::parse(Rdbms::Mysql, "mysql://root@db:3306/x?ssl-mode=required").unwrap();
        assert_eq!(t.user(), Some("root"));
        assert_eq!(t.render(), "mysql://root@db:3306/x?ssl-mode=REQUIRED");
        let t = ConnectTarget::parse(Rdbms::Postgres, "postgres://[::1]:5433/x").unwrap();
        assert_eq!(t.render(), "postgres://[::1]:5433/x");
        let t = ConnectTarget::parse(Rdbms::Postgres, "postgres://%2Frun%2Fpg/x").unwrap();
        assert_eq!(t.render(), "postgres://%2Frun%2Fpg/x");
    }

    #[test]
    fn bad_values_are_named() {
        let e = ConnectTarget::parse(Rdbms::Postgres, "host=h colour=blue").unwrap_err();
        assert!(e.to_string().contains("unknown option `colour`"), "{e}");
        let e =
            ConnectTarget::parse(Rdbms::Postgres, "postgres://h/x?sslmode=sometimes").unwrap_err();
        assert!(
            e.to_string().contains("invalid value for option `sslmode`"),
            "{e}"
        );
        let e = ConnectTarget::parse(Rdbms::Mysql, "mysql://h/x?colour=blue").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = ConnectTarget::parse(
            Rdbms::Postgres,
            "postgres://h/x?sslrootcert=/nonexistent/ca",
        )
        .unwrap_err();
        assert!(e.to_string().contains("/nonexistent/ca"), "{e}");
    }
}
