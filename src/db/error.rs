//! Database errors as one plain sentence an operator can act on.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    NotFound,
    ReadOnly,
    Locked,
    NotADatabase,
    Auth,
    Unreachable,
    NoDatabase,
    Permission,
    BadConnectString,
    Unsupported,
    Statement,
    Io,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    pub kind: DbErrorKind,
    pub message: String,
    /// The server's own code (SQLSTATE, MySQL error number), where it gave one.
    pub code: Option<String>,
}

impl DbError {
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> Self {
        DbError {
            kind,
            message: message.into(),
            code: None,
        }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn statement(message: impl Into<String>) -> Self {
        DbError::new(DbErrorKind::Statement, message)
    }

    /// Problems with what the operator gave (a path, a connect string, a password),
    /// as opposed to a statement that failed during the upgrade.
    pub fn is_connection_problem(&self) -> bool {
        !matches!(self.kind, DbErrorKind::Statement | DbErrorKind::Io)
    }
}
