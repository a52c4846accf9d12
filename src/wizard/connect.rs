//! The one place the wizard builds a `ConnectSpec`, and what it reads out of a
//! connect string before connecting (the user it names).

use crate::db::ConnectSpec;
use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// Where and as whom to connect. Every front of the wizard goes through here, so a
/// change to how a connect target is held is made in one spot.
pub fn spec(
    rdbms: Rdbms,
    target: &str,
    user: Option<&str>,
    password: Option<Secret>,
) -> ConnectSpec {
    let user = user.map(str::trim).filter(|u| !u.is_empty());
    ConnectSpec::from_input(rdbms, target.trim(), user.map(str::to_string), password)
}

/// The user named in a connect string: `scheme://user[:pw]@host/...` or `user=name`.
pub fn url_user(target: &str) -> Option<String> {
    if let Some(i) = target.find("://") {
        let rest = &target[i + 3..];
        let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
        let at = authority.rfind('@')?;
        let user = authority[..at].split(':').next().unwrap_or("");
        return (!user.is_empty()).then(|| user.to_string());
    }
    target.split_whitespace().find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k.eq_ignore_ascii_case("user") && !v.is_empty()).then(|| v.to_string())
    })
}

/// Whether a connect error is the server refusing who we are, rather than not
/// being reachable: then a missing password is the likely cause.
pub fn is_auth_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "password",
        "authentication",
        "access denied",
        "auth failed",
        "no pg_hba.conf entry",
    ]
    .iter()
    .any(|w| m.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_in_a_connect_string_is_found() {
        assert_eq!(
            url_user("postgres://alice:pw@db.example:5432/lattice").as_deref(),
            Some("alice")
        );
        assert_eq!(
            url_user("mysql://bob@127.0.0.1/app").as_deref(),
            Some("bob")
        );
        assert_eq!(
            url_user("host=db user=carol dbname=x").as_deref(),
            Some("carol")
        );
        assert_eq!(url_user("postgres://db.example/lattice"), None);
        assert_eq!(url_user("/srv/lattice/repository.db"), None);
    }
}
