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

/// A driver's I/O error as a sentence: without the wrappers some drivers print around
/// it (`IoError { ... }`), and with the stock phrases an operator cannot act on
/// replaced by what they mean.
pub(crate) fn plain_io(text: &str) -> String {
    let mut t = text.trim().to_string();
    for wrapper in ["IoError", "DriverError", "UrlError", "CodecError"] {
        if let Some(inner) = t
            .strip_prefix(wrapper)
            .map(str::trim)
            .and_then(|r| r.strip_prefix('{'))
            .and_then(|r| r.trim_end().strip_suffix('}'))
        {
            t = inner.trim().to_string();
        }
    }
    if [
        "bytes remaining on stream",
        "max_allowed_packet",
        "corrupt message",
        "InvalidContentType",
        "unexpected message",
        "invalid message length",
    ]
    .iter()
    .any(|p| text.contains(p))
    {
        return "what answers there does not speak this database's protocol; check the host and port".into();
    }
    if t.contains("unexpected end of file") || t.contains("UnexpectedEof") {
        return "the server closed the connection before it answered".into();
    }
    if t.contains("timed out")
        || t.contains("WouldBlock")
        || t.contains("Resource temporarily unavailable")
    {
        return "the server did not answer in time".into();
    }
    if t.contains("Connection refused") {
        return "nothing accepts connections there (connection refused); check the host and port and that the server is running".into();
    }
    if t.contains("Connection reset") || t.contains("Broken pipe") {
        return "the server closed the connection".into();
    }
    if t.contains("nul byte") || t.contains("embedded null") || t.contains("NUL") {
        return "it contains a NUL byte, which the protocol cannot carry".into();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::plain_io;

    #[test]
    fn driver_wrappers_and_stock_phrases_become_sentences() {
        for raw in [
            "IoError { failed to fill whole buffer: bytes remaining on stream }",
            "CodecError { Packet is larger than max_allowed_packet }",
            "received corrupt message of type InvalidContentType",
        ] {
            let p = plain_io(raw);
            assert!(
                !p.contains('{') && !p.contains("Error") && !p.contains("corrupt"),
                "{p}"
            );
            assert!(p.contains("check the host and port"), "{p}");
        }
        assert_eq!(plain_io("IoError { disk on fire }"), "disk on fire");
        assert!(plain_io("Connection reset by peer (os error 104)").contains("closed"));
    }
}
