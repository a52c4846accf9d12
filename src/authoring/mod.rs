//! Tools for package authors: importing a product's existing migrations as a package, and
//! checking a package without a database. No terminal code: the CLI prints the results.

pub mod check;
pub mod import;
