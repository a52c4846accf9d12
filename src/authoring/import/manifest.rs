//! The imported package's `upwiz.toml`: what the importer knows as TOML, what it cannot
//! infer as commented examples the author fills in.

use std::fmt::Write;

use super::Layout;
use crate::package::Version;
use crate::rdbms::Rdbms;

pub(super) struct Plan {
    pub product: String,
    pub layout: Layout,
    pub tool: String,
    pub source: String,
    pub reference: bool,
    pub claimed: Vec<Rdbms>,
    pub baselines: Vec<Baseline>,
    /// Ascending.
    pub releases: Vec<(Version, PlannedRelease)>,
    pub skipped: Vec<(String, String)>,
}

pub(super) struct Baseline {
    pub version: Version,
    pub files: Vec<(Rdbms, String)>,
}

pub(super) struct PlannedRelease {
    pub title: Option<String>,
    pub scripts: Vec<PlannedScript>,
}

pub(super) struct PlannedScript {
    pub name: String,
    pub transactional: bool,
    pub files: Vec<(Rdbms, String)>,
    pub nothing_on: Vec<Rdbms>,
}

/// A TOML basic string, escaped.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Text made safe for a `#` comment line.
fn c(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

pub(super) fn render(plan: &Plan) -> String {
    let mut m = String::new();
    let keys = plan
        .claimed
        .iter()
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join(", ");
    let first = &plan.releases[0].0;
    let newest = &plan.releases[plan.releases.len() - 1].0;
    let _ = writeln!(
        m,
        "# Upgrade package for {}, written by `upwiz package import --layout {}`",
        c(&plan.product),
        plan.layout.name()
    );
    let _ = writeln!(m, "# from {} ({}).", c(&plan.source), c(&plan.tool));
    let _ = writeln!(
        m,
        "# Scripts for: {keys}. Vendor files are {}.",
        if plan.reference {
            "referenced where they are (--reference): never edit or rename one once it has run"
        } else {
            "copied byte for byte: never edit or rename one once it has run"
        }
    );
    let _ = writeln!(
        m,
        "# Check it with `upwiz package check DIR`; the commented sections below are what the\n# importer cannot know: fill them in where they apply.\n"
    );

    let _ = writeln!(m, "[product]\nname = {}", q(&plan.product));
    m.push_str("# vendor = \"...\"\n# downtime = \"Stop every application server until the upgrade has completed.\"\n\n");

    m.push_str(
        "# The product keeps no version upwiz can read, so upwiz keeps it itself, per product,\n\
         # in a table of its own. A database the product's migration tool has already\n\
         # brought up to date is taken over once, with the version it is at:\n\
         #   upwiz adopt --package DIR --rdbms R --connect C --version V\n\
         # If the product records its version in a table of its own, use it instead:\n\
         # detect = \"SELECT version FROM app_version\"\n\
         # record = \"UPDATE app_version SET version = {{version}}\"\n\
         [version]\nstore = \"upwiz\"\n\n",
    );

    let stop = plan
        .releases
        .iter()
        .map(|(v, _)| v)
        .find(|v| *v != first && *v != newest)
        .unwrap_or(newest);
    let _ = writeln!(
        m,
        "# Releases every upgrade must stop at, and the largest major-version jump in one\n\
         # step, if the vendor has such rules:\n\
         # [policy]\n# required_stops = [{}]\n# max_major_jump = 2\n",
        q(stop.as_str())
    );

    for b in &plan.baselines {
        if b.version == *first {
            m.push_str("# Installs start from here: `upwiz install` runs the baseline, then every release.\n");
        }
        let _ = writeln!(m, "[[baseline]]\nversion = {}", q(b.version.as_str()));
        for (rdbms, path) in &b.files {
            let _ = writeln!(m, "{} = {}", rdbms.key(), q(path));
        }
        m.push('\n');
    }

    for (i, (version, r)) in plan.releases.iter().enumerate() {
        let _ = writeln!(m, "[[release]]\nversion = {}", q(version.as_str()));
        if let Some(t) = &r.title {
            let _ = writeln!(m, "title = {}", q(t));
        }
        for s in &r.scripts {
            let _ = writeln!(m, "\n[[release.script]]\nname = {}", q(&s.name));
            for (rdbms, path) in &s.files {
                let _ = writeln!(m, "{} = {}", rdbms.key(), q(path));
            }
            if !s.nothing_on.is_empty() {
                let list = s
                    .nothing_on
                    .iter()
                    .map(|r| q(r.key()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(m, "nothing_on = [{list}]");
            }
            if !s.transactional {
                m.push_str("transactional = false\n");
            }
        }
        if i + 1 == plan.releases.len() {
            m.push_str(
                "\n# The tables and columns this release leaves, for the violation reports\n\
                 # (declare every table you want checked):\n\
                 # [release.columns]\n# customers = [\"id\", \"name\", \"email\"]\n",
            );
        }
        m.push('\n');
    }

    if !plan.skipped.is_empty() {
        m.push_str("# Not imported:\n");
        for (rel, why) in &plan.skipped {
            let _ = writeln!(m, "# - {}: {}", c(rel), c(why));
        }
        m.push('\n');
    }

    m.push_str(
        "# Checks before every upgrade: a query returning the rows that stand in the way.\n\
         # [[preflight]]\n# name = \"No application server is connected\"\n\
         # sql = \"SELECT name FROM app_sessions WHERE ended_at IS NULL\"\n\
         # hint = \"Stop every application server, then run the check again.\"\n\n\
         # Tests once the upgrade has completed.\n\
         # [[test]]\n# name = \"The administrator account exists\"\n\
         # sql = \"SELECT id FROM users WHERE login = 'admin'\"\n# expect = \"rows\"\n\n\
         # Manual steps the operator confirms before the upgrade, and does after it.\n\
         # [[checklist]]\n# text = \"Stop every application server.\"\n\
         # [[after]]\n# text = \"Start the application servers.\"\n",
    );
    m
}
