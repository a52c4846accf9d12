//! `upwiz package import`: a product's existing migration files made into a package.
//!
//! Everything is read and validated before anything is written, so a refusal leaves no
//! trace: the scanners build a [`Found`] from SOURCE, and only a complete one is written.

mod flyway;
mod manifest;
mod numbered;
mod per_rdbms;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::package::Version;
use crate::rdbms::Rdbms;

pub use write::Imported;

/// The shapes of migration directories the importer reads; their names are a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `V<version>__<desc>.sql` (Flyway).
    Flyway,
    /// refinery, sqlx or dbmate files, told apart by their names and contents.
    Numbered,
    /// One directory per RDBMS holding `<N>.sql` deltas and a base schema.
    PerRdbms,
}

impl Layout {
    pub const NAMES: &'static str = "flyway, numbered (refinery, sqlx, dbmate) or per-rdbms";

    pub fn name(self) -> &'static str {
        match self {
            Layout::Flyway => "flyway",
            Layout::Numbered => "numbered",
            Layout::PerRdbms => "per-rdbms",
        }
    }
}

impl FromStr for Layout {
    type Err = ImportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "flyway" => Ok(Layout::Flyway),
            "numbered" | "refinery" | "sqlx" | "dbmate" => Ok(Layout::Numbered),
            "per-rdbms" | "per_rdbms" => Ok(Layout::PerRdbms),
            _ => Err(ImportError(format!(
                "unknown layout '{s}': expected {}",
                Layout::NAMES
            ))),
        }
    }
}

/// A refusal: nothing has been written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

fn refuse<T>(message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError(message.into()))
}

#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub layout: Layout,
    pub source: PathBuf,
    pub out: PathBuf,
    pub product: Option<String>,
    /// The RDBMS a single-dialect layout's scripts are written for.
    pub rdbms: Option<Rdbms>,
    /// Reference the vendor's files where they are instead of copying them.
    pub reference: bool,
    /// The version the base schema files are at (default: an empty release before the
    /// first migration).
    pub base_version: Option<Version>,
}

/// What a vendor file becomes in the package.
#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// The file as it is, copied byte for byte or referenced.
    File(PathBuf),
    /// Text the importer derived from it (the up part of a dbmate file).
    Derived(String),
}

#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Relative to SOURCE, with `/` separators: also its path in a copied package.
    pub rel: String,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub(crate) struct FoundScript {
    pub name: String,
    pub transactional: bool,
    pub files: BTreeMap<Rdbms, SourceFile>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct FoundRelease {
    pub title: Option<String>,
    pub scripts: Vec<FoundScript>,
}

/// Everything a scanner found in SOURCE, checked.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The tool or convention the files follow, for the manifest's comments.
    pub tool: String,
    /// The RDBMSes the package has files for, and so claims.
    pub claimed: Vec<Rdbms>,
    pub releases: BTreeMap<Version, FoundRelease>,
    /// Base schema files per RDBMS.
    pub base: BTreeMap<Rdbms, SourceFile>,
    /// Files left out, with why: written into the manifest as comments.
    pub skipped: Vec<(String, String)>,
}

/// Imports SOURCE into a new package at OUT.
pub fn import(req: &ImportRequest) -> Result<Imported, ImportError> {
    if !req.source.is_dir() {
        return refuse(format!(
            "{} is not a directory: give the directory that holds the product's migrations",
            req.source.display()
        ));
    }
    let single = || {
        req.rdbms.ok_or_else(|| {
            ImportError(format!(
                "--rdbms is required with --layout {}: say which RDBMS the scripts are written for (sqlite, postgres or mysql)",
                req.layout.name()
            ))
        })
    };
    let found = match req.layout {
        Layout::Flyway => flyway::scan(&req.source, single()?)?,
        Layout::Numbered => numbered::scan(&req.source, single()?)?,
        // Each RDBMS has a directory of its own; --rdbms (perhaps from UPWIZ_RDBMS) has
        // nothing to choose.
        Layout::PerRdbms => per_rdbms::scan(&req.source)?,
    };
    if found.releases.is_empty() {
        return refuse(format!(
            "no migration files found in {} for --layout {}",
            req.source.display(),
            req.layout.name()
        ));
    }
    if req.base_version.is_some() && found.base.is_empty() {
        return refuse(format!(
            "--base-version says which version the base schema files are at, and {} has none (base/<rdbms>.sql or <rdbms>/base.sql)",
            req.source.display()
        ));
    }
    write::write(req, found)
}

/// Every file under `dir`, relative to it with `/` separators, sorted; hidden files and
/// directories (`.gitkeep`, `.git`) are left out.
pub(crate) fn files_under(dir: &Path) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), ImportError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ImportError(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| ImportError(format!("cannot read {}: {e}", dir.display())))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return refuse(format!(
                "{}: a file name that is not UTF-8 ({}); rename it",
                dir.display(),
                name.to_string_lossy()
            ));
        };
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let path = entry.path();
        if path.is_dir() {
            walk(&path, &format!("{rel}/"), out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// The file name part of a relative path.
pub(crate) fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// A migration's description as a release title: `add_user_email` -> "add user email".
pub(crate) fn title(desc: &str) -> Option<String> {
    let t = desc.replace('_', " ").trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// Adds one release holding one script, refusing a second file for the same version.
pub(crate) fn add_single(
    releases: &mut BTreeMap<Version, FoundRelease>,
    seen: &mut BTreeMap<Version, String>,
    version: Version,
    rel: &str,
    release: FoundRelease,
) -> Result<(), ImportError> {
    if let Some(first) = seen.get(&version) {
        return refuse(format!(
            "two files for version {version}: {first} and {rel}; keep one of them in SOURCE"
        ));
    }
    if version == zero() {
        return refuse(format!(
            "{rel}: version 0 is where the package's empty database starts; number migrations from 1"
        ));
    }
    seen.insert(version.clone(), rel.to_string());
    releases.insert(version, release);
    Ok(())
}

pub(crate) fn zero() -> Version {
    "0".parse().expect("0 is a version")
}

pub(crate) fn parse_version(text: &str, rel: &str) -> Result<Version, ImportError> {
    text.parse().map_err(|e| ImportError(format!("{rel}: {e}")))
}
