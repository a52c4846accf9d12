//! The headless front end: `upwiz install | plan | run | status | backups | history | report`.

mod adopt;
mod args;
mod backup_choice;
mod backups;
mod commands;
pub mod exit;
mod follow;
mod history;
mod input;
mod lock_wait;
mod package;
mod print;
mod rehearse;
mod repair;
mod report;
mod restore;
mod retention;
mod said;
mod signals;
mod stages;
mod unlock;

pub use args::{Cli, Command, Target};
pub use commands::dispatch;
pub use input::{settings, BadInput};
pub use print::error_line;
