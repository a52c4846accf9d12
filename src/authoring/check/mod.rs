//! `upwiz package check`: every problem of a package, found without a database.
//!
//! The loader stops at the first error, which is right before a run and wrong for an
//! author fixing a package. So the manifest is walked leniently here, each script file is
//! read on its own with the engine's reader (splitter, transaction takeover, NUL bytes,
//! encodings), the loader is run for what only it checks, and, once the package loads,
//! the planner is asked for every route the policy allows.

mod routes;
mod scripts;
mod walk;

use std::path::Path;

use crate::package::{self, position, PackageError, MANIFEST};

/// One problem, located in a file relative to the package directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub releases: usize,
    /// Script files read, each for every RDBMS it is given for.
    pub scripts: usize,
    /// Routes the planner was asked for.
    pub routes: usize,
}

impl Report {
    fn add(&mut self, p: Problem) {
        // The walk and the loader often find the same thing; say it once.
        // A script reports one problem, which the loader may locate differently.
        let dup = self.problems.iter().any(|q| {
            q.file == p.file && q.line == p.line && (p.file != MANIFEST || q.column == p.column)
        });
        if !dup {
            self.problems.push(p);
        }
    }
}

/// The package cannot be read at all: no directory, no manifest, a manifest that is not
/// TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn check(dir: &Path) -> Result<Report, Unreadable> {
    if !dir.is_dir() {
        return Err(Unreadable(format!(
            "{} is not a directory: give the package directory, which holds upwiz.toml",
            dir.display()
        )));
    }
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        return Err(Unreadable(format!(
            "{} is not an upgrade package: it has no upwiz.toml",
            dir.display()
        )));
    }
    let bytes = std::fs::read(&path)
        .map_err(|e| Unreadable(format!("cannot read {}: {e}", path.display())))?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = scripts::bad_byte_at(&bytes, &e);
            return Err(Unreadable(format!(
                "{MANIFEST}:{line}:{column}: not UTF-8 text; save it as UTF-8"
            )));
        }
    };
    if let Err(e) = text.parse::<toml::Table>() {
        let (line, column) = position(text, e.span().map_or(0, |s| s.start));
        return Err(Unreadable(format!(
            "{MANIFEST}:{line}:{column}: not a TOML file: {}",
            e.message().trim_end()
        )));
    }

    let mut report = Report::default();
    let walked = walk::walk(dir, text, &mut report);
    match package::parse(dir, &path, text) {
        Ok(pkg) => {
            report.releases = pkg.releases.len();
            routes::check(&pkg, text, &walked, &mut report);
        }
        Err(e) => report.add(loader_problem(dir, e)),
    }
    Ok(report)
}

fn loader_problem(dir: &Path, e: PackageError) -> Problem {
    match e {
        PackageError::Invalid {
            line,
            column,
            message,
            ..
        } => Problem {
            file: MANIFEST.into(),
            line,
            column,
            message,
        },
        PackageError::Script(s) => scripts::script_problem(dir, s),
        other => Problem {
            file: MANIFEST.into(),
            line: 1,
            column: 1,
            message: other.to_string(),
        },
    }
}
