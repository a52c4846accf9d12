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
            connect_timeout: t.connect_timeout,
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
    // Parsed once: a password in it (any spelling) or a user conflict is refused here,
    // before anything could print or use it.
    let spec = ConnectSpec::parse(settings.rdbms, &connect, settings.user.clone(), None)?;
    let password = match settings.rdbms {
        Rdbms::Sqlite => None,
        _ => password(&spec, t, settings.keyring)?,
    };
    let spec = ConnectSpec::parse(settings.rdbms, &connect, settings.user.clone(), password)?
        .with_limits(settings.limits);
    Ok(Input {
        settings,
        package,
        spec,
    })
}

fn password(spec: &ConnectSpec, t: &Target, keyring: bool) -> Result<Option<Secret>, BadInput> {
    if let Some(p) = credentials::from_env() {
        return Ok(Some(p));
    }
    if let Some(f) = &t.password_file {
        let secret = credentials::from_file(f)?;
        // Only once the file is usable: a refusal stays the one line it is.
        if let Some(w) = credentials::file_warning(f) {
            eprintln!("upwiz: warning: {w}");
        }
        return Ok(Some(secret));
    }
    let Some(user) = spec.user.as_deref() else {
        // No user anywhere: the OS user with trust or peer authentication.
        return Ok(None);
    };
    if keyring {
        if let Some(p) = credentials::from_keyring(user, &spec.redacted()) {
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
