//! The paper trail of upgrades: `upwiz backups`, `upwiz history`, `upwiz report`, the
//! report a run writes when it ends, and the run id on every log line.

mod common;

use std::path::{Path, PathBuf};

use common::anydb::{self, Db};
use common::*;
use serde_json::Value;
use upwiz::rdbms::Rdbms;

fn json_of(out: &std::process::Output) -> Value {
    assert_ok(out);
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn sha256_hex(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn upgrade(env: &Env, db: &Db, backups: &Path, target: &str) -> std::process::Output {
    anydb::run(
        env,
        db,
        &demo_package(),
        &[
            "run",
            "--yes",
            "--accept-violations",
            "--target",
            target,
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    )
}

/// A record status no code matches: the 10.0 script that maps statuses fails on it.
fn break_a_status(db: &Db) {
    db.execute("UPDATE records SET status = 'bogus' WHERE id = 1");
}

fn fix_the_status(db: &Db) {
    db.execute("UPDATE records SET status = 'draft' WHERE id = 1");
}

fn lines_with(text: &str, prefix: &str) -> Vec<PathBuf> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(prefix))
        .map(PathBuf::from)
        .collect()
}

fn the_paper_trail_of_an_upgrade(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let backups = env.path("backups");
    // A first attempt that fails after the backup; the second continues it.
    break_a_status(&db);
    let first = upgrade(&env, &db, &backups, "11.0");
    assert_eq!(code(&first), 1, "{}\n{}", stdout(&first), stderr(&first));
    let first_report = lines_with(&stdout(&first), "Report: ");
    assert_eq!(first_report.len(), 1, "{}", stdout(&first));
    let failed = std::fs::read_to_string(&first_report[0]).unwrap();
    assert!(failed.contains("| Outcome | failed |"), "{failed}");
    assert!(
        failed.contains("02_record_status_lookup") && failed.contains("failed: "),
        "the report names the step that failed and why:\n{failed}"
    );
    fix_the_status(&db);
    let second = upgrade(&env, &db, &backups, "11.0");
    assert_ok(&second);
    let text = stdout(&second);
    let shown = lines_with(&text, "backup: ");
    // A resumed run lists every backup of the upgrade, the pre-upgrade one first.
    assert_eq!(shown.len(), 2, "{text}");
    assert!(
        shown[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("-9.0-"),
        "{text}"
    );

    // upwiz backups: both, with size, SHA-256 and verification of the file on disk.
    let b = json_of(&anydb::run(
        &env,
        &db,
        &demo_package(),
        &["backups", "--json"],
    ));
    let list = b["backups"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{b}");
    assert_eq!(list[0]["version"], "9.0");
    assert_eq!(list[1]["version"], "10.1");
    for (entry, path) in list.iter().zip(&shown) {
        assert_eq!(entry["path"].as_str().unwrap(), path.to_str().unwrap());
        assert_eq!(entry["present"], true);
        assert_eq!(
            entry["bytes"].as_u64().unwrap(),
            std::fs::metadata(path).unwrap().len()
        );
        assert_eq!(entry["sha256"].as_str().unwrap(), sha256_hex(path));
        assert!(!entry["verified"].as_str().unwrap().is_empty(), "{entry}");
    }
    let plain = anydb::run(&env, &db, &demo_package(), &["backups"]);
    assert_ok(&plain);
    assert!(
        stdout(&plain).contains(&sha256_hex(&shown[0])),
        "{}",
        stdout(&plain)
    );

    // upwiz history: the install and the upgrade, who ran it and each script's checksum.
    let h = json_of(&anydb::run(
        &env,
        &db,
        &demo_package(),
        &["history", "--json"],
    ));
    let runs = h["runs"].as_array().unwrap();
    let run = runs.last().unwrap();
    assert_eq!(
        (run["from"].as_str(), run["to"].as_str()),
        (Some("9.0"), Some("11.0")),
        "{h}"
    );
    assert_eq!(run["state"], "completed");
    assert!(run["user"].as_str().is_some_and(|u| !u.is_empty()), "{run}");
    assert!(run["host"].as_str().is_some_and(|u| !u.is_empty()), "{run}");
    assert!(run["seconds"].as_f64().is_some(), "{run}");
    let steps = run["steps"].as_array().unwrap();
    let script = steps
        .iter()
        .find(|s| s["key"].as_str().unwrap().starts_with("script/10.0/"))
        .unwrap_or_else(|| panic!("no script step in {run}"));
    assert_eq!(script["checksum"].as_str().unwrap().len(), 64, "{script}");
    assert!(script["seconds"].as_f64().is_some(), "{script}");
    let run_id = run["run_id"].as_str().unwrap().to_string();

    // The run wrote its report next to UPGRADE.LOG, and printed where.
    let written = lines_with(&text, "report: ");
    let report_path = env.state_dir().join(format!("report-{run_id}.md"));
    assert!(written.contains(&report_path), "{text}");
    assert_eq!(first_report[0], report_path);
    let report = std::fs::read_to_string(&report_path).unwrap();
    for want in [
        "# Upgrade report: Lattice Application Platform",
        "| Versions | 9.0 -> 11.0 |",
        "| Outcome | completed |",
        &sha256_hex(&shown[0]),
        "Reinstall the Lattice License Server",
        "## Violations",
        "## Tests",
    ] {
        assert!(report.contains(want), "{want} not in\n{report}");
    }

    // upwiz report: the same report on demand, as Markdown, HTML or JSON.
    let again = anydb::run(&env, &db, &demo_package(), &["report", "--run", &run_id]);
    assert_ok(&again);
    assert!(stdout(&again).contains(&sha256_hex(&shown[1])));
    let html = env.path("report.html");
    let out = anydb::run(
        &env,
        &db,
        &demo_package(),
        &[
            "report",
            "--format",
            "html",
            "--output",
            html.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains(&sha256_hex(&shown[0])));
    let j = json_of(&anydb::run(
        &env,
        &db,
        &demo_package(),
        &["report", "--json"],
    ));
    assert_eq!(j["run"]["run_id"], run_id.as_str());
    assert_eq!(j["backups"].as_array().unwrap().len(), 2);
    let missing = anydb::run(&env, &db, &demo_package(), &["report", "--run", "nope"]);
    assert_eq!(code(&missing), 2, "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("upwiz history"),
        "{}",
        stderr(&missing)
    );

    // Every UPGRADE.LOG line carries a run id; the run has a log of its own.
    let log = env.log();
    assert!(
        log.lines().all(|l| l
            .split_whitespace()
            .nth(2)
            .is_some_and(|id| id.starts_with('['))),
        "{log}"
    );
    assert!(log.contains(&format!("[{run_id}] Step 1/")), "{log}");
    let own =
        std::fs::read_to_string(env.state_dir().join(format!("UPGRADE-{run_id}.LOG"))).unwrap();
    assert!(own.contains("Connecting to"), "{own}");
    assert!(
        own.contains("continues") || own.contains("Continuing"),
        "{own}"
    );
}

#[test]
fn sqlite_paper_trail_of_an_upgrade() {
    the_paper_trail_of_an_upgrade(Rdbms::Sqlite);
}

#[test]
fn postgres_paper_trail_of_an_upgrade() {
    the_paper_trail_of_an_upgrade(Rdbms::Postgres);
}

#[test]
fn mariadb_paper_trail_of_an_upgrade() {
    the_paper_trail_of_an_upgrade(Rdbms::Mysql);
}

#[test]
fn a_database_without_runs_has_no_history_and_no_report() {
    let env = Env::new();
    let db = env.path("new.db");
    std::fs::File::create(&db).unwrap();
    let h = env.sqlite(&demo_package(), &db, &["history", "--json"]);
    assert_eq!(json_of(&h)["runs"], serde_json::json!([]));
    let b = env.sqlite(&demo_package(), &db, &["backups"]);
    assert_ok(&b);
    assert!(stdout(&b).contains("none"), "{}", stdout(&b));
    let r = env.sqlite(&demo_package(), &db, &["report"]);
    assert_eq!(code(&r), 2, "{}", stderr(&r));
}

/// Violation findings carry the package's hint, and ids sort as numbers.
#[test]
fn violation_reports_show_hints_and_sort_ids_as_numbers() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    // Application 1 has hundreds of records, with ids of one to four digits.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE applications SET deleted = 1 WHERE id = 1")
        .unwrap();
    let backups = env.path("backups");
    let out = env.sqlite(
        &demo_package(),
        &db,
        &[
            "run",
            "--yes",
            "--accept-violations",
            "--target",
            "9.1",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let before = lines_with(&stdout(&out), "report: ")
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with("-before.txt"))
        .unwrap_or_else(|| panic!("{}", stdout(&out)));
    let text = std::fs::read_to_string(&before).unwrap();
    let deleted: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("[Records of deleted applications]"))
        .collect();
    assert!(!deleted.is_empty(), "{text}");
    assert!(
        deleted
            .iter()
            .all(|l| l.contains("(hint: Restore the application")),
        "{text}"
    );
    let ids: Vec<u64> = deleted
        .iter()
        .filter_map(|l| {
            let rest = l.split("record_id").nth(1)?;
            let digits: String = rest
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect();
    assert!(ids.len() > 1, "{text}");
    assert!(ids.windows(2).all(|w| w[0] <= w[1]), "{ids:?}\n{text}");
}

/// The Markdown report, with what differs from run to run (times, paths, ids, sizes
/// and checksums) normalised.
#[test]
fn markdown_report_snapshot() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    // A violation before that is still there after.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE users SET status = 'retired' WHERE id = 17")
        .unwrap();
    let backups = env.path("backups");
    let out = env.sqlite(
        &demo_package(),
        &db,
        &[
            "run",
            "--yes",
            "--accept-violations",
            "--target",
            "10.0",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let path = lines_with(&stdout(&out), "report: ")
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("report-")
        })
        .unwrap();
    let run_id = path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .trim_start_matches("report-")
        .to_string();
    let text = std::fs::read_to_string(&path).unwrap();
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    insta::assert_snapshot!(normalise(&text, &env, &run_id, &host));
}

fn normalise(text: &str, env: &Env, run_id: &str, host: &str) -> String {
    let text = text
        .replace(&env.dir.path().display().to_string(), "<tmp>")
        .replace(run_id, "<run>");
    text.lines()
        .map(|line| {
            if !line.starts_with('|') {
                return line.to_string();
            }
            let cells: Vec<String> = line
                .split(" | ")
                .map(|cell| {
                    let (lead, c, trail) = split_pipes(cell);
                    let c = if c == host {
                        "<host>".into()
                    } else if c.len() == 24 && c.as_bytes().get(10) == Some(&b'T') {
                        "<time>".into()
                    } else if c.ends_with('s')
                        && c.len() > 1
                        && c[..c.len() - 1].parse::<f64>().is_ok()
                    {
                        "<secs>".into()
                    } else if c.len() == 64 && c.chars().all(|x| x.is_ascii_hexdigit()) {
                        "<sha256>".into()
                    } else if let Some(file) = c.strip_prefix("<tmp>/backups/") {
                        // The database's id in the name depends on the temp dir.
                        let version = file.split('-').nth(1).unwrap_or_default();
                        format!("<tmp>/backups/app-{version}-<db id>-<run>.sqlite")
                    } else if c.len() >= 4 && c.chars().all(|x| x.is_ascii_digit()) {
                        "<bytes>".into()
                    } else {
                        c.to_string()
                    };
                    format!("{lead}{c}{trail}")
                })
                .collect();
            cells.join(" | ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn split_pipes(cell: &str) -> (&str, &str, &str) {
    let lead = if cell.starts_with("| ") { "| " } else { "" };
    let rest = &cell[lead.len()..];
    let trail = if rest.ends_with(" |") { " |" } else { "" };
    (lead, &rest[..rest.len() - trail.len()], trail)
}

/// What the package says reaches the report as text: no escape sequence in either
/// format, and no markup in the HTML.
#[test]
fn package_text_is_neither_markup_nor_escape_sequences_in_the_report() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replacen(
        "text = \"Stop every Lattice application server",
        "text = \"<script>alert(1)</script> \\u001b]0;owned\\u0007 | Stop every Lattice application server",
        1,
    );
    std::fs::write(&manifest, text).unwrap();
    let db = env.path("app.db");
    assert_ok(&env.sqlite(&pkg, &db, &["install", "--version", "9.0"]));
    let backups = env.path("backups");
    let out = env.sqlite(
        &pkg,
        &db,
        &[
            "run",
            "--yes",
            "--target",
            "9.1",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    let md = env.sqlite(&pkg, &db, &["report"]);
    assert_ok(&md);
    let md = stdout(&md);
    assert!(md.contains("?]0;owned?"), "{md}");
    assert!(
        md.contains("\\| Stop every"),
        "a cell stays one cell:\n{md}"
    );
    let html = env.sqlite(&pkg, &db, &["report", "--format", "html"]);
    assert_ok(&html);
    let html = stdout(&html);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    for text in [&md, &html] {
        assert!(!text.contains(['\u{1b}', '\u{7}']), "{text:?}");
    }
}
