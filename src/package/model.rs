//! The validated upgrade package: what the planner and the engine work from.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::manifest::Sql;
use super::version::Version;
use crate::rdbms::Rdbms;

#[derive(Debug, Clone)]
pub struct Package {
    pub dir: PathBuf,
    pub manifest_path: PathBuf,
    pub product: Product,
    /// `[version] detect`; for every RDBMS empty when upwiz keeps the version.
    pub detect: Sql,
    /// `[version] record`; for every RDBMS empty when upwiz keeps the version.
    pub record: Sql,
    pub version_store: VersionStore,
    pub policy: Policy,
    pub baselines: Vec<Baseline>,
    /// In ascending version order.
    pub releases: Vec<Release>,
    pub preflight: Vec<Check>,
    pub builtin_violations: bool,
    pub violation_checks: Vec<Check>,
    pub items: Vec<ItemStep>,
    pub tests: Vec<PostTest>,
    pub checklist: Vec<String>,
    /// Manual steps once the upgrade has completed (restart servers, re-publish,
    /// re-enable replication): shown on the result, printed and reported.
    pub after: Vec<String>,
    /// How to lock the application out during the upgrade, if the package says.
    pub maintenance: Option<super::maintenance::Maintenance>,
}

/// Where the installed version lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionStore {
    /// In the product's own tables, read and written by `[version] detect` and `record`.
    #[default]
    Queries,
    /// In upwiz's table `upwiz_versions`, one row per product (`[version] store = "upwiz"`):
    /// for products that record no version of their own.
    Upwiz,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub name: String,
    pub vendor: Option<String>,
    /// What the vendor says about downtime, shown as a warning on the plan.
    pub downtime: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub required_stops: Vec<Version>,
    pub max_major_jump: Option<u32>,
}

/// Absolute paths of one script's file per RDBMS.
#[derive(Debug, Clone, Default)]
pub struct ScriptFiles {
    pub sqlite: Option<PathBuf>,
    pub postgres: Option<PathBuf>,
    pub mysql: Option<PathBuf>,
}

impl ScriptFiles {
    pub fn get(&self, rdbms: Rdbms) -> Option<&PathBuf> {
        match rdbms {
            Rdbms::Sqlite => self.sqlite.as_ref(),
            Rdbms::Postgres => self.postgres.as_ref(),
            Rdbms::Mysql => self.mysql.as_ref(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Baseline {
    pub version: Version,
    pub files: ScriptFiles,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub version: Version,
    pub title: Option<String>,
    pub scripts: Vec<Script>,
    /// Declared columns of tables as they are after this release.
    pub columns: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Script {
    pub name: String,
    pub files: ScriptFiles,
    /// False for scripts that must run outside a transaction (CREATE INDEX CONCURRENTLY).
    pub transactional: bool,
    /// RDBMSes on which the script explicitly has nothing to do (`nothing_on`): no file,
    /// and no step in the plan there.
    pub nothing_on: Vec<Rdbms>,
}

impl Script {
    pub fn nothing_on(&self, rdbms: Rdbms) -> bool {
        self.nothing_on.contains(&rdbms)
    }
}

#[derive(Debug, Clone)]
pub enum Probe {
    /// Offending rows: the check passes when the query returns none.
    Sql(Sql),
    /// A program and its arguments: the check passes when it exits 0.
    Command(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub probe: Probe,
    pub hint: Option<String>,
}

/// A script run once for each row of a query, each row's outcome recorded.
#[derive(Debug, Clone)]
pub struct ItemStep {
    pub name: String,
    pub release: Version,
    pub query: Sql,
    pub files: ScriptFiles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// At least one row.
    Rows,
    /// No rows.
    Empty,
    /// The query succeeds; its rows do not matter.
    Any,
}

#[derive(Debug, Clone)]
pub enum TestProbe {
    Sql {
        sql: Sql,
        expect: Expect,
    },
    Http {
        url: String,
        status: u16,
        body_contains: Option<String>,
        timeout: Duration,
        retries: u32,
        retry_delay: Duration,
        /// PEM file of the certificate authorities trusted for this URL instead of the
        /// system's; resolved against the package directory.
        ca: Option<PathBuf>,
    },
    Command(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct PostTest {
    pub name: String,
    pub probe: TestProbe,
}

impl Package {
    pub fn newest(&self) -> &Version {
        &self
            .releases
            .last()
            .expect("a package has releases")
            .version
    }

    /// Looked up by binary search: the planner asks for every release of a route, and a
    /// scan would make planning quadratic in the number of releases.
    pub fn release(&self, v: &Version) -> Option<&Release> {
        self.releases
            .binary_search_by(|r| r.version.cmp(v))
            .ok()
            .map(|i| &self.releases[i])
    }
}
