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
    /// Write a complete package from a product's existing migration files.
    #[command(
        after_help = "Examples:\n  upwiz package import --layout flyway ./db/migration --out ./pkg --product Shop"
    )]
    Import {
        /// The layout of SOURCE.
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
        } => import::run(&layout, &source, &out, product.as_deref()),
        PackageCommand::Verify { dir, scratch, json } => {
            verify::run(config, target, &dir, scratch.as_deref(), json)
        }
    }
}
