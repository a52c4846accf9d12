//! SQL text handling shared by every RDBMS.

mod split;
mod transaction;

pub use split::{split, SplitError, Statement};
pub use transaction::{classify, TxnControl};
