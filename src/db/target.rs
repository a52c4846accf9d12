//! A connect string parsed once into where the database is: every later use (the
//! driver, the backup tools, the screen, the state file's name) reads this typed value,
//! never the text. A password in the text is refused in any spelling, so the parsed
//! value cannot hold one and nothing derived from it can show one.

use std::path::PathBuf;

use crate::rdbms::Rdbms;

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

const PG_HINT: &str = "use postgres://user@host:port/database or host=... dbname=...";
const MY_HINT: &str = "use mysql://user@host:port/database";

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

impl PgTarget {
    fn render(&self) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if self.url {
            let mut s = String::from("postgres://");
            if let Some(u) = &self.user {
                s.push_str(&encode(u));
                s.push('@');
            }
            let hosts: Vec<String> = self
                .hosts
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let h = if h.contains(':') {
                        format!("[{h}]")
                    } else if h.starts_with('/') {
                        encode(h)
                    } else {
                        h.clone()
                    };
                    match self.ports.get(i).or(self.ports.first()) {
                        Some(p) => format!("{h}:{p}"),
                        None => h,
                    }
                })
                .collect();
            s.push_str(&hosts.join(","));
            s.push('/');
            if let Some(d) = &self.dbname {
                s.push_str(&encode(d));
            }
            self.tail_pairs(&mut pairs);
            let q: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            if !q.is_empty() {
                s.push('?');
                s.push_str(&q.join("&"));
            }
            return s;
        }
        if !self.hosts.is_empty() {
            pairs.push(("host".into(), self.hosts.join(",")));
        }
        if !self.ports.is_empty() {
            let p: Vec<String> = self.ports.iter().map(u16::to_string).collect();
            pairs.push(("port".into(), p.join(",")));
        }
        if let Some(d) = &self.dbname {
            pairs.push(("dbname".into(), d.clone()));
        }
        if let Some(u) = &self.user {
            pairs.push(("user".into(), u.clone()));
        }
        self.tail_pairs(&mut pairs);
        keyword_string(&pairs)
    }

    fn tail_pairs(&self, pairs: &mut Vec<(String, String)>) {
        if self.tls != TlsMode::Prefer {
            pairs.push(("sslmode".into(), self.tls.libpq().into()));
        }
        for (k, v) in [
            ("sslrootcert", &self.files.ca),
            ("sslcert", &self.files.cert),
            ("sslkey", &self.files.key),
        ] {
            if let Some(v) = v {
                pairs.push((k.into(), v.display().to_string()));
            }
        }
        pairs.extend(self.options.iter().cloned());
    }

    /// What the driver parses: key=value pairs without TLS settings (handled by upwiz,
    /// since the driver knows only disable/prefer/require) and without any password.
    pub fn driver_string(&self) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if !self.hosts.is_empty() {
            pairs.push(("host".into(), self.hosts.join(",")));
        }
        if !self.ports.is_empty() {
            let p: Vec<String> = self.ports.iter().map(u16::to_string).collect();
            pairs.push(("port".into(), p.join(",")));
        }
        if let Some(d) = &self.dbname {
            pairs.push(("dbname".into(), d.clone()));
        }
        if let Some(u) = &self.user {
            pairs.push(("user".into(), u.clone()));
        }
        let mode = match self.tls {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            _ => "require",
        };
        pairs.push(("sslmode".into(), mode.into()));
        pairs.extend(self.options.iter().cloned());
        keyword_string(&pairs)
    }

    /// host:port of the first host, for messages and identities.
    pub fn first_address(&self) -> String {
        let host = self.hosts.first().map_or("localhost", String::as_str);
        let port = self.ports.first().copied().unwrap_or(5432);
        format!("{host}:{port}")
    }
}

