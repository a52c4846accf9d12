//! `upwiz package check | import | verify`: tools for the authors of upgrade packages.

mod check;
mod import;
mod verify;

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::args::Target;
use super::input::BadInput;

#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Load a package without a database: the manifest, every script for every RDBMS and
    /// every route the policy allows; print every problem with file, line and column.
    /// Exit 0 clean, 1 problems found, 2 the package cannot be read.
    #[command(
        after_help = "Examples:\n  upwiz package check ./pkg\n  upwiz package check --json ./pkg"
    )]
    Check {
        /// The package directory (holding upwiz.toml).
        dir: PathBuf,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a complete package from a product's existing migration files. Layouts:
    /// flyway (V<version>__<desc>.sql), numbered (refinery, sqlx and dbmate files) and
    /// per-rdbms (sqlite/, postgres/, mysql/ directories of <N>.sql deltas). flyway and
    /// numbered need --rdbms. Exit 2 and nothing written when SOURCE does not fit.
    #[command(
        after_help = "Examples:\n  upwiz package import --layout flyway --rdbms postgres ./db/migration --out ./pkg --product Shop\n  upwiz package import --layout numbered --rdbms sqlite ./migrations --out ./pkg\n  upwiz package import --layout per-rdbms ./sql/upgrade --out ./pkg\n  upwiz package import --layout flyway --rdbms mysql ./db/migration --out . --reference"
    )]
    Import {
        /// The layout of SOURCE: flyway, numbered (also refinery, sqlx, dbmate) or per-rdbms.
        #[arg(long, value_name = "L")]
        layout: String,
        /// The directory holding the product's migrations.
        source: PathBuf,
        /// The package directory to write (must not exist or be empty).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The product's name in the manifest (default: SOURCE's directory name).
        #[arg(long, value_name = "NAME")]
        product: Option<String>,
        /// Reference the vendor's files where they are instead of copying them: only
        /// upwiz.toml is written, into --out, which must contain SOURCE.
        #[arg(long)]
        reference: bool,
        /// The version the base schema files are at (default: a release 0 before the
        /// first migration, so that installs run every migration after the base).
        #[arg(long, value_name = "V")]
        base_version: Option<String>,
    },
    /// Install every baseline and allowed start version on scratch databases, upgrade each
    /// to the newest release, and compare with a fresh install of it. Exit 1 when a route
    /// differs.
    #[command(
        after_help = "Examples:\n  upwiz package verify ./pkg --rdbms sqlite\n  upwiz package verify ./pkg --rdbms postgres --scratch postgres://admin@db/postgres --json"
    )]
    Verify {
        /// The package directory (holding upwiz.toml).
        dir: PathBuf,
        /// Where scratch databases are made and dropped: a server connect string (the
        /// database named in it is only used to connect); not needed for sqlite.
        #[arg(long, value_name = "C")]
        scratch: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn dispatch(
    config: Option<&Path>,
    target: &Target,
    command: PackageCommand,
) -> Result<i32, BadInput> {
    match command {
        PackageCommand::Check { dir, json } => check::run(&dir, json),
        PackageCommand::Import {
            layout,
            source,
            out,
            product,
            reference,
            base_version,
        } => import::run(import::Args {
            layout: &layout,
            source,
            out,
            product,
            rdbms: target.rdbms,
            reference,
            base_version: base_version.as_deref(),
        }),
        PackageCommand::Verify { dir, scratch, json } => {
            verify::run(config, target, &dir, scratch.as_deref(), json)
        }
    }
}
