//! `run --backup skip --reason "..."`: for an operator with a storage snapshot. Never
//! the default, never without a reason, and kept in the journal and the report.

mod common;

use common::anydb::{self, Db};
use common::*;
use upwiz::rdbms::Rdbms;

fn backup_files(env: &Env) -> usize {
    std::fs::read_dir(env.state_dir().join("backups"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn a_skip_without_a_reason_is_refused_and_changes_nothing() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let before = file_bytes(&db);
    for args in [
        &["run", "--yes", "--backup", "skip"][..],
        &["run", "--yes", "--backup", "skip", "--reason", "   "][..],
        &["run", "--yes", "--backup", "none", "--reason", "snapshot"][..],
        &["run", "--yes", "--reason", "snapshot"][..],
    ] {
        let out = env.sqlite(&demo_package(), &db, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(file_bytes(&db), before, "{args:?} changed the database");
    }
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--backup", "skip"]);
    assert!(stderr(&out).contains("needs a reason"), "{}", stderr(&out));
    assert_eq!(backup_files(&env), 0);
}

fn skipped_on(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let reason = "SAN snapshot of the volume taken at 02:00";
    let out = anydb::run(
        &env,
        &db,
        &demo_package(),
        &[
            "run", "--yes", "--json", "--backup", "skip", "--reason", reason,
        ],
    );
    assert_ok(&out);
    assert_eq!(db.version(), "11.0");
    assert_eq!(backup_files(&env), 0, "no backup file was written");
    let said = format!(
        "No backup: upwiz did not back up the database before upgrading; reason given: {reason}"
    );
    let events: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let warned = events
        .iter()
        .filter(|e| e["event"] == "step_finished" && e["status"] == "warned")
        .filter(|e| e["message"] == said.as_str())
        .count();
    // The demo's route stops at 10.1: two legs, two backups skipped.
    assert_eq!(warned, 2, "{}", stdout(&out));
    let finished = events.last().unwrap();
    assert!(finished["summary"]["backups"]
        .as_array()
        .unwrap()
        .is_empty());
    // The journal keeps the reason where the backup's file would be.
    let detail = db.scalar(
        "SELECT detail FROM upwiz_journal WHERE step_key LIKE 'leg/9.0-%/backup' AND stmt_index = -1",
    );
    assert!(detail.contains(reason), "{detail}");
    let report = finished["summary"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .find(|p| p.ends_with(".md"))
        .expect("an upgrade report")
        .to_string();
    let report = std::fs::read_to_string(report).unwrap();
    assert!(report.contains(&said), "{report}");
    // `upwiz backups` lists backups, and a skipped one is none.
    let out = anydb::run(&env, &db, &demo_package(), &["backups", "--json"]);
    assert_ok(&out);
    let listed: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(listed["backups"].as_array().unwrap().is_empty(), "{listed}");
}

#[test]
fn a_skip_with_a_reason_is_kept_in_the_journal_and_the_report_sqlite() {
    skipped_on(Rdbms::Sqlite);
}

#[test]
fn a_skip_with_a_reason_is_kept_in_the_journal_and_the_report_postgres() {
    skipped_on(Rdbms::Postgres);
}

#[test]
fn a_skip_with_a_reason_is_kept_in_the_journal_and_the_report_mysql() {
    skipped_on(Rdbms::Mysql);
}

#[test]
fn the_config_can_skip_and_a_run_flag_can_take_it_back() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let config = env.path("upwiz.toml");
    std::fs::write(
        &config,
        "backup = \"skip\"\nbackup_skip_reason = \"nightly LVM snapshot\"\n",
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let out = env.sqlite(&demo_package(), &db, &["--config", cfg, "plan", "--json"]);
    assert_ok(&out);
    let plan: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(plan["backup"], "skip");
    assert_eq!(plan["backup_skip_reason"], "nightly LVM snapshot");
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["--config", cfg, "run", "--yes", "--backup", "take"],
    );
    assert_ok(&out);
    assert_eq!(version(&db), "11.0");
    assert_eq!(backup_files(&env), 2, "{}", stdout(&out));

    std::fs::write(&config, "backup = \"skip\"\n").unwrap();
    let out = env.sqlite(&demo_package(), &db, &["--config", cfg, "status"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("needs a reason"), "{}", stderr(&out));
}
