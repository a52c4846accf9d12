//! PostgreSQL errors as plain sentences, never with the password.

use postgres::config::Host;
use postgres::Config;

use crate::db::{DbError, DbErrorKind};

pub(super) fn where_(config: &Config) -> String {
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
pub(super) fn classify_connect(config: &Config, e: postgres::Error) -> DbError {
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
            format!(
                "TLS with {at} failed: {}",
                crate::db::error::plain_io(&detail)
            ),
        );
    }
    DbError::new(
        DbErrorKind::Unreachable,
        format!(
            "cannot reach the PostgreSQL server at {at}: {}",
            crate::db::error::plain_io(&detail)
        ),
    )
}

pub(super) fn statement_error(e: postgres::Error) -> DbError {
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
        None => {
            let text = e.to_string();
            let source = std::error::Error::source(&e).map(|s| s.to_string());
            let msg = if text.contains("encoding message") {
                format!(
                    "the statement cannot be sent to PostgreSQL{}; remove the character from the statement",
                    source.map_or(String::new(), |s| format!(" ({})", crate::db::error::plain_io(&s)))
                )
            } else if e.is_closed() || text.contains("communicating") || text.contains("closed") {
                "the connection to PostgreSQL was lost; check that the server is running and reachable, then run upwiz again".into()
            } else {
                format!(
                    "the connection to PostgreSQL failed: {}",
                    crate::db::error::plain_io(&source.unwrap_or(text))
                )
            };
            DbError::new(DbErrorKind::Io, msg)
        }
    }
}
