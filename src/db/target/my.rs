//! MySQL and MariaDB connect strings: mysql:// and mariadb:// URLs.

use std::path::PathBuf;

use super::codec::{decode, encode};
use super::{check_files, ConnectError, MyTarget, TlsFiles, TlsMode};

const MY_HINT: &str = "use mysql://user@host:port/database";

impl MyTarget {
    pub(super) fn render(&self) -> String {
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

pub(super) fn parse_mysql(text: &str) -> Result<MyTarget, ConnectError> {
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
