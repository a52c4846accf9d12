//! upwiz: safe, guided, resumable database upgrades of application platforms.
//!
//! The engine (`package`, `plan`, `engine`, `db`, `sql`) knows nothing of terminals;
//! the wizard (`wizard`) and the headless CLI (`cli`) are two front ends over it.

pub mod authoring;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod db;
pub mod demo;
pub mod engine;
pub mod fsutil;
pub mod package;
pub mod paths;
pub mod plan;
pub mod rdbms;
pub mod secret;
pub mod sql;
pub mod stages;
pub mod text;
pub mod verify;
pub mod wizard;
