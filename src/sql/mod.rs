//! SQL text handling shared by every RDBMS.

mod split;

pub use split::{split, SplitError, Statement};