impl MyTarget {
    fn render(&self) -> String {
        let mut s = String::from("mysql://");
        if let Some(u) = &self.user {
            s.push_str(&encode(u));
            s.push('@');
        }
        if self.host.contains(':') {
            s.push_str(&format!("[{}]", self.host));
        } else {
            s.push_str(&self.host);
        }
        s.push_str(&format!(":{}/{}", self.port, encode(&self.database)));
        let mut q: Vec<String> = Vec::new();
        if self.tls != TlsMode::Prefer {
            q.push(format!("ssl-mode={}", self.tls.mysql()));
        }
        for (k, v) in [
            ("ssl-ca", &self.files.ca),
            ("ssl-cert", &self.files.cert),
            ("ssl-key", &self.files.key),
        ] {
            if let Some(v) = v {
                q.push(format!("{k}={}", encode(&v.display().to_string())));
            }
        }
        q.extend(
            self.options
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v))),
        );
        if !q.is_empty() {
            s.push('?');
            s.push_str(&q.join("&"));
        }
        s
    }

    /// The URL the driver parses: no password, no TLS settings (set in code).
    pub fn driver_url(&self) -> String {
        let mut s = String::from("mysql://");
        if let Some(u) = &self.user {
            s.push_str(&encode(u));
            s.push('@');
        }
        if self.host.contains(':') {
            s.push_str(&format!("[{}]", self.host));
        } else {
            s.push_str(&self.host);
        }
        s.push_str(&format!(":{}/{}", self.port, encode(&self.database)));
        let q: Vec<String> = self
            .options
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if !q.is_empty() {
            s.push('?');
            s.push_str(&q.join("&"));
        }
        s
    }
}

/// libpq's quoting: values with blanks, quotes or backslashes in single quotes.
fn keyword_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if !v.is_empty() && !v.contains([' ', '\t', '\n', '\'', '\\', '=']) {
                format!("{k}={v}")
            } else {
                format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a parameter name, however spelled, names a secret.
fn is_secret_key(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase().replace(['-', '_'], "");
    k.contains("password") || k == "pwd" || k == "pass" || k == "passwd"
}

/// Any password in `text`: URL userinfo, a secret key in a query string, a libpq
/// `key = value` pair; percent-encoded or not, in any letter case.
pub fn contains_password(text: &str) -> bool {
    if let Some((_, rest)) = text.split_once("://") {
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        if let Some(at) = authority.rfind('@') {
            if decode(&authority[..at]).contains(':') {
                return true;
            }
        }
        if let Some((_, query)) = rest.split_once('?') {
            if query
                .split(['&', ';'])
                .any(|p| is_secret_key(&decode(p.split('=').next().unwrap_or(""))))
            {
                return true;
            }
        }
    }
    // libpq pairs (blanks around '=' allowed), and anything shaped like one elsewhere.
    keyword_keys(text).iter().any(|k| is_secret_key(&decode(k)))
}

/// Every word followed, after optional blanks, by '=': the keys of a libpq string.
fn keyword_keys(text: &str) -> Vec<String> {
    let b: Vec<char> = text.chars().collect();
    let mut keys = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c != '=' {
            continue;
        }
        let mut j = i;
        while j > 0 && b[j - 1].is_whitespace() {
            j -= 1;
        }
        let end = j;
        while j > 0
            && !b[j - 1].is_whitespace()
            && !matches!(b[j - 1], '=' | '&' | '?' | ';' | '\'')
        {
            j -= 1;
        }
        keys.push(b[j..end].iter().collect());
    }
    keys
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

/// Splits a libpq key=value string into pairs: blanks around '=' allowed, values in
/// single quotes with backslash escapes.
fn keyword_pairs(text: &str) -> Result<Vec<(String, String)>, ConnectError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(ConnectError::Invalid(format!(
                "the connect string is not valid (missing '=' after `{key}`); {PG_HINT}"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(ConnectError::Invalid(format!(
                            "the connect string is not valid (unterminated quoted value of `{key}`); {PG_HINT}"
                        )))
                    }
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, value));
    }
}

