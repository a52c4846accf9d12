//! The manifest as written in `upwiz.toml`, before validation.
//! Spans are kept on values that later checks point at.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::per_rdbms::PerRdbms;

pub type Sql = PerRdbms<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub product: RawProduct,
    pub version: Spanned<RawVersionSql>,
    #[serde(default)]
    pub policy: RawPolicy,
    #[serde(default)]
    pub baseline: Vec<RawBaseline>,
    #[serde(default)]
    pub release: Vec<RawRelease>,
    #[serde(default)]
    pub preflight: Vec<RawCheck>,
    #[serde(default)]
    pub violations: RawViolations,
    #[serde(default)]
    pub items: Vec<RawItems>,
    #[serde(default)]
    pub test: Vec<RawTest>,
    #[serde(default)]
    pub checklist: Vec<RawChecklist>,
    /// Manual steps for after a completed upgrade: `[[after]]`, like `[[checklist]]`.
    #[serde(default)]
    pub after: Vec<RawChecklist>,
    /// `[maintenance]`: locking the application out during the upgrade.
    #[serde(default)]
    pub maintenance: Option<super::maintenance::RawMaintenance>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    pub name: String,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub downtime: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersionSql {
    #[serde(default)]
    pub detect: Option<Spanned<Sql>>,
    #[serde(default)]
    pub record: Option<Spanned<Sql>>,
    /// `store = "upwiz"`: upwiz keeps the version itself, for products that record none.
    #[serde(default)]
    pub store: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default)]
    pub required_stops: Vec<Spanned<String>>,
    #[serde(default)]
    pub max_major_jump: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBaseline {
    pub version: Spanned<String>,
    pub sqlite: Option<Spanned<String>>,
    pub postgres: Option<Spanned<String>>,
    pub mysql: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelease {
    pub version: Spanned<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub script: Vec<RawScript>,
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScript {
    pub name: Spanned<String>,
    pub sqlite: Option<Spanned<String>>,
    pub postgres: Option<Spanned<String>>,
    pub mysql: Option<Spanned<String>>,
    #[serde(default = "yes")]
    pub transactional: bool,
    /// RDBMSes the script has nothing to do on, said explicitly instead of an empty file.
    #[serde(default)]
    pub nothing_on: Vec<Spanned<String>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub name: Spanned<String>,
    #[serde(default)]
    pub sql: Option<Sql>,
    #[serde(default)]
    pub command: Option<Vec<String>>,
    #[serde(default)]
    pub hint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawViolations {
    #[serde(default = "yes")]
    pub builtin: bool,
    #[serde(default)]
    pub check: Vec<RawCheck>,
}

impl Default for RawViolations {
    fn default() -> Self {
        RawViolations {
            builtin: true,
            check: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItems {
    pub name: Spanned<String>,
    pub release: Spanned<String>,
    pub query: Sql,
    pub sqlite: Option<Spanned<String>>,
    pub postgres: Option<Spanned<String>>,
    pub mysql: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    pub name: Spanned<String>,
    #[serde(default)]
    pub sql: Option<Sql>,
    #[serde(default)]
    pub expect: Option<Spanned<String>>,
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub body_contains: Option<String>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub retries: Option<u32>,
    #[serde(default)]
    pub retry_delay_secs: Option<u64>,
    #[serde(default)]
    pub ca: Option<Spanned<String>>,
    #[serde(default)]
    pub command: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChecklist {
    pub text: String,
}
