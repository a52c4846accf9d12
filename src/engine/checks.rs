//! Preflight checks, violation reports and post-upgrade tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use super::command::{self, Discard, Output};
use crate::db::{Database, DbError, DbErrorKind, Violation};
use crate::package::{Check, Expect, Package, PostTest, Probe, TestProbe, Version};

/// At most this many offending rows are quoted in a message; the report has them all.
const SHOWN_ROWS: usize = 5;

/// Why a check or test could not give its verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// Another program locks the database: nothing was checked, and no other check
    /// can run until it lets go. The message names the file and the program.
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Failed(String),
}

impl CheckError {
    /// A failed query: a lock said as such, anything else as the check's failure.
    fn query(name: &str, e: DbError) -> CheckError {
        match e.kind {
            DbErrorKind::Locked => CheckError::Locked(e.message),
            _ => CheckError::Failed(format!("'{name}': {e}")),
        }
    }
}

/// Runs a check; Ok(None) when it passes, Ok(Some(why)) when it finds something. A
/// command's output goes to `out` as it is printed.
pub fn run_check(
    db: &mut dyn Database,
    check: &Check,
    dir: &Path,
    out: &mut dyn Output,
) -> Result<Option<String>, CheckError> {
    match &check.probe {
        Probe::Sql(sql) => {
            let Some(sql) = sql.get(db.rdbms()) else {
                return Ok(None);
            };
            let r = db
                .query(sql)
                .map_err(|e| CheckError::query(&check.name, e))?;
            if r.rows.is_empty() {
                return Ok(None);
            }
            let mut lines: Vec<String> = (0..r.rows.len().min(SHOWN_ROWS))
                .map(|i| r.describe_row(i))
                .collect();
            if r.rows.len() > SHOWN_ROWS {
                lines.push(format!("... and {} more", r.rows.len() - SHOWN_ROWS));
            }
            Ok(Some(lines.join("; ")))
        }
        Probe::Command(argv) => match command::run(argv, dir, Duration::from_secs(300), out) {
            Ok(()) => Ok(None),
            Err(e) => Ok(Some(e)),
        },
    }
}

/// Every violation in the database as it is at `version`.
pub fn violations(
    db: &mut dyn Database,
    package: &Package,
    version: &Version,
) -> Result<Vec<Violation>, String> {
    violations_reporting(db, package, version, &mut Discard)
}

/// `violations`, with the output of the package's command checks going to `output`.
pub fn violations_reporting(
    db: &mut dyn Database,
    package: &Package,
    version: &Version,
    output: &mut dyn Output,
) -> Result<Vec<Violation>, String> {
    let mut out = Vec::new();
    if package.builtin_violations {
        out.extend(db.builtin_violations().map_err(|e| e.to_string())?);
        out.extend(column_violations(db, package, version)?);
    }
    for check in &package.violation_checks {
        // The package's advice travels with each finding: the report is read on its own.
        let hinted = |detail: String| match &check.hint {
            Some(h) => format!("{detail} (hint: {h})"),
            None => detail,
        };
        let Probe::Sql(sql) = &check.probe else {
            if let Some(why) =
                run_check(db, check, &package.dir, output).map_err(|e| e.to_string())?
            {
                out.push(Violation {
                    check: check.name.clone(),
                    detail: hinted(why),
                });
            }
            continue;
        };
        let Some(sql) = sql.get(db.rdbms()) else {
            continue;
        };
        let r = db
            .query(sql)
            .map_err(|e| format!("violation check '{}': {e}", check.name))?;
        for i in 0..r.rows.len() {
            out.push(Violation {
                check: check.name.clone(),
                detail: hinted(r.describe_row(i)),
            });
        }
    }
    out.sort_by(|a, b| natural_cmp(&a.check, &b.check).then(natural_cmp(&a.detail, &b.detail)));
    Ok(out)
}

/// Text order, except that runs of digits compare as numbers: "row 9" before "row 10".
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a, b);
    loop {
        let (Some(cx), Some(cy)) = (x.chars().next(), y.chars().next()) else {
            return x.len().cmp(&y.len()).then(a.cmp(b));
        };
        if cx.is_ascii_digit() && cy.is_ascii_digit() {
            let nx = x.len() - x.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let ny = y.len() - y.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let (dx, dy) = (&x[..nx], &y[..ny]);
            let (tx, ty) = (dx.trim_start_matches('0'), dy.trim_start_matches('0'));
            let o = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
            if o != Ordering::Equal {
                return o;
            }
            x = &x[nx..];
            y = &y[ny..];
            continue;
        }
        if cx != cy {
            return cx.cmp(&cy);
        }
        x = &x[cx.len_utf8()..];
        y = &y[cy.len_utf8()..];
    }
}

