//! Settings from a config file (the format of config.example.toml) merged with flags:
//! raw input in, validated settings out.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::package::PackageError;
use crate::paths::{self, Dirs};
use crate::rdbms::Rdbms;

/// The config file as written; every key optional.
#[derive(Debug, Default, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub package: Option<PathBuf>,
    pub rdbms: Option<String>,
    pub connect: Option<String>,
    pub user: Option<String>,
    pub target: Option<String>,
    pub log_dir: Option<PathBuf>,
    pub backup_dir: Option<PathBuf>,
    pub keyring: Option<bool>,
    /// Seconds a connection and login may take.
    pub connect_timeout: Option<u64>,
    /// Seconds upwiz's statements (and a package's) wait for another session's lock.
    pub lock_timeout: Option<u64>,
    /// How many backups of each database to keep; unset keeps them all.
    pub backups_keep: Option<usize>,
    /// The `[[environment]]` tables as written.
    #[serde(default)]
    pub environment: Vec<crate::stages::environments::RawEnvironment>,
    /// The same, checked and in stage order (filled by `parse`).
    #[serde(skip)]
    pub environments: Vec<crate::stages::Environment>,
    /// "take" (the default) or "skip"; a skip needs `backup_skip_reason`.
    pub backup: Option<String>,
    pub backup_skip_reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("config file {0} is a directory, not a file")]
    IsADirectory(PathBuf),
    #[error("cannot read config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Reads `explicit` (which must exist) or else the platform config file (if it exists).
pub fn load(explicit: Option<&Path>) -> Result<(FileConfig, Option<PathBuf>), ConfigError> {
    let path = match explicit {
        Some(p) if p.is_dir() => return Err(ConfigError::IsADirectory(p.to_path_buf())),
        Some(p) if !p.is_file() => return Err(ConfigError::Missing(p.to_path_buf())),
        Some(p) => p.to_path_buf(),
        None => match paths::default_config_file() {
            Some(p) if p.is_file() => p,
            _ => return Ok((FileConfig::default(), None)),
        },
    };
    let bytes = std::fs::read(&path).map_err(|source| ConfigError::Unreadable {
        path: path.clone(),
        source,
    })?;
    let cfg = parse(&path, &bytes)?;
    Ok((cfg, Some(path)))
}

pub fn parse(path: &Path, bytes: &[u8]) -> Result<FileConfig, ConfigError> {
    let invalid = |offset: usize, message: String| {
        let text = String::from_utf8_lossy(bytes);
        let (line, column) = crate::package::position(&text, offset);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| invalid(e.valid_up_to(), "not UTF-8 text; save it as UTF-8".into()))?;
    let mut cfg: FileConfig = toml::from_str(text).map_err(|e| {
        invalid(
            e.span().map_or(0, |s| s.start),
            e.message().trim_end().to_string(),
        )
    })?;
    if let Some(r) = &cfg.rdbms {
        r.parse::<Rdbms>().map_err(|e| invalid(0, e.to_string()))?;
    }
    if cfg.backups_keep == Some(0) {
        let at = text.find("backups_keep").unwrap_or(0);
        return Err(invalid(
            at,
            "backups_keep must be at least 1 (the newest pre-upgrade backup is always kept); leave it out to keep every backup".into(),
        ));
    }
    if let Err(e) = backup_choice(&cfg) {
        let at = text.find("backup").unwrap_or(0);
        return Err(invalid(at, e.to_string()));
    }
    for (key, v) in [
        ("connect_timeout", cfg.connect_timeout),
        ("lock_timeout", cfg.lock_timeout),
    ] {
        if v.is_some_and(|v| !(1..=86_400).contains(&v)) {
            let at = text.find(key).unwrap_or(0);
            return Err(invalid(
                at,
                format!("{key} must be between 1 and 86400 seconds"),
            ));
        }
    }
    cfg.environments = crate::stages::environments::validate(&cfg.environment)
        .map_err(|(at, message)| invalid(at, message))?;
    Ok(cfg)
}

/// The backup choice the file makes: `backup = "skip"` with `backup_skip_reason`.
fn backup_choice(
    cfg: &FileConfig,
) -> Result<crate::engine::BackupChoice, crate::engine::EngineError> {
    use crate::engine::{BackupChoice, EngineError};
    match cfg.backup.as_deref() {
        None | Some("take") if cfg.backup_skip_reason.is_some() => Err(EngineError::BadInput(
            "backup_skip_reason is set but backup is not \"skip\"; write backup = \"skip\" to skip the backup, or remove the reason".into(),
        )),
        None | Some("take") => Ok(BackupChoice::Take),
        Some("skip") => BackupChoice::skip(cfg.backup_skip_reason.as_deref()),
        Some(other) => Err(EngineError::BadInput(format!(
            "backup = \"{other}\" is not a choice: write \"take\" (the default) or \"skip\" with backup_skip_reason"
        ))),
    }
}

/// Values given on the command line; they override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub package: Option<PathBuf>,
    pub rdbms: Option<Rdbms>,
    pub connect: Option<String>,
    pub user: Option<String>,
    pub target: Option<String>,
    pub log_dir: Option<PathBuf>,
    pub backup_dir: Option<PathBuf>,
    pub connect_timeout: Option<u64>,
    /// The `[[environment]]` chosen with --environment (already checked to exist).
    pub environment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub package_dir: PathBuf,
    /// True when no package was configured and the bundled demo is used.
    pub is_demo: bool,
    pub rdbms: Rdbms,
    pub connect: Option<String>,
    pub user: Option<String>,
    pub target: Option<String>,
    pub dirs: Dirs,
    pub keyring: bool,
    /// How long connecting and lock waits may take.
    pub limits: crate::db::Limits,
    /// Backups of each database kept after a run (the newest pre-upgrade one always).
    pub backups_keep: Option<usize>,
    /// Every `[[environment]]` of the config file, in stage order.
    pub environments: Vec<crate::stages::Environment>,
    /// The one chosen with --environment: rdbms, connect and user come from it.
    pub environment: Option<crate::stages::Environment>,
    /// Whether a run takes its backup (the file's choice; `run --backup` overrides it).
    pub backup: crate::engine::BackupChoice,
}

