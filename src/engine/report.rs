//! The upgrade report for the change ticket: what ran, when, on which database, with
//! which backups, what the violation reports found before and after, and what is left
//! to do. Built from the journal alone, so `upwiz report` gives the same report for a
//! run long after it ended as the run wrote when it ended.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::history::{self, BackupRecord, RunHistory};
use super::journal::Journal;
use crate::db::{ConnectSpec, Database, DbError};
use crate::package::Package;

/// The violation reports of one leg of the route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegViolations {
    pub leg: String,
    pub before: Vec<String>,
    /// None when the run did not get as far as the report after the leg.
    pub after: Option<Vec<String>>,
    pub new: Vec<String>,
    pub gone: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedItemRow {
    pub step: String,
    pub id: String,
    pub name: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpgradeReport {
    pub product: String,
    pub vendor: Option<String>,
    pub rdbms: String,
    /// Where the database is, never who connects or with which password.
    pub database: String,
    pub run: RunHistory,
    /// The step the run failed or stopped at, when the report is made as it ends (the
    /// journal records only the steps that completed).
    pub stopped_at: Option<String>,
    /// Every backup of the upgrade, the one taken before it started first.
    pub backups: Vec<BackupRecord>,
    pub violations: Vec<LegViolations>,
    /// Post-upgrade tests: (leg, "passed" or why they failed).
    pub tests: Vec<(String, String)>,
    pub failed_items: Vec<FailedItemRow>,
    /// What the operator confirmed before the run could start.
    pub checklist: Vec<String>,
    /// What the package says to do once the upgrade has completed.
    pub after: Vec<String>,
    pub warnings: Vec<String>,
    /// The checksum of the package the run ran, its environment and how it passed its
    /// stage gate; None for runs of upwiz before stage gates.
    pub package: Option<crate::stages::marks::Mark>,
}

/// Where the report of `run_id` is written: next to UPGRADE.LOG.
pub fn path_for(log_dir: &Path, run_id: &str, format: Format) -> PathBuf {
    log_dir.join(format!(
        "report-{}.{}",
        super::log::file_safe(run_id),
        format.extension()
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

/// The report of `run_id` (the newest run when None), or None when the journal has no
/// such run. `warnings` are the running run's own; a later report has the journal's.
pub fn build(
    db: &mut dyn Database,
    package: &Package,
    spec: &ConnectSpec,
    run_id: Option<&str>,
    warnings: &[String],
) -> Result<Option<UpgradeReport>, DbError> {
    let product = &package.product.name;
    let Some(run) = history::one_run(db, product, run_id)? else {
        return Ok(None);
    };
    let failed_items = Journal::new(db)
        .all_failed_items(product)?
        .into_iter()
        .map(|(step, id, name, error)| FailedItemRow {
            step,
            id,
            name,
            error,
        })
        .collect();
    let mut violations: Vec<LegViolations> = Vec::new();
    let mut tests = Vec::new();
    let mut skipped_backups: Vec<String> = Vec::new();
    let lines = |d: &Option<String>| -> Vec<String> {
        d.as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    };
    for step in &run.steps {
        let Some(rest) = step.key.strip_prefix("leg/") else {
            continue;
        };
        let Some((leg, part)) = rest.split_once('/') else {
            continue;
        };
        match part {
            "violations-before" => violations.push(LegViolations {
                leg: leg.to_string(),
                before: lines(&step.detail),
                after: None,
                new: Vec::new(),
                gone: Vec::new(),
            }),
            "violations-after" => {
                let after = lines(&step.detail);
                if let Some(v) = violations.iter_mut().find(|v| v.leg == leg) {
                    v.new = after
                        .iter()
                        .filter(|l| !v.before.contains(l))
                        .cloned()
                        .collect();
                    v.gone = v
                        .before
                        .iter()
                        .filter(|l| !after.contains(l))
                        .cloned()
                        .collect();
                    v.after = Some(after);
                }
            }
            "tests" => tests.push((leg.to_string(), "passed".to_string())),
            "backup" => skipped_backups.extend(
                step.detail
                    .as_deref()
                    .and_then(history::skipped_backup_reason)
                    .map(|r| super::BackupChoice::describe_skipped(&r)),
            ),
            _ => {}
        }
    }
    if let Some(e) = run
        .error
        .as_deref()
        .filter(|e| e.contains("post-upgrade test"))
    {
        tests.push(("-".into(), e.to_string()));
    }
    let mut warnings: Vec<String> = warnings.to_vec();
    // A report made later has no live warnings: it says what the journal shows.
    if warnings.is_empty() {
        for v in &violations {
            if !v.before.is_empty() {
                warnings.push(format!(
                    "{} violation(s) in the source database were accepted ({})",
                    v.before.len(),
                    v.leg
                ));
            }
            if !v.new.is_empty() {
                warnings.push(format!(
                    "{} new violation(s) after the upgrade ({})",
                    v.new.len(),
                    v.leg
                ));
            }
        }
    }
    // Said whether this run or an earlier attempt of it skipped the backup.
    for s in skipped_backups {
        if !warnings.contains(&s) {
            warnings.insert(0, s);
        }
    }
    let package_mark = crate::stages::marks::of(db, &run.run_id)?;
    let mut backups = run.backups.clone();
    backups.sort_by(|x, y| x.taken_at.cmp(&y.taken_at));
    Ok(Some(UpgradeReport {
        product: product.clone(),
        vendor: package.product.vendor.clone(),
        rdbms: spec.rdbms.to_string(),
        database: spec.redacted(),
        backups,
        violations,
        tests,
        failed_items,
        checklist: package.checklist.clone(),
        after: package.after.clone(),
        warnings,
        run,
        stopped_at: None,
        package: package_mark,
    }))
}

/// A duration in seconds, to the millisecond below one second (most steps of a small
/// database take less).
pub fn secs(s: Option<f64>) -> String {
    match s {
        None => "-".into(),
        Some(s) if s < 1.0 => format!("{s:.3}s"),
        Some(s) => format!("{s:.1}s"),
    }
}

fn or_dash(s: Option<&str>) -> String {
    s.unwrap_or("-").to_string()
}

/// Report text as cleaned, one-line Markdown table cell text.
fn md(s: &str) -> String {
    crate::text::clean(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}

/// Report text as cleaned, escaped HTML text.
fn html(s: &str) -> String {
    let clean = crate::text::clean(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The report as sections of (heading, rows of cells); both formats render these.
struct Section {
    title: &'static str,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Said when there are no rows.
    empty: &'static str,
}

/// The package checksum and the stage gate, as rows of the facts table.
fn stage_facts(m: Option<&crate::stages::marks::Mark>) -> Vec<(String, String)> {
    let Some(m) = m else { return Vec::new() };
    let mut rows = vec![("Package SHA-256".to_string(), m.package_sha256.clone())];
    if let Some(env) = &m.environment {
        rows.push(("Environment".into(), env.clone()));
    }
    match (m.gate.as_deref(), m.reason.as_deref()) {
        (Some("skipped"), reason) => rows.push((
            "Stage gate".into(),
            format!("skipped by the operator: {}", reason.unwrap_or("-")),
        )),
        (Some(g), _) => rows.push(("Stage gate".into(), g.to_string())),
        (None, _) => {}
    }
    rows
}

fn sections(r: &UpgradeReport) -> (Vec<(String, String)>, Vec<Section>) {
    let run = &r.run;
    let facts = vec![
        (
            "Product".into(),
            match &r.vendor {
                Some(v) => format!("{} ({v})", r.product),
                None => r.product.clone(),
            },
        ),
        ("Versions".into(), format!("{} -> {}", run.from, run.to)),
        ("Outcome".into(), run.state.clone()),
        ("Database".into(), format!("{} {}", r.rdbms, r.database)),
        ("Host".into(), or_dash(run.host.as_deref())),
        ("Operator".into(), or_dash(run.user.as_deref())),
        ("Run".into(), run.run_id.clone()),
        ("Started".into(), run.started_at.clone()),
        ("Ended".into(), or_dash(run.finished_at.as_deref())),
        ("Duration".into(), secs(run.seconds)),
    ];
    let mut facts = facts;
    facts.extend(stage_facts(r.package.as_ref()));
    let mut steps: Vec<Vec<String>> = run
        .steps
        .iter()
        .map(|s| {
            vec![
                s.key.clone(),
                s.finished_at.clone(),
                secs(s.seconds),
                // An adoption's outcome is what it let pass and why.
                match (&s.detail, s.key.starts_with("adopt/")) {
                    (Some(d), true) => d.clone(),
                    _ => "done".into(),
                },
                or_dash(s.checksum.as_deref()),
            ]
        })
        .collect();
    if let (Some(e), "failed" | "interrupted") = (&run.error, run.state.as_str()) {
        steps.push(vec![
            r.stopped_at
                .clone()
                .unwrap_or_else(|| "(the step after the last one done)".into()),
            or_dash(run.finished_at.as_deref()),
            "-".into(),
            format!("{}: {e}", run.state),
            "-".into(),
        ]);
    }
    let backups = r
        .backups
        .iter()
        .map(|b| {
            vec![
                b.version.clone(),
                b.taken_at.clone(),
                b.bytes.map_or_else(|| "-".into(), |n| n.to_string()),
                or_dash(b.sha256.as_deref()),
                or_dash(b.verified.as_deref()),
                format!(
                    "{}{}",
                    b.path.display(),
                    if b.present { "" } else { " (missing)" }
                ),
            ]
        })
        .collect();
    let violations = r
        .violations
        .iter()
        .map(|v| {
            vec![
                v.leg.clone(),
                v.before.len().to_string(),
                v.after
                    .as_ref()
                    .map_or_else(|| "-".into(), |a| a.len().to_string()),
                v.new.len().to_string(),
                v.gone.len().to_string(),
                v.new.join("; "),
            ]
        })
        .collect();
    let list = |items: &[String]| items.iter().map(|i| vec![i.clone()]).collect();
    let out = vec![
        Section {
            title: "Steps",
            header: vec!["Step", "Finished", "Time", "Outcome", "Checksum"],
            rows: steps,
            empty: "No step completed.",
        },
        Section {
            title: "Backups",
            header: vec!["Version", "Taken", "Bytes", "SHA-256", "Verified", "Path"],
            rows: backups,
            empty: "No backup was made.",
        },
        Section {
            title: "Violations",
            header: vec!["Leg", "Before", "After", "New", "Gone", "New findings"],
            rows: violations,
            empty: "No violation report ran.",
        },
        Section {
            title: "Tests",
            header: vec!["Leg", "Result"],
            rows: r
                .tests
                .iter()
                .map(|(l, t)| vec![l.clone(), t.clone()])
                .collect(),
            empty: "No post-upgrade tests ran.",
        },
        Section {
            title: "Failed items",
            header: vec!["Step", "Id", "Name", "Error"],
            rows: r
                .failed_items
                .iter()
                .map(|f| {
                    vec![
                        f.step.clone(),
                        f.id.clone(),
                        f.name.clone(),
                        f.error.clone(),
                    ]
                })
                .collect(),
            empty: "None.",
        },
        Section {
            title: "Checklist confirmed before the run",
            header: vec!["Item"],
            rows: list(&r.checklist),
            empty: "The package has no checklist.",
        },
        Section {
            title: "After the upgrade",
            header: vec!["Item"],
            rows: list(&r.after),
            empty: "The package lists nothing to do after the upgrade.",
        },
        Section {
            title: "Warnings",
            header: vec!["Warning"],
            rows: list(&r.warnings),
            empty: "None.",
        },
    ];
    (facts, out)
}

/// The report in Markdown.
pub fn markdown(r: &UpgradeReport) -> String {
    let (facts, sections) = sections(r);
    let mut out = format!("# Upgrade report: {}\n\n", md(&r.product));
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in &facts {
        out.push_str(&format!("| {} | {} |\n", md(k), md(v)));
    }
    for s in sections {
        out.push_str(&format!("\n## {}\n\n", s.title));
        if s.rows.is_empty() {
            out.push_str(s.empty);
            out.push('\n');
            continue;
        }
        out.push_str(&format!("| {} |\n", s.header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(s.header.len())));
        for row in &s.rows {
            let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    out
}

/// The report as one self-contained HTML page.
pub fn html_page(r: &UpgradeReport) -> String {
    let (facts, sections) = sections(r);
    let mut out = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Upgrade report: {}</title>\n<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:2px 6px;text-align:left}}</style></head><body>\n<h1>Upgrade report: {}</h1>\n<table>\n",
        html(&r.product),
        html(&r.product)
    );
    for (k, v) in &facts {
        out.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            html(k),
            html(v)
        ));
    }
    out.push_str("</table>\n");
    for s in sections {
        out.push_str(&format!("<h2>{}</h2>\n", s.title));
        if s.rows.is_empty() {
            out.push_str(&format!("<p>{}</p>\n", s.empty));
            continue;
        }
        out.push_str("<table>\n<tr>");
        for h in &s.header {
            out.push_str(&format!("<th>{h}</th>"));
        }
        out.push_str("</tr>\n");
        for row in &s.rows {
            out.push_str("<tr>");
            for c in row {
                out.push_str(&format!("<td>{}</td>", html(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body></html>\n");
    out
}

pub fn render(r: &UpgradeReport, format: Format) -> String {
    match format {
        Format::Markdown => markdown(r),
        Format::Html => html_page(r),
    }
}

/// Writes the report (never through a symbolic link) and says where.
pub fn write(path: &Path, r: &UpgradeReport, format: Format) -> std::io::Result<()> {
    crate::fsutil::write_private_atomic(path, render(r, format).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_terminal_escapes() {
        assert_eq!(
            html("<script>\"x\" & 'y'\x1b[2J"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;?[2J"
        );
    }

    #[test]
    fn markdown_cells_stay_one_cell() {
        assert_eq!(md("a|b\nc\x1b]0;t\x07"), "a\\|b c?]0;t?");
    }
}
