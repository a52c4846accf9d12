//! `run --wait-for-lock` on SQLite, PostgreSQL and MariaDB: many runs started at once
//! on one database, exactly one upgrades and every other waits, then finds nothing to
//! do; a bounded wait against a run held mid-upgrade gives up with exit 3, naming it.
//! Needs `--features fault-injection` (for the pause point between two steps).

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::anydb::{run, Db};
use common::*;
use upwiz::rdbms::Rdbms;

fn wait_for(path: &Path, child: &mut Child) {
    wait_until(&format!("no pause at {}", path.display()), 60, || {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the paused run ended before its pause point: {status}");
        }
        path.exists()
    });
}

/// The `finished` event of a `run --json` output.
fn finished(out: &std::process::Output) -> serde_json::Value {
    stdout(out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "finished")
        .unwrap_or_else(|| panic!("no finished event:\n{}\n{}", stdout(out), stderr(out)))
}

/// The runs of the journal that went from 9.0 to 11.0.
fn upgrades(env: &Env, db: &Db) -> Vec<serde_json::Value> {
    let out = run(env, db, &demo_package(), &["history", "--json"]);
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["from"] == "9.0" && r["to"] == "11.0")
        .cloned()
        .collect()
}

fn runs_at_once_one_upgrades(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let args = db.args(
        &demo_package(),
        &["run", "--yes", "--json", "--wait-for-lock"],
    );
    let children: Vec<_> = (0..5)
        .map(|_| {
            env.cmd()
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let outcomes: Vec<String> = outputs
        .iter()
        .map(|o| finished(o)["outcome"].as_str().unwrap().to_string())
        .collect();
    for o in &outputs {
        assert_ok(o);
    }
    assert_eq!(
        outcomes.iter().filter(|o| *o == "completed").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "nothing_to_do").count(),
        4,
        "{outcomes:?}"
    );
    assert_eq!(db.version(), "11.0");
    let runs = upgrades(&env, &db);
    assert_eq!(runs.len(), 1, "one run did the steps: {runs:?}");
    assert_eq!(runs[0]["state"], "completed");
}

#[test]
fn sqlite_runs_at_once_one_upgrades_the_others_wait_and_find_nothing_to_do() {
    runs_at_once_one_upgrades(Rdbms::Sqlite);
}

#[test]
fn postgres_runs_at_once_one_upgrades_the_others_wait_and_find_nothing_to_do() {
    runs_at_once_one_upgrades(Rdbms::Postgres);
}

#[test]
fn mariadb_runs_at_once_one_upgrades_the_others_wait_and_find_nothing_to_do() {
    runs_at_once_one_upgrades(Rdbms::Mysql);
}

const HELD_AT: &str = "step:script_10.0_01_split_user_names";

/// A run held between two steps mid-upgrade; the caller lets it go.
fn held_run(env: &Env, db: &Db) -> (Child, std::path::PathBuf) {
    held_run_of(env, db, &demo_package())
}

fn held_run_of(env: &Env, db: &Db, pkg: &Path) -> (Child, std::path::PathBuf) {
    let pauses = env.path("pauses");
    std::fs::create_dir_all(&pauses).unwrap();
    let mut held = env
        .cmd()
        .args(db.args(pkg, &["run", "--yes"]))
        .env("UPWIZ_PAUSE_AT", HELD_AT)
        .env("UPWIZ_PAUSE_DIR", &pauses)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&pauses.join(format!("{HELD_AT}.paused")), &mut held);
    (held, pauses)
}

