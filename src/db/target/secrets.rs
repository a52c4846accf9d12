//! Finding a password in text, however it is spelled: to refuse a connect string
//! holding one, and to mask one in free text (a driver's message, a field being typed).

use super::codec::decode;

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
