//! PostgreSQL connect strings: postgres:// URLs and libpq key=value pairs.

use std::path::PathBuf;

use super::codec::{decode, encode, keyword_string};
use super::{check_files, ConnectError, PgTarget, TlsFiles, TlsMode};

const PG_HINT: &str = "use postgres://user@host:port/database or host=... dbname=...";

impl PgTarget {
    pub(super) fn render(&self) -> String {
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
                        encode(h).replace('/', "%2F")
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

pub(super) fn parse_pg(text: &str) -> Result<PgTarget, ConnectError> {
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
