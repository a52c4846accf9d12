//! `upwiz package import --layout L SOURCE --out DIR`.

use std::path::PathBuf;

use crate::authoring::import::{import, ImportRequest, Layout};
use crate::cli::exit;
use crate::cli::input::BadInput;
use crate::cli::print;
use crate::package::Version;
use crate::rdbms::Rdbms;

pub struct Args<'a> {
    pub layout: &'a str,
    pub source: PathBuf,
    pub out: PathBuf,
    pub product: Option<String>,
    pub rdbms: Option<Rdbms>,
    pub reference: bool,
    pub base_version: Option<&'a str>,
}

pub fn run(a: Args) -> Result<i32, BadInput> {
    let layout: Layout = a.layout.parse()?;
    let base_version = match a.base_version {
        Some(v) => Some(
            v.parse::<Version>()
                .map_err(|e| BadInput(format!("--base-version: {e}")))?,
        ),
        None => None,
    };
    let done = import(&ImportRequest {
        layout,
        source: a.source,
        out: a.out,
        product: a.product,
        rdbms: a.rdbms,
        reference: a.reference,
        base_version,
    })?;
    for (file, why) in &done.skipped {
        print::error_line(&format!("warning: {file} not imported: {why}"));
    }
    let rdbms = done
        .rdbms
        .iter()
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join(", ");
    print::out(&format!(
        "package written to {}: {} releases, {} scripts for {rdbms} ({}), {} files copied",
        done.out.display(),
        done.releases,
        done.scripts,
        done.tool,
        done.copied
    ));
    print::out(&format!("next: upwiz package check {}", done.out.display()));
    Ok(exit::OK)
}
