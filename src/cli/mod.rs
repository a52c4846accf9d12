//! The headless front end: `upwiz install | plan | run | status`.

mod args;
mod commands;
pub mod exit;
mod follow;
mod input;
mod print;
mod repair;
mod restore;
mod retention;
mod said;
mod signals;
mod unlock;

pub use args::{Cli, Command, Target};
pub use commands::dispatch;
pub use input::{settings, BadInput};
pub use print::error_line;
