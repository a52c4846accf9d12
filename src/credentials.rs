//! Where a password comes from: UPWIZ_PASSWORD, a password file, the keyring, or a
//! prompt; never a command-line value. Remembered passwords go to the platform keyring:
//! Secret Service on a desktop, the kernel keyring on a headless host.

use std::path::Path;
use std::sync::Once;

use crate::secret::Secret;

pub const PASSWORD_ENV: &str = "UPWIZ_PASSWORD";
const SERVICE: &str = "upwiz";

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("cannot read password file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("password file {0} is empty")]
    EmptyFile(String),
    #[error("a password is needed but none was given and there is no terminal to ask on; set UPWIZ_PASSWORD or use --password-file")]
    NoTerminal,
    #[error("keyring: {0}")]
    Keyring(String),
}

/// Reads the first line of a password file.
pub fn from_file(path: &Path) -> Result<Secret, CredentialError> {
    let text = std::fs::read_to_string(path).map_err(|source| CredentialError::File {
        path: path.display().to_string(),
        source,
    })?;
    let first = text.lines().next().unwrap_or("");
    if first.is_empty() {
        return Err(CredentialError::EmptyFile(path.display().to_string()));
    }
    Ok(Secret::new(first))
}

/// A warning when other users of this host can read the password file.
pub fn file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "the password file {} can be read by other users of this host (mode {:o}); restrict it with chmod 600",
                path.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

pub fn from_env() -> Option<Secret> {
    std::env::var(PASSWORD_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(Secret::new)
}

fn choose_store() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            // No desktop session: Secret Service cannot answer, the kernel keyring can.
            keyring::set_default_credential_builder(keyring::keyutils::default_credential_builder());
        }
    });
}

fn entry(user: &str, target: &str) -> Result<keyring::Entry, CredentialError> {
    choose_store();
    // Keyed by the connect string as upwiz shows it, never one holding a password.
    let account = format!("{user}@{}", crate::db::redact(target));
    keyring::Entry::new(SERVICE, &account).map_err(|e| CredentialError::Keyring(e.to_string()))
}

/// A remembered password, if the keyring has one and can be reached.
pub fn from_keyring(user: &str, target: &str) -> Option<Secret> {
    entry(user, target)
        .ok()?
        .get_password()
        .ok()
        .map(Secret::new)
}

pub fn remember(user: &str, target: &str, password: &Secret) -> Result<(), CredentialError> {
    entry(user, target)?
        .set_password(password.expose())
        .map_err(|e| CredentialError::Keyring(e.to_string()))
}

pub fn forget(user: &str, target: &str) -> Result<(), CredentialError> {
    match entry(user, target)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(CredentialError::Keyring(e.to_string())),
    }
}

/// Whether a keyring is usable here at all; the wizard offers 'remember' only then.
pub fn keyring_available() -> bool {
    let Ok(e) = entry("probe", "upwiz-availability-check") else {
        return false;
    };
    match e.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => true,
        Err(_) => false,
    }
}

/// Asks on the terminal without echo.
pub fn prompt(user: &str) -> Result<Secret, CredentialError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CredentialError::NoTerminal);
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map(Secret::new)
        .map_err(|_| CredentialError::NoTerminal)
}
