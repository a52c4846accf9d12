//! `upwiz package import --layout L SOURCE --out DIR`.

use std::path::Path;

use crate::cli::input::BadInput;

pub fn run(
    _layout: &str,
    _source: &Path,
    _out: &Path,
    _product: Option<&str>,
) -> Result<i32, BadInput> {
    Err(BadInput(
        "upwiz package import is not available in this build".into(),
    ))
}
