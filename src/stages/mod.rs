//! Stages: named environments (Dev -> Test -> Pre-Production -> Production) from the
//! config file, the package checksum each run records, and the gate that keeps a stage
//! from being upgraded before the stage before it completed the same upgrade.

pub mod checksum;
pub mod environments;
pub mod evaluate;
pub mod gate;
pub mod marks;

pub use environments::Environment;
