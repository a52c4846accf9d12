//! `upwiz report`: the upgrade report of a run, printed or written to a file.

use std::path::{Path, PathBuf};

use super::args::Target;
use super::exit;
use super::input::{resolve, BadInput};
use super::print;
use crate::engine::report::{self, Format};

pub fn report(
    config: Option<&Path>,
    t: &Target,
    run: Option<String>,
    format: &str,
    output: Option<PathBuf>,
    json_out: bool,
) -> Result<i32, BadInput> {
    let format = match format {
        "html" => Format::Html,
        _ => Format::Markdown,
    };
    let mut input = resolve(config, t, None)?;
    let mut session = input.connect()?;
    let built = report::build(
        session.db(),
        &input.package,
        &input.spec,
        run.as_deref(),
        &[],
    )?;
    let Some(r) = built else {
        return Err(BadInput(match run {
            Some(id) => format!(
                "the journal of this database has no run '{id}' of {}; 'upwiz history' lists the runs",
                input.package.product.name
            ),
            None => format!(
                "upwiz has not run on this database for {}: there is nothing to report",
                input.package.product.name
            ),
        }));
    };
    if json_out {
        let v = serde_json::to_value(&r).map_err(|e| BadInput(e.to_string()))?;
        print::out_object(v);
        return Ok(exit::OK);
    }
    match output {
        Some(path) => {
            report::write(&path, &r, format).map_err(|e| {
                BadInput(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ))
            })?;
            print::out(&format!("Report: {}", path.display()));
        }
        // The text is cleaned (and, as HTML, escaped) as it is rendered.
        None => print::out(report::render(&r, format).trim_end()),
    }
    Ok(exit::OK)
}