/// The pairs of a postgres:// URL, decoded, in libpq's names.
fn url_pairs(rest: &str) -> Result<Vec<(String, String)>, ConnectError> {
    let invalid = |opt: &str| {
        ConnectError::Invalid(format!(
            "the connect string is not valid (invalid value for option `{opt}`); {PG_HINT}"
        ))
    };
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let mut pairs = Vec::new();
    let hostlist = match authority.rfind('@') {
        Some(at) => {
            let user = decode(&authority[..at]);
            if !user.is_empty() {
                pairs.push(("user".to_string(), user));
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for part in hostlist.split(',').filter(|p| !p.is_empty()) {
        let (host, port) = if let Some(inner) = part.strip_prefix('[') {
            let (h, after) = inner.split_once(']').ok_or_else(|| invalid("host"))?;
            let port = match after.strip_prefix(':') {
                Some(p) => Some(p),
                None if after.is_empty() => None,
                None => return Err(invalid("host")),
            };
            (h.to_string(), port)
        } else {
            match part.rsplit_once(':') {
                Some((h, p)) => (decode(h), Some(p)),
                None => (decode(part), None),
            }
        };
        hosts.push(host);
        if let Some(p) = port {
            ports.push(p.to_string());
        }
    }
    if !hosts.is_empty() {
        pairs.push(("host".into(), hosts.join(",")));
    }
    if !ports.is_empty() {
        pairs.push(("port".into(), ports.join(",")));
    }
    if !path.is_empty() {
        pairs.push(("dbname".into(), decode(path)));
    }
    for p in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        pairs.push((decode(k), decode(v)));
    }
    Ok(pairs)
}

fn parse_pg(text: &str) -> Result<PgTarget, ConnectError> {
    if text.is_empty() {
        return Err(ConnectError::Empty(""));
    }
    let url = text.contains("://");
    let pairs = if let Some(rest) = text
        .strip_prefix("postgres://")
        .or_else(|| text.strip_prefix("postgresql://"))
    {
        url_pairs(rest)?
    } else if !url && text.contains('=') {
        keyword_pairs(text)?
    } else {
        // Typically a file path or another server's URL, which the driver would only
        // call "unexpected EOF".
        return Err(ConnectError::Invalid(format!(
            "'{}' is not a PostgreSQL connect string; {PG_HINT}",
            text
        )));
    };
    let mut t = PgTarget {
        url,
        hosts: Vec::new(),
        ports: Vec::new(),
        dbname: None,
        user: None,
        tls: TlsMode::Prefer,
        files: TlsFiles::default(),
        options: Vec::new(),
    };
    let invalid = |why: String| {
        ConnectError::Invalid(format!(
            "the connect string '{}' is not valid ({why}); {PG_HINT}",
            text
        ))
    };
    for (k, v) in pairs {
        match k.as_str() {
            "host" | "hostaddr" => t.hosts = v.split(',').map(str::to_string).collect(),
            "port" => {
                t.ports = v
                    .split(',')
                    .map(|p| p.parse::<u16>().ok().filter(|p| *p > 0))
                    .collect::<Option<Vec<u16>>>()
                    .ok_or_else(|| invalid("invalid value for option `port`".into()))?
            }
            "dbname" => t.dbname = Some(v),
            "user" => t.user = Some(v),
            "sslmode" => {
                t.tls = match v.as_str() {
                    "disable" => TlsMode::Disable,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    _ => return Err(invalid("invalid value for option `sslmode`".into())),
                }
            }
            "sslrootcert" => t.files.ca = Some(PathBuf::from(v)),
            "sslcert" => t.files.cert = Some(PathBuf::from(v)),
            "sslkey" => t.files.key = Some(PathBuf::from(v)),
            _ => t.options.push((k, v)),
        }
    }
    // The driver checks the rest (unknown options, bad values) with its own words.
    t.driver_string()
        .parse::<postgres::Config>()
        .map_err(|e: postgres::Error| {
            invalid(std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string()))
        })?;
    check_files(&t.files, t.tls)?;
    Ok(t)
}

fn parse_mysql(text: &str) -> Result<MyTarget, ConnectError> {
    if text.is_empty() {
        return Err(ConnectError::Empty(""));
    }
    let Some(rest) = text
        .strip_prefix("mysql://")
        .or_else(|| text.strip_prefix("mariadb://"))
    else {
        return Err(ConnectError::Invalid(format!(
            "'{}' is not a MySQL connect string; {MY_HINT}",
            text
        )));
    };
    let invalid = |why: &str| {
        ConnectError::Invalid(format!(
            "the connect string '{text}' is not valid: {why}; {MY_HINT}"
        ))
    };
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let (user, hostport) = match authority.rfind('@') {
        Some(at) => (Some(decode(&authority[..at])), &authority[at + 1..]),
        None => (None, authority),
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| invalid("invalid IPv6 address"))?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (decode(h), Some(p)),
            None => (decode(hostport), None),
        }
    };
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| invalid("invalid port number"))?,
        None => 3306,
    };
    let database = decode(path);
    if database.is_empty() {
        return Err(ConnectError::Invalid(format!(
            "the connect string '{text}' names no database; {MY_HINT}"
        )));
    }
    let mut t = MyTarget {
        host: if host.is_empty() {
            "localhost".into()
        } else {
            host
        },
        port,
        database,
        user: user.filter(|u| !u.is_empty()),
        tls: TlsMode::Prefer,
        files: TlsFiles::default(),
        options: Vec::new(),
    };
    for p in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let (k, v) = (decode(k), decode(v));
        match k.to_ascii_lowercase().replace('_', "-").as_str() {
            "ssl-mode" => {
                t.tls = match v.to_ascii_lowercase().as_str() {
                    "disabled" => TlsMode::Disable,
                    "preferred" => TlsMode::Prefer,
                    "required" => TlsMode::Require,
                    "verify_ca" => TlsMode::VerifyCa,
                    "verify_identity" => TlsMode::VerifyFull,
                    other => {
                        return Err(ConnectError::Invalid(format!(
                            "ssl-mode '{}' is not one of disabled, preferred, required, verify_ca, verify_identity",
                            other
                        )))
                    }
                }
            }
            "ssl-ca" => t.files.ca = Some(PathBuf::from(v)),
            "ssl-cert" => t.files.cert = Some(PathBuf::from(v)),
            "ssl-key" => t.files.key = Some(PathBuf::from(v)),
            _ => t.options.push((k, v)),
        }
    }
    mysql::Opts::from_url(&t.driver_url()).map_err(|e| match e {
        mysql::UrlError::ParseError(p) => invalid(&p.to_string()),
        other => invalid(&other.to_string()),
    })?;
    check_files(&t.files, t.tls)?;
    Ok(t)
}

