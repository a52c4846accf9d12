//! The crash matrix on real servers: abort at every journal write of a whole demo
//! upgrade (on MariaDB that includes every statement, DDL commits implicitly there),
//! run again, and compare every product row with an uninterrupted run.
//! Needs `--features fault-injection`.

mod common;

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

fn upwiz_on(
    env: &Env,
    db: &TempDb,
    fault_at: Option<usize>,
    args: &[&str],
) -> std::process::Output {
    let url = db.url();
    let mut c = env.cmd();
    c.args([
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        db.rdbms.key(),
        "--connect",
        &url,
    ]);
    c.args(args);
    if let Some(n) = fault_at {
        c.env("UPWIZ_FAULT_AT", n.to_string());
    }
    c.output().unwrap()
}

fn crash_matrix(rdbms: Rdbms) {
    let env = Env::new();
    let reference = TempDb::new(rdbms);
    assert_ok(&upwiz_on(
        &env,
        &reference,
        None,
        &["install", "--version", "9.0"],
    ));
    assert_ok(&upwiz_on(&env, &reference, None, &["run", "--yes"]));
    let expected = reference.dump();
    drop(reference);

    // UPWIZ_CRASH_STRIDE=k tries every k-th point, for a quicker local run.
    let stride: usize = std::env::var("UPWIZ_CRASH_STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let (mut tried, mut mismatched) = (0, Vec::new());
    let mut n = 1;
    loop {
        let db = TempDb::new(rdbms);
        assert_ok(&upwiz_on(&env, &db, None, &["install", "--version", "9.0"]));
        let crashed = upwiz_on(&env, &db, Some(n), &["run", "--yes"]);
        if crashed.status.success() {
            break;
        }
        assert!(
            crashed.status.code().is_none(),
            "{rdbms} crash point {n}: expected an abort: {}",
            stderr(&crashed)
        );
        tried += 1;
        let resumed = upwiz_on(&env, &db, None, &["run", "--yes"]);
        if code(&resumed) != 0 {
            mismatched.push(format!(
                "crash point {n}: the resumed run failed: {}",
                stderr(&resumed)
            ));
        } else if db.dump() != expected {
            mismatched.push(format!(
                "crash point {n}: the resumed database differs from an uninterrupted run"
            ));
        }
        n += stride;
    }
    println!(
        "crash matrix {rdbms}: {}/{tried} matched",
        tried - mismatched.len()
    );
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
    assert!(tried >= 40 / stride, "only {tried} crash points on {rdbms}");
}

#[test]
fn postgres_crash_at_every_journal_write_resumes_to_the_same_state() {
    crash_matrix(Rdbms::Postgres);
}

#[test]
fn mariadb_crash_at_every_journal_write_resumes_to_the_same_state() {
    crash_matrix(Rdbms::Mysql);
}