/// `--wait-for-lock=1` against a run held mid-upgrade: it waits, says who holds the
/// lock and how far its run got, then gives up with exit 3 naming the holder; the held
/// run, let go, completes the upgrade.
fn bounded_wait_gives_up_naming_the_owner(rdbms: Rdbms) {
    let env = Env::new();
    let db = Db::installed(&env, rdbms, "9.0");
    let (held, pauses) = held_run(&env, &db);
    let pid = held.id().to_string();

    let t0 = Instant::now();
    let out = run(
        &env,
        &db,
        &demo_package(),
        &["run", "--yes", "--wait-for-lock=1"],
    );
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    assert!(t0.elapsed() >= Duration::from_secs(1), "it did not wait");
    let text = stdout(&out);
    assert!(
        text.contains("Waiting for the lock") && text.contains(&pid),
        "{text}"
    );
    assert!(text.contains("9.0 -> 11.0 is running"), "{text}");
    assert!(
        text.contains("Gave up waiting for the lock after 1 s"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(err.contains(&format!("process {pid} ")), "{err}");

    // JSON: lock_wait events name the owner; the outcome is locked.
    let out = run(
        &env,
        &db,
        &demo_package(),
        &["run", "--yes", "--json", "--wait-for-lock=1"],
    );
    assert_eq!(code(&out), 3);
    let wait = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "lock_wait")
        .expect("a lock_wait event");
    assert_eq!(wait["owner"]["pid"].to_string(), pid);
    assert_eq!(wait["progress"]["state"], "running");
    assert_eq!(finished(&out)["outcome"], "locked");

    std::fs::write(pauses.join(format!("{HELD_AT}.resume")), b"").unwrap();
    assert_ok(&held.wait_with_output().unwrap());
    assert_eq!(db.version(), "11.0");
}

#[test]
fn sqlite_a_bounded_wait_gives_up_naming_the_owner() {
    bounded_wait_gives_up_naming_the_owner(Rdbms::Sqlite);
}

#[test]
fn postgres_a_bounded_wait_gives_up_naming_the_owner() {
    bounded_wait_gives_up_naming_the_owner(Rdbms::Postgres);
}

#[test]
fn mariadb_a_bounded_wait_gives_up_naming_the_owner() {
    bounded_wait_gives_up_naming_the_owner(Rdbms::Mysql);
}

/// A run waiting without a limit for a run held mid-upgrade (whose preview sees an
/// unfinished upgrade in flux) goes on once the holder ends and finds nothing to do.
#[test]
fn sqlite_an_unbounded_wait_ends_with_nothing_to_do_once_the_holder_completes() {
    let env = Env::new();
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    let (held, pauses) = held_run(&env, &db);
    let mut waiting = env
        .cmd()
        .args(db.args(&demo_package(), &["run", "--yes", "--wait-for-lock"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It waits: still running after the holder's lock has been seen many polls over,
    // observed through the log line it writes when it starts waiting.
    wait_until("no waiting line in the log", 60, || {
        assert!(waiting.try_wait().unwrap().is_none(), "it did not wait");
        env.log().contains("Waiting for the lock")
    });
    std::fs::write(pauses.join(format!("{HELD_AT}.resume")), b"").unwrap();
    assert_ok(&held.wait_with_output().unwrap());
    let out = waiting.wait_with_output().unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("there is nothing to do"), "{text}");
    assert!(!text.contains("Step "), "{text}");
    assert_eq!(upgrades(&env, &db).len(), 1);
}

/// Ctrl-C while waiting: exit 130, nothing changed, and the holder is left alone.
#[test]
fn sqlite_ctrl_c_while_waiting_exits_130_with_nothing_changed() {
    let env = Env::new();
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    let (held, pauses) = held_run(&env, &db);
    let mut waiting = env
        .cmd()
        .args(db.args(&demo_package(), &["run", "--yes", "--wait-for-lock"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("no waiting line in the log", 60, || {
        assert!(waiting.try_wait().unwrap().is_none(), "it did not wait");
        env.log().contains("Waiting for the lock")
    });
    let journal = db.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM upwiz_journal");
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(waiting.id() as i32, libc::SIGINT) };
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Stopped while waiting for the lock; nothing was changed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        db.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM upwiz_journal"),
        journal,
        "the stopped waiter wrote to the journal"
    );
    std::fs::write(pauses.join(format!("{HELD_AT}.resume")), b"").unwrap();
    assert_ok(&held.wait_with_output().unwrap());
    assert_eq!(db.version(), "11.0");
    assert_eq!(upgrades(&env, &db).len(), 1);
}

/// The run holding the lock fails while another waits: the waiting run does not take
/// the failed upgrade over (the same cause would fail it again, host after host); it
/// exits 1 with nothing changed, saying what failed.
#[test]
fn sqlite_a_waiting_run_does_not_take_over_an_upgrade_that_failed_meanwhile() {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[test]]\nname = \"the portal answers\"\nsql = \"SELECT missing_column FROM lattice_version\"\n");
    std::fs::write(&manifest, text).unwrap();
    let db = Db::installed(&env, Rdbms::Sqlite, "9.0");
    let (held, pauses) = held_run_of(&env, &db, &pkg);
    let mut waiting = env
        .cmd()
        .args(db.args(&pkg, &["run", "--yes", "--wait-for-lock"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("no waiting line in the log", 60, || {
        assert!(waiting.try_wait().unwrap().is_none(), "it did not wait");
        env.log().contains("Waiting for the lock")
    });
    std::fs::write(pauses.join(format!("{HELD_AT}.resume")), b"").unwrap();
    assert_eq!(code(&held.wait_with_output().unwrap()), 1);
    let journal = db.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM upwiz_journal");
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("that held the lock ended failed"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("Step "), "{}", stdout(&out));
    assert_eq!(
        db.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM upwiz_journal"),
        journal,
        "the waiting run continued the failed upgrade"
    );
}
