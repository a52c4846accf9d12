//! `upwiz package verify DIR --rdbms R --scratch C`.

use std::path::Path;

use crate::cli::args::Target;
use crate::cli::input::BadInput;

pub fn run(
    _config: Option<&Path>,
    _target: &Target,
    _dir: &Path,
    _scratch: Option<&str>,
    _json: bool,
) -> Result<i32, BadInput> {
    Err(BadInput(
        "upwiz package verify is not available in this build".into(),
    ))
}
