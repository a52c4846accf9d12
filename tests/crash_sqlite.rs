//! A run killed at any moment, then run again, ends in exactly the state of a run that
//! was never interrupted. Needs `--features fault-injection`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

fn fresh_copy(template: &Path, to: &Path) {
    std::fs::copy(template, to).unwrap();
}

#[test]
fn aborting_at_every_journal_write_then_resuming_matches_an_uninterrupted_run() {
    let env = Env::new();
    let template = env.demo_db("template.db", "9.0");
    let reference = env.path("reference.db");
    fresh_copy(&template, &reference);
    assert_ok(&env.sqlite(&demo_package(), &reference, &["run", "--yes"]));
    let expected = dump(&reference);

    let (mut tried, mut mismatched) = (0, Vec::new());
    for n in 1.. {
        let db = env.path(&format!("crash-{n}.db"));
        fresh_copy(&template, &db);
        let crashed = env
            .cmd()
            .args([
                "--package",
                demo_package().to_str().unwrap(),
                "--rdbms",
                "sqlite",
            ])
            .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
            .env("UPWIZ_FAULT_AT", n.to_string())
            .output()
            .unwrap();
        if crashed.status.success() {
            // N is past the last journal write: every point has been tried.
            break;
        }
        assert!(
            crashed.status.code().is_none(),
            "crash point {n}: expected an abort, got {:?}\n{}",
            crashed.status,
            stderr(&crashed)
        );
        tried += 1;
        let resumed = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
        if code(&resumed) != 0 {
            mismatched.push(format!(
                "crash point {n}: the resumed run failed: {}",
                stderr(&resumed)
            ));
        } else if dump(&db) != expected {
            mismatched.push(format!(
                "crash point {n}: the resumed database differs from an uninterrupted run"
            ));
        }
        std::fs::remove_file(&db).ok();
    }
    println!(
        "crash matrix sqlite: {}/{tried} matched",
        tried - mismatched.len()
    );
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
    assert!(
        tried >= 40,
        "only {tried} crash points: the journal is written too rarely to prove much"
    );
}

#[test]
fn sigkill_at_random_moments_then_resuming_matches_an_uninterrupted_run() {
    let env = Env::new();
    let template = env.demo_db("template.db", "9.0");
    let reference = env.path("reference.db");
    fresh_copy(&template, &reference);
    assert_ok(&env.sqlite(&demo_package(), &reference, &["run", "--yes"]));
    let expected = dump(&reference);

    // A slowed run takes about 65 writes x 20 ms; kill at spread-out, repeatable moments.
    let mut seed: u64 = 0x5eed;
    let mut killed = 0;
    for round in 0..8 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = Duration::from_millis(50 + (seed >> 33) % 1300);
        let db = env.path(&format!("kill-{round}.db"));
        fresh_copy(&template, &db);
        let mut child = env
            .cmd()
            .args([
                "--package",
                demo_package().to_str().unwrap(),
                "--rdbms",
                "sqlite",
            ])
            .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
            .env("UPWIZ_SLOW_MS", "20")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        let resumed = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
        assert_ok(&resumed);
        assert!(
            dump(&db) == expected,
            "killed after {delay:?}: the resumed database differs from an uninterrupted run"
        );
    }
    println!(
        "sqlite SIGKILL: {killed} of 8 runs killed mid-upgrade, all resumed to the same state"
    );
    assert!(
        killed >= 6,
        "most runs must really be killed mid-way, got {killed}"
    );
}
