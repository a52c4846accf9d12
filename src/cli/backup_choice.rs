//! `run --backup skip --reason "..."` against the config's `backup` setting.

use super::input::BadInput;
use crate::config::Settings;
use crate::engine::BackupChoice;

/// The run's backup choice: the flag when given, else the config's.
pub fn choose(
    settings: &Settings,
    flag: Option<&str>,
    reason: Option<&str>,
) -> Result<BackupChoice, BadInput> {
    match flag {
        None => Ok(settings.backup.clone()),
        Some("skip") => Ok(BackupChoice::skip(reason)?),
        Some(_) if reason.is_some() => Err(BadInput(
            "--reason goes with --backup skip; leave it out to take the backup".into(),
        )),
        Some(_) => Ok(BackupChoice::Take),
    }
}
