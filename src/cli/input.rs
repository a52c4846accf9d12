//! Turns flags and the config file into validated input for a headless command.

use std::sync::Arc;

use super::args::Target;
use crate::config::{self, Overrides, Settings};
use crate::credentials;
use crate::db::{ConnectError, ConnectSpec, DbErrorKind};
use crate::engine::{EngineError, Session};
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
    let (file, path) = config::load(config)?;
    let mut flags = Overrides {
        package: t.package.clone(),
        rdbms: t.rdbms,
        connect: t.connect.clone(),
        user: t.user.clone(),
        target,
        log_dir: t.log_dir.clone(),
        backup_dir: t.backup_dir.clone(),
        connect_timeout: t.connect_timeout,
        environment: None,
    };
    if let Some(name) = &t.environment {
        select_environment(&file, path.as_deref(), name, t, &mut flags)?;
    }
    Ok(Settings::merge(file, flags))
}

/// `--environment NAME`: the database is the environment's; naming another one as well
/// is a mistake, refused before anything connects.
fn select_environment(
    file: &config::FileConfig,
    path: Option<&std::path::Path>,
    name: &str,
    t: &Target,
    flags: &mut Overrides,
) -> Result<(), BadInput> {
    if t.connect.is_some() || t.rdbms.is_some() {
        return Err(BadInput(format!(
            "--environment {name} names the database already: leave out --connect and --rdbms (and UPWIZ_CONNECT / UPWIZ_RDBMS), or leave out --environment"
        )));
    }
    let env = crate::stages::environments::find(&file.environments, name).map_err(|e| {
        BadInput(match path {
            Some(p) => format!("{e} ({})", p.display()),
            None => format!("{e}; no config file was found: pass --config FILE"),
        })
    })?;
    flags.rdbms = Some(env.rdbms);
    flags.connect = Some(env.connect.clone());
    flags.user = t.user.clone().or_else(|| env.user.clone());
    flags.environment = Some(env.name.clone());
    Ok(())
}

/// Where and as whom to reach another environment (the stage before, or every stage for
/// `upwiz stages`): its password comes from where this run's comes from, never a prompt.
pub fn environment_spec(
    env: &crate::stages::Environment,
    t: &Target,
    settings: &Settings,
) -> Result<ConnectSpec, BadInput> {
    let spec = ConnectSpec::parse(env.rdbms, &env.connect, env.user.clone(), None)?;
    let password = match env.rdbms {
        Rdbms::Sqlite => None,
        _ => password(&spec, t, settings.keyring)?,
    };
    Ok(
        ConnectSpec::parse(env.rdbms, &env.connect, env.user.clone(), password)?
            .with_limits(settings.limits),
    )
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
    // None yet: the first connection tries without one (trust and peer authentication
    // need none), and `Input::connect` asks for it when the server refuses.
    Ok(None)
}

impl Input {
    /// Before a command whose engine connects by itself (run, install): makes sure the
    /// password is known when the server wants one, asking as `connect` does. Other
    /// connection problems are left for the engine to report in its log.
    pub fn authenticate(&mut self) -> Result<(), BadInput> {
        if self.spec.rdbms == Rdbms::Sqlite || self.spec.password.is_some() {
            return Ok(());
        }
        match Session::connect(&self.spec, self.package.clone()) {
            Err(EngineError::Connect(e)) if e.kind == DbErrorKind::Auth => self.connect().map(drop),
            _ => Ok(()),
        }
    }

    /// Connects, asking for the password on the terminal when the server refuses a
    /// connection made without one; headless, the refusal says that none was given.
    pub fn connect(&mut self) -> Result<Session, BadInput> {
        match Session::connect(&self.spec, self.package.clone()) {
            Ok(s) => Ok(s),
            Err(EngineError::Connect(e))
                if e.kind == DbErrorKind::Auth && self.spec.password.is_none() =>
            {
                let user = self
                    .spec
                    .user
                    .clone()
                    .unwrap_or_else(crate::db::default_user);
                match credentials::prompt(&user) {
                    Ok(p) => {
                        if p.expose().contains(['\n', '\r', '\0']) {
                            return Err(ConnectError::PasswordLineBreak.into());
                        }
                        self.spec.password = Some(p);
                        Ok(Session::connect(&self.spec, self.package.clone())?)
                    }
                    Err(credentials::CredentialError::NoTerminal) => Err(BadInput(format!(
                        "{}; no password was given: set UPWIZ_PASSWORD, use --password-file, or run upwiz in a terminal to be asked for it",
                        e.message
                    ))),
                    Err(other) => Err(other.into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}
