//! Preflight checks, violation reports and post-upgrade tests.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::db::{Database, Violation};
use crate::package::{Check, Expect, Package, PostTest, Probe, TestProbe, Version};

/// At most this many offending rows are quoted in a message; the report has them all.
const SHOWN_ROWS: usize = 5;

/// Runs a check; Ok(None) when it passes, Ok(Some(why)) when it finds something.
pub fn run_check(
    db: &mut dyn Database,
    check: &Check,
    dir: &Path,
) -> Result<Option<String>, String> {
    match &check.probe {
        Probe::Sql(sql) => {
            let Some(sql) = sql.get(db.rdbms()) else {
                return Ok(None);
            };
            let r = db
                .query(sql)
                .map_err(|e| format!("'{}': {e}", check.name))?;
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
        Probe::Command(argv) => match run_command(argv, dir, Duration::from_secs(300)) {
            Ok(()) => Ok(None),
            Err(e) => Ok(Some(e)),
        },
    }
}

/// Runs a program without a shell, in the package directory so that a vendor can ship
/// helper scripts with relative paths; Err carries the exit status and the end of its output.
pub fn run_command(argv: &[String], dir: &Path, timeout: Duration) -> Result<(), String> {
    let program = if argv[0].contains('/') && Path::new(&argv[0]).is_relative() {
        dir.join(&argv[0]).display().to_string()
    } else {
        argv[0].clone()
    };
    let mut command = Command::new(&program);
    // Its own process group: a terminal hang-up must not kill a check the upgrade waits on.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start '{}': {e}", argv[0]))?;
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "'{}' did not finish within {}s",
                argv[0],
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if status.success() {
        return Ok(());
    }
    let mut out = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut out);
    }
    if out.trim().is_empty() {
        if let Some(mut o) = child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
    }
    let tail: String = out
        .trim()
        .chars()
        .rev()
        .take(300)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(format!("'{}' exited with {status}: {tail}", argv[0]))
}

/// Every violation in the database as it is at `version`.
pub fn violations(
    db: &mut dyn Database,
    package: &Package,
    version: &Version,
) -> Result<Vec<Violation>, String> {
    let mut out = Vec::new();
    if package.builtin_violations {
        out.extend(db.builtin_violations().map_err(|e| e.to_string())?);
        out.extend(column_violations(db, package, version)?);
    }
    for check in &package.violation_checks {
        let Probe::Sql(sql) = &check.probe else {
            if let Some(why) = run_check(db, check, &package.dir)? {
                out.push(Violation {
                    check: check.name.clone(),
                    detail: why,
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
                detail: r.describe_row(i),
            });
        }
    }
    out.sort();
    Ok(out)
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

pub fn write_report(path: &Path, title: &str, lines: &[String]) -> std::io::Result<()> {
    let mut text = format!("{title}\n\n");
    if lines.is_empty() {
        text.push_str("No violations.\n");
    }
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    crate::fsutil::write_private_atomic(path, text.as_bytes())
}

pub fn describe(v: &Violation) -> String {
    format!("[{}] {}", v.check, v.detail)
}

/// Runs a post-upgrade test; Err says why it failed. `log` receives retry notes.
pub fn run_test(
    db: &mut dyn Database,
    test: &PostTest,
    dir: &Path,
    log: &mut dyn FnMut(String),
    cancelled: &dyn Fn() -> bool,
) -> Result<(), String> {
    match &test.probe {
        TestProbe::Sql { sql, expect } => {
            let Some(sql) = sql.get(db.rdbms()) else {
                return Ok(());
            };
            let r = db.query(sql).map_err(|e| e.to_string())?;
            match (expect, r.rows.is_empty()) {
                (Expect::Rows, true) => Err("returned no rows, expected at least one".into()),
                (Expect::Empty, false) => Err(format!(
                    "returned {} rows, expected none (first: {})",
                    r.rows.len(),
                    r.describe_row(0)
                )),
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
                            return Err("interrupted".into());
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
                match super::http::get(url, *timeout) {
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
            Err(format!("{url}: {last}"))
        }
        TestProbe::Command(argv) => run_command(argv, dir, Duration::from_secs(600)),
    }
}
