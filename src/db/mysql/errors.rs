//! MySQL/MariaDB errors as plain sentences, never with the password.

use mysql::Opts;

use crate::db::{DbError, DbErrorKind};

pub(super) fn where_(opts: &Opts) -> String {
    format!("{}:{}", opts.get_ip_or_hostname(), opts.get_tcp_port())
}

pub(super) fn classify_connect(opts: &Opts, e: mysql::Error) -> DbError {
    let at = where_(opts);
    let user = opts.get_user().unwrap_or("(default)");
    let db = opts.get_db_name().unwrap_or("(none)");
    match e {
        mysql::Error::MySqlError(me) => {
            let (kind, msg) = match me.code {
                1045 | 1698 => (DbErrorKind::Auth, format!("authentication failed for user '{user}' on {at}: check the user name and password")),
                1049 => (DbErrorKind::NoDatabase, format!("database '{db}' does not exist on {at}")),
                1044 | 1142 | 1227 => (DbErrorKind::Permission, format!("permission denied for user '{user}' on {at}: {}", me.message)),
                3159 => (DbErrorKind::Unreachable, format!("the server at {at} requires TLS; add ?ssl-mode=required to the connect string")),
                _ => (DbErrorKind::Unreachable, format!("the server at {at} refused the connection: {}", me.message)),
            };
            DbError::new(kind, msg).with_code(me.code.to_string())
        }
        other => DbError::new(
            DbErrorKind::Unreachable,
            format!(
                "cannot reach the MySQL/MariaDB server at {at}: {}",
                crate::db::error::plain_io(&plain(&other))
            ),
        ),
    }
}

/// The driver's message without the wrapper it prints around some errors
/// (`DriverError { ... }`, `URL ParseError { ... }`), which means nothing to an operator.
pub(super) fn plain(e: &mysql::Error) -> String {
    match e {
        mysql::Error::DriverError(d) => d.to_string(),
        mysql::Error::UrlError(mysql::UrlError::ParseError(p)) => p.to_string(),
        mysql::Error::UrlError(u) => u.to_string(),
        mysql::Error::IoError(io) => io.to_string(),
        other => other.to_string(),
    }
}

pub(super) fn statement_error(e: mysql::Error) -> DbError {
    match e {
        mysql::Error::MySqlError(me) => {
            let kind = if matches!(me.code, 1044 | 1142 | 1227) {
                DbErrorKind::Permission
            } else {
                DbErrorKind::Statement
            };
            DbError::new(kind, format!("ERROR {}: {}", me.code, me.message))
                .with_code(me.code.to_string())
        }
        other => DbError::new(
            DbErrorKind::Io,
            format!(
                "the connection to MySQL/MariaDB failed: {}",
                crate::db::error::plain_io(&plain(&other))
            ),
        ),
    }
}