/// The demo package built into the binary, unpacked into the state directory (see
/// `demo`) and ready to read; `load_package` reports a failure to unpack.
pub fn demo_package_dir() -> PathBuf {
    let dir = crate::demo::package_dir();
    let _ = crate::demo::unpack(&dir);
    dir
}

/// Where the demo's embedded SQLite database lives when none is configured.
pub fn demo_database() -> PathBuf {
    paths::default_state_dir().join("demo").join("demo.db")
}

impl Settings {
    pub fn merge(file: FileConfig, flags: Overrides) -> Settings {
        // Checked when the file was read.
        let backup = backup_choice(&file).unwrap_or_default();
        let package = flags.package.or(file.package);
        let is_demo = package.is_none();
        let rdbms = flags
            .rdbms
            .or_else(|| file.rdbms.as_deref().and_then(|r| r.parse().ok()))
            .unwrap_or(Rdbms::Sqlite);
        Settings {
            package_dir: package.unwrap_or_else(crate::demo::package_dir),
            is_demo,
            rdbms,
            connect: flags.connect.or(file.connect),
            user: flags.user.or(file.user),
            target: flags.target.or(file.target),
            dirs: Dirs::new(
                flags.log_dir.or(file.log_dir),
                flags.backup_dir.or(file.backup_dir),
            ),
            keyring: file.keyring.unwrap_or(true),
            backups_keep: file.backups_keep,
            environment: flags
                .environment
                .as_deref()
                .and_then(|n| file.environments.iter().find(|e| e.name == n).cloned()),
            environments: file.environments,
            backup,
            limits: {
                let d = crate::db::Limits::default();
                crate::db::Limits {
                    connect: flags
                        .connect_timeout
                        .or(file.connect_timeout)
                        .map_or(d.connect, std::time::Duration::from_secs),
                    lock: file
                        .lock_timeout
                        .map_or(d.lock, std::time::Duration::from_secs),
                }
            },
        }
    }

    pub fn load_package(&self) -> Result<crate::package::Package, PackageError> {
        if self.is_demo {
            crate::demo::unpack(&self.package_dir).map_err(|e| PackageError::Unreadable {
                path: self.package_dir.clone(),
                source: std::io::Error::new(
                    e.kind(),
                    format!("the built-in demo package cannot be unpacked there ({e}); set XDG_STATE_HOME to a writable directory or pass --package"),
                ),
            })?;
        }
        crate::package::load(&self.package_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file() {
        let file = FileConfig {
            rdbms: Some("postgres".into()),
            connect: Some("postgres://db/x".into()),
            user: Some("app".into()),
            ..FileConfig::default()
        };
        let s = Settings::merge(
            file,
            Overrides {
                connect: Some("postgres://other/y".into()),
                ..Overrides::default()
            },
        );
        assert_eq!(s.rdbms, Rdbms::Postgres);
        assert_eq!(s.connect.as_deref(), Some("postgres://other/y"));
        assert_eq!(s.user.as_deref(), Some("app"));
        assert!(s.is_demo);
    }

    #[test]
    fn a_skipped_backup_needs_a_reason_and_keeps_it() {
        let e = parse(Path::new("c.toml"), b"backup = \"skip\"\n").unwrap_err();
        assert!(e.to_string().contains("needs a reason"), "{e}");
        let e = parse(Path::new("c.toml"), b"backup = \"none\"\n").unwrap_err();
        assert!(e.to_string().contains("not a choice"), "{e}");
        let e = parse(Path::new("c.toml"), b"backup_skip_reason = \"snap\"\n").unwrap_err();
        assert!(e.to_string().contains("not \"skip\""), "{e}");
        let file = parse(
            Path::new("c.toml"),
            b"backup = \"skip\"\nbackup_skip_reason = \"SAN snapshot 02:00\"\n",
        )
        .unwrap();
        let s = Settings::merge(file, Overrides::default());
        assert_eq!(s.backup.skip_reason(), Some("SAN snapshot 02:00"));
        let s = Settings::merge(FileConfig::default(), Overrides::default());
        assert_eq!(s.backup, crate::engine::BackupChoice::Take);
    }

    #[test]
    fn a_bad_file_names_line_and_column() {
        let e = parse(Path::new("c.toml"), b"rdbms = \"sqlite\"\nconect = \"x\"\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("c.toml:2:1:"), "{msg}");
        assert!(msg.contains("conect"), "{msg}");
        let e = parse(Path::new("c.toml"), b"rdbms = \"oracle\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown RDBMS 'oracle'"));
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// config.example.toml documents every setting and stays loadable.
    #[test]
    fn the_example_config_parses_and_sets_every_key() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let cfg = parse(&path, text.as_bytes()).unwrap();
        assert!(cfg.package.is_some() && cfg.rdbms.is_some() && cfg.connect.is_some());
        assert!(cfg.user.is_some() && cfg.log_dir.is_some() && cfg.backup_dir.is_some());
        assert!(cfg.keyring.is_some());
        assert!(cfg.connect_timeout.is_some() && cfg.lock_timeout.is_some());
        assert!(cfg.backups_keep.is_some());
        let stages: Vec<_> = cfg.environments.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(stages, ["dev", "test", "prod"]);
        assert!(text.contains("# target = "), "target is documented");
    }
}
