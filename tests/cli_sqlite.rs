//! The headless CLI on real SQLite databases: the contract of issue #2.

mod common;

use common::*;

#[test]
fn install_then_run_reaches_11_0_through_the_required_stop() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    assert_eq!(version(&db), "9.0");

    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(version(&db), "11.0");
    let text = stdout(&out);
    assert!(
        text.contains("Upgrade route: 9.0 -> 10.1 -> 11.0"),
        "{text}"
    );
    assert!(text.contains("The upgrade procedure completed successfully."));
    assert!(text.contains("Log: "), "the CLI prints the log path");
    // Two separate actions, each backed up first.
    assert_eq!(text.matches("Backup written:").count(), 2, "{text}");
    let log = env.log();
    assert!(log.contains("The database is now at version 10.1."));
    assert!(
        log.lines().all(|l| l.starts_with("20")),
        "every line is timestamped"
    );

    let again = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_ok(&again);
    assert!(stdout(&again).contains("there is nothing to do"));
}

#[test]
fn status_reports_version_state_and_lock_as_json() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let status = |env: &Env| -> serde_json::Value {
        let out = env.sqlite(&demo_package(), &db, &["status", "--json"]);
        assert_ok(&out);
        serde_json::from_str(stdout(&out).trim()).expect("one JSON object")
    };
    let s = status(&env);
    assert_eq!(s["version"], "9.0");
    assert_eq!(s["state"], "pending");
    assert!(s["lock"].is_null());
    assert_ok(&env.sqlite(&demo_package(), &db, &["run", "--yes"]));
    let s = status(&env);
    assert_eq!(s["version"], "11.0");
    assert_eq!(s["state"], "up-to-date");
}

#[test]
fn plan_lists_the_route_and_with_sql_every_statement() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let before = file_bytes(&db);
    let out = env.sqlite(&demo_package(), &db, &["plan"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("Route:     9.0 -> 10.1 -> 11.0"), "{text}");
    assert!(text.contains("Action 2 of 2: 10.1 -> 11.0"));
    assert!(text.contains("[ ] "), "the checklist is shown");

    let out = env.sqlite(&demo_package(), &db, &["plan", "--sql"]);
    assert_ok(&out);
    let text = stdout(&out);
    // Every statement of every script on the route is printed, each closed by ';'.
    let mut expected = 0;
    for entry in ["9.1", "10.0", "10.1", "11.0"] {
        for f in std::fs::read_dir(demo_package().join(entry).join("sqlite")).unwrap() {
            let p = f.unwrap().path();
            let sql = std::fs::read_to_string(&p).unwrap();
            expected += upwiz::sql::split(upwiz::rdbms::Rdbms::Sqlite, &sql)
                .unwrap()
                .len();
        }
    }
    let printed = text.lines().filter(|l| l.trim() == ";").count();
    assert_eq!(printed, expected, "{text}");
    assert_eq!(file_bytes(&db), before, "plan changes nothing");
}

#[test]
fn plan_to_an_intermediate_target_stops_there() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--target", "10.0"]);
    assert_ok(&out);
    assert_eq!(version(&db), "10.0");
    let out = env.sqlite(&demo_package(), &db, &["plan"]);
    assert!(
        stdout(&out).contains("Route:     10.0 -> 10.1 -> 11.0"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn run_json_prints_one_event_per_line() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "10.1");
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--json"]);
    assert_ok(&out);
    let events: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"planned"));
    assert!(kinds.contains(&"step_started"));
    assert!(kinds.contains(&"log"));
    assert!(kinds.contains(&"step_finished"));
    let last = events.last().unwrap();
    assert_eq!(last["event"], "finished");
    assert_eq!(last["outcome"], "completed");
}

