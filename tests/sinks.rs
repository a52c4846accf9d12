//! Where upwiz writes (stdout, UPGRADE.LOG, violation reports): no escape sequence
//! from the database or the package gets through, and no symbolic link planted in
//! the log directory makes upwiz write to another file.

mod common;

use std::path::Path;

use common::*;

const OSC: &str = "\u{1b}]0;owned\u{7}";
const CLEAR: &str = "\u{1b}[2J";

/// Text a terminal would obey: ESC, BEL, a C1 CSI.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| matches!(c, '\u{1b}' | '\u{7}' | '\u{9b}'))
        .collect()
}

fn reports(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("violations-"))
        })
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn escape_sequences_from_the_package_and_the_database_are_neutralised() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO settings (name, value) VALUES ('motd', ?1)",
            [format!("Mallory {OSC} {CLEAR}")],
        )
        .unwrap();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    let esc = |s: &str| s.replace('\u{1b}', "\\u001b").replace('\u{7}', "\\u0007");
    let preflight = format!(
        "[[preflight]]\nname = \"Nothing odd {}\"\nsql = \"SELECT 1 WHERE 0\"\n\n",
        esc(OSC)
    );
    let check = format!(
        "[[violations.check]]\nname = \"Odd names {}\"\nsql = \"SELECT name, value FROM settings WHERE value LIKE 'Mallory%'\"\n\n",
        esc(CLEAR)
    );
    let manifest = manifest
        .replacen("[[preflight]]", &format!("{preflight}[[preflight]]"), 1)
        .replacen(
            "[[violations.check]]",
            &format!("{check}[[violations.check]]"),
            1,
        );
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();

    let out = env.sqlite(
        &pkg,
        &db,
        &["run", "--yes", "--accept-violations", "--target", "10.0"],
    );
    assert_ok(&out);
    let so = stdout(&out);
    let log = env.log();
    let reports = reports(&env.state_dir());
    assert!(!reports.is_empty(), "violation reports were written");
    // What was there is still visible, as text.
    assert!(so.contains("Nothing odd ?]0;owned?"), "{so}");
    assert!(log.contains("Odd names ?[2J"), "{log}");
    assert!(reports
        .iter()
        .any(|(_, r)| r.contains("Mallory ?]0;owned? ?[2J")));
    assert_eq!(raw_controls(&so), Vec::<char>::new(), "stdout:\n{so}");
    assert_eq!(raw_controls(&stderr(&out)), Vec::<char>::new());
    assert_eq!(
        raw_controls(&log),
        Vec::<char>::new(),
        "UPGRADE.LOG:\n{log}"
    );
    for (path, text) in &reports {
        assert_eq!(raw_controls(text), Vec::<char>::new(), "{path}:\n{text}");
    }
}

#[test]
fn a_json_run_carries_controls_only_as_escapes() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    let extra =
        "[[preflight]]\nname = \"C1 \\u009b2J and \\u001b[2J\"\nsql = \"SELECT 1 WHERE 0\"\n\n";
    let manifest = manifest.replacen("[[preflight]]", &format!("{extra}[[preflight]]"), 1);
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();
    let out = env.sqlite(&pkg, &db, &["run", "--yes", "--json", "--target", "10.0"]);
    assert_ok(&out);
    let so = stdout(&out);
    assert_eq!(raw_controls(&so), Vec::<char>::new(), "{so}");
    let messages: Vec<String> = so
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("one JSON object a line"))
        .filter_map(|v| v["message"].as_str().map(str::to_string))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("C1 \u{9b}2J and \u{1b}[2J")),
        "a JSON reader gets the text as it was: {messages:?}"
    );
}

#[test]
fn an_upgrade_log_that_is_a_link_is_refused_and_its_target_untouched() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let logs = env.path("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let other = logs.join("other.log");
    std::fs::write(&other, "someone else's log\n").unwrap();
    std::os::unix::fs::symlink(&other, logs.join("UPGRADE.LOG")).unwrap();
    let before = file_bytes(&db);
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["run", "--yes", "--log-dir", logs.to_str().unwrap()],
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{} is a symbolic link",
            logs.join("UPGRADE.LOG").display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "someone else's log\n"
    );
    assert_eq!(file_bytes(&db), before, "nothing was done");
}

#[test]
fn a_report_or_state_file_that_is_a_link_is_not_written_through() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let victim = env.path("victim.txt");
    std::fs::write(&victim, "keep\n").unwrap();
    // Links at every name a state file could have: the state directory is shared.
    let dir = env.state_dir().join("databases");
    std::fs::create_dir_all(&dir).unwrap();
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "9.1"]);
    assert_ok(&out);
    let state: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(state.len(), 1);
    std::fs::remove_file(&state[0]).unwrap();
    std::os::unix::fs::symlink(&victim, &state[0]).unwrap();
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "10.0"]);
    assert_ok(&out);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep\n");
    assert!(
        env.log()
            .contains(&format!("{} is a symbolic link", state[0].display())),
        "{}",
        env.log()
    );
}

/// `status` and `plan` print what the database holds (the version, an unfinished run's
/// error): a version row carrying escape sequences must not reach the terminal raw.
#[test]
fn status_and_plan_print_database_text_neutralised() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE lattice_version SET version = ?1",
            [format!("9.0{OSC}{CLEAR}")],
        )
        .unwrap();
    for args in [&["status"][..], &["status", "--json"][..], &["plan"][..]] {
        let out = env.sqlite(&demo_package(), &db, args);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("9.0"), "{args:?}: {all}");
        assert!(
            raw_controls(&all).is_empty(),
            "{args:?} printed raw controls: {all:?}"
        );
    }
}
