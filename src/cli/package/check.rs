//! `upwiz package check DIR`.

use std::path::Path;

use crate::cli::input::BadInput;

pub fn run(_dir: &Path, _json: bool) -> Result<i32, BadInput> {
    Err(BadInput(
        "upwiz package check is not available in this build".into(),
    ))
}