/// The CA and client certificate files must exist, and a client certificate needs its key.
fn check_files(files: &TlsFiles, tls: TlsMode) -> Result<(), ConnectError> {
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

/// See `super::redact`.
pub fn redact_text(text: &str) -> String {
    let mut s = text.to_string();
    // URL userinfo: user:secret@ becomes user:***@.
    let mut from = 0;
    while let Some(i) = s[from..].find("://") {
        let start = from + i + 3;
        let end = s[start..]
            .find(|c: char| c == '/' || c == '?' || c.is_whitespace())
            .map_or(s.len(), |e| start + e);
        if let Some(at) = s[start..end].rfind('@') {
            if let Some(colon) = s[start..start + at].find(':') {
                s.replace_range(start + colon..start + at, ":***");
            }
        }
        from = start.min(s.len());
    }
    // key = value, key='quoted value', key=value&...: values of secret keys.
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        if chars[i] != '=' {
            i += 1;
            continue;
        }
        let key: String = {
            let before: Vec<char> = chars[..i].to_vec();
            let mut j = before.len();
            while j > 0 && before[j - 1].is_whitespace() {
                j -= 1;
            }
            let end = j;
            while j > 0
                && !before[j - 1].is_whitespace()
                && !matches!(before[j - 1], '=' | '&' | '?' | ';' | '\'')
            {
                j -= 1;
            }
            before[j..end].iter().collect()
        };
        i += 1;
        if !is_secret_key(&decode(&key)) {
            continue;
        }
        while i < chars.len() && chars[i].is_whitespace() {
            out.push(chars[i]);
            i += 1;
        }
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '&' | ';') {
                i += 1;
            }
        }
        out.push_str("***");
    }
    out
}

/// Percent-decoding; malformed escapes are kept as written.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