/// Columns that differ from the newest declaration at or below `version`.
fn column_violations(
    db: &mut dyn Database,
    package: &Package,
    version: &Version,
) -> Result<Vec<Violation>, String> {
    let Some(declared) = package
        .releases
        .iter()
        .rev()
        .filter(|r| &r.version <= version && !r.columns.is_empty())
        .map(|r| &r.columns)
        .next()
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (table, want) in declared {
        let have = db.columns(table).map_err(|e| e.to_string())?;
        if have.is_empty() {
            out.push(Violation {
                check: "columns".into(),
                detail: format!("table {table} is missing"),
            });
            continue;
        }
        let have_set: BTreeSet<String> = have.iter().map(|c| c.to_lowercase()).collect();
        let want_set: BTreeSet<String> = want.iter().map(|c| c.to_lowercase()).collect();
        for c in want_set.difference(&have_set) {
            out.push(Violation {
                check: "columns".into(),
                detail: format!("{table}.{c} is declared but missing"),
            });
        }
        for c in have_set.difference(&want_set) {
            out.push(Violation {
                check: "columns".into(),
                detail: format!("{table}.{c} exists but is not declared"),
            });
        }
    }
    Ok(out)
}

/// Writes a report (refusing a symbolic link at its path). Its lines quote the
/// database and the package, and are read in a terminal: escape sequences in them are
/// neutralised, and each stays one line.
pub fn write_report(path: &Path, title: &str, lines: &[String]) -> std::io::Result<()> {
    let one_line = |s: &str| crate::text::clean(s).replace('\n', " ");
    let mut text = format!("{}\n\n", one_line(title));
    if lines.is_empty() {
        text.push_str("No violations.\n");
    }
    for l in lines {
        text.push_str(&one_line(l));
        text.push('\n');
    }
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

pub fn describe(v: &Violation) -> String {
    format!("[{}] {}", v.check, v.detail)
}

/// Runs a post-upgrade test; Err says why it failed. `log` receives retry notes, `out`
/// a command's output as it is printed.
pub fn run_test(
    db: &mut dyn Database,
    test: &PostTest,
    dir: &Path,
    log: &mut dyn FnMut(String),
    out: &mut dyn Output,
    cancelled: &dyn Fn() -> bool,
) -> Result<(), CheckError> {
    let failed = CheckError::Failed;
    match &test.probe {
        TestProbe::Sql { sql, expect } => {
            let Some(sql) = sql.get(db.rdbms()) else {
                return Ok(());
            };
            let r = db.query(sql).map_err(|e| match e.kind {
                DbErrorKind::Locked => CheckError::Locked(e.message),
                _ => failed(e.to_string()),
            })?;
            match (expect, r.rows.is_empty()) {
                (Expect::Rows, true) => {
                    Err(failed("returned no rows, expected at least one".into()))
                }
                (Expect::Empty, false) => Err(failed(format!(
                    "returned {} rows, expected none (first: {})",
                    r.rows.len(),
                    r.describe_row(0)
                ))),
                _ => Ok(()),
            }
        }
        TestProbe::Http {
            url,
            status,
            body_contains,
            timeout,
            retries,
            retry_delay,
            ca,
        } => {
            let mut last = String::new();
            for attempt in 0..=*retries {
                if attempt > 0 {
                    log(format!(
                        "{}: attempt {} of {} failed ({last}); retrying in {}s",
                        test.name,
                        attempt,
                        retries + 1,
                        retry_delay.as_secs()
                    ));
                    let until = Instant::now() + *retry_delay;
                    while Instant::now() < until {
                        if cancelled() {
                            return Err(failed("interrupted".into()));
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
                match super::http::get(url, *timeout, ca.as_deref()) {
                    Ok((code, body)) if code == *status => match body_contains {
                        Some(want) if !body.contains(want.as_str()) => {
                            last = format!("status {code} but the body lacks '{want}'")
                        }
                        _ => return Ok(()),
                    },
                    Ok((code, _)) => last = format!("status {code}, expected {status}"),
                    Err(e) => last = e,
                }
            }
            Err(failed(format!("{url}: {last}")))
        }
        TestProbe::Command(argv) => {
            command::run(argv, dir, Duration::from_secs(600), out).map_err(failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn numeric_ids_sort_as_numbers() {
        let mut ids = vec![
            "orders row 10",
            "orders row 9",
            "orders row 100",
            "orders row 09x",
            "items",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "items",
                "orders row 9",
                "orders row 09x",
                "orders row 10",
                "orders row 100"
            ]
        );
        assert_eq!(natural_cmp("a", "a"), std::cmp::Ordering::Equal);
        assert_ne!(natural_cmp("a01", "a1"), std::cmp::Ordering::Equal);
    }
}
