//! Turns flags and the config file into validated input for a headless command.

use std::sync::Arc;

use super::args::Target;
use crate::config::{self, Overrides, Settings};
use crate::credentials;
use crate::db::ConnectSpec;
use crate::package::Package;
use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// Everything a headless command needs, checked.
pub struct Input {
    pub settings: Settings,
    pub package: Arc<Package>,
    pub spec: ConnectSpec,
}

/// A problem with what was given: printed as one line, exit 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl<E: std::fmt::Display> From<E> for BadInput {
    fn from(e: E) -> Self {
        BadInput(e.to_string())
    }
}

pub fn settings(
    config: Option<&std::path::Path>,
    t: &Target,
    target: Option<String>,
) -> Result<Settings, BadInput> {
    let (file, _) = config::load(config)?;
    Ok(Settings::merge(
        file,
        Overrides {
            package: t.package.clone(),
            rdbms: t.rdbms,
            connect: t.connect.clone(),
            user: t.user.clone(),
            target,
            log_dir: t.log_dir.clone(),
            backup_dir: t.backup_dir.clone(),
        },
    ))
}

pub fn resolve(
    config: Option<&std::path::Path>,
    t: &Target,
    target: Option<String>,
) -> Result<Input, BadInput> {
    let settings = settings(config, t, target)?;
    let package = Arc::new(settings.load_package()?);
    let connect = settings.connect.clone().ok_or_else(|| {
        BadInput(format!(
            "no database given: pass --connect (e.g. {}) or set connect in the config file",
            settings.rdbms.connect_examples()[0]
        ))
    })?;
    if has_password(&connect) {
        return Err(BadInput(
            "the connect string contains a password, which would be visible to other users of this host; remove it and use UPWIZ_PASSWORD or --password-file".into(),
        ));
    }
    let password = match settings.rdbms {
        Rdbms::Sqlite => None,
        _ => password(&settings, t, &connect)?,
    };
    let spec = ConnectSpec {
        rdbms: settings.rdbms,
        target: connect,
        user: settings.user.clone(),
        password,
    };
    Ok(Input {
        settings,
        package,
        spec,
    })
}

fn has_password(connect: &str) -> bool {
    crate::db::redact(connect) != connect
}

fn password(settings: &Settings, t: &Target, connect: &str) -> Result<Option<Secret>, BadInput> {
    if let Some(p) = credentials::from_env() {
        return Ok(Some(p));
    }
    if let Some(f) = &t.password_file {
        return Ok(Some(credentials::from_file(f)?));
    }
    let Some(user) = settings.user.as_deref() else {
        // The connect string's own user, with no password: trust or peer authentication.
        return Ok(None);
    };
    if settings.keyring {
        if let Some(p) = credentials::from_keyring(user, connect) {
            return Ok(Some(p));
        }
    }
    match credentials::prompt(user) {
        Ok(p) => Ok(Some(p)),
        // No terminal: try without one; the server says whether it needs it.
        Err(credentials::CredentialError::NoTerminal) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