#[test]
fn a_live_lock_exits_3_naming_the_owner_and_a_dead_one_is_taken_over() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "10.1");
    let before = file_bytes(&db);
    let mut owner = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let later = (chrono::Utc::now() + chrono::Duration::seconds(5)).to_rfc3339();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO upwiz_lock (id, host, pid, os_user, started_at, heartbeat_at, run_id) VALUES (1, ?1, ?2, 'alice', ?3, ?3, 'r1')",
        rusqlite::params![host, owner.id(), later],
    )
    .unwrap();
    drop(conn);
    let locked_bytes = file_bytes(&db);
    assert_ne!(before, locked_bytes);

    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("process {}", owner.id())), "{err}");
    assert!(err.contains("alice"), "{err}");
    assert_eq!(
        file_bytes(&db),
        locked_bytes,
        "a locked run changes nothing"
    );

    let s = env.sqlite(&demo_package(), &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["lock"]["user"], "alice");
    assert_eq!(s["lock"]["stale"], false);

    owner.kill().unwrap();
    owner.wait().unwrap();
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("Took over the lock"),
        "{}",
        stdout(&out)
    );
    assert_eq!(version(&db), "11.0");
}

#[test]
fn a_failed_script_exits_1_and_the_next_run_continues_after_the_fix() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let db = env.demo_db("demo.db", "9.0");
    let script = pkg.join("10.0/sqlite/02_record_status_lookup.sql");
    let good = std::fs::read_to_string(&script).unwrap();
    std::fs::write(
        &script,
        format!("{good}\nINSERT INTO no_such_table VALUES (1);\n"),
    )
    .unwrap();

    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("02_record_status_lookup.sql, line"), "{err}");
    assert!(err.contains("no such table"), "{err}");
    assert!(err.contains("continues where it left off"), "{err}");
    assert!(env.log().contains("no such table: no_such_table"));
    // The failing script rolled back as a whole; the releases before it stayed.
    assert_eq!(version(&db), "9.1");
    let s = env.sqlite(&pkg, &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["state"], "failed");

    std::fs::write(&script, good).unwrap();
    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("Continuing where the last run left off"),
        "{text}"
    );
    assert!(
        text.contains("[already done] 9.1: 01_normalise_user_emails"),
        "{text}"
    );
    assert_eq!(version(&db), "11.0");
}

#[test]
fn a_script_changed_after_it_was_applied_stops_the_run_naming_it() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let db = env.demo_db("demo.db", "9.0");
    assert_ok(&env.sqlite(&pkg, &db, &["run", "--yes", "--target", "10.0"]));
    let script = pkg.join("9.1/sqlite/01_normalise_user_emails.sql");
    let mut text = std::fs::read_to_string(&script).unwrap();
    text.push_str("\n-- edited later\n");
    std::fs::write(&script, text).unwrap();
    let before = file_bytes(&db);
    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("script 01_normalise_user_emails of release 9.1"),
        "{err}"
    );
    assert_eq!(file_bytes(&db), before);
}

#[test]
fn identical_scripts_in_two_releases_are_legal() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let db = env.demo_db("demo.db", "9.0");
    let manifest = pkg.join("upwiz.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(pkg.join("noop.sql"), "SELECT 1;\n").unwrap();
    let noop = "[[release.script]]\nname = \"00_noop\"\nsqlite = \"noop.sql\"\n\n";
    let mut patched = text.clone();
    for v in ["version = \"9.1\"", "version = \"10.0\""] {
        let at = patched.find(v).unwrap();
        let first_script = at + patched[at..].find("[[release.script]]").unwrap();
        patched.insert_str(first_script, noop);
    }
    assert_ne!(patched, text, "the test could patch the manifest");
    std::fs::write(&manifest, patched).unwrap();
    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(version(&db), "11.0");
}

#[test]
fn a_fresh_install_at_11_0_holds_what_an_upgrade_to_11_0_holds() {
    let env = Env::new();
    let upgraded = env.demo_db("upgraded.db", "9.0");
    assert_ok(&env.sqlite(&demo_package(), &upgraded, &["run", "--yes"]));
    let fresh = env.demo_db("fresh.db", "11.0");
    assert_eq!(version(&fresh), "11.0");
    assert!(
        dump(&fresh) == dump(&upgraded),
        "install 11.0 and upgrade to 11.0 differ"
    );
}
