//! Upgrade packages: a vendor's manifest (`upwiz.toml`) and SQL scripts.

mod error;
mod load;
mod maintenance;
mod manifest;
mod model;
mod per_rdbms;
mod script;
#[cfg(test)]
mod store_tests;
mod takeover;
mod version;

pub use error::{position, PackageError};
pub use load::{load, parse, MANIFEST};
pub use maintenance::{Maintenance, Switch as MaintenanceSwitch};
pub use manifest::Sql;
pub use model::*;
pub use per_rdbms::PerRdbms;
pub use script::{read_script, read_script_with, LoadedScript, ScriptError};
#[cfg(test)]
pub(crate) use version::comparisons;
pub use version::{BadVersion, Version};
