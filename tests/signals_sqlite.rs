//! Ctrl-C and SIGTERM stop a run at the next safe point with 130/143, and the next run
//! continues where it left off. Needs `--features fault-injection` (to slow the run down).

mod common;

use std::time::Duration;

use common::*;

fn interrupted_then_resumed(signal: i32, expected_code: i32) {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let child = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "sqlite",
        ])
        .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
        .env("UPWIZ_SLOW_MS", "40")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        code(&out),
        expected_code,
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("continue where it left off"),
        "{}",
        stderr(&out)
    );
    assert!(env.log().contains("interrupted at a safe point"));

    let s = env.sqlite(&demo_package(), &db, &["status", "--json"]);
    let s: serde_json::Value = serde_json::from_str(stdout(&s).trim()).unwrap();
    assert_eq!(s["state"], "in-progress");
    assert!(s["lock"].is_null(), "an interrupted run releases its lock");

    let out = env.sqlite(&demo_package(), &db, &["run", "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing where the last run left off"));
    assert_eq!(version(&db), "11.0");
}

#[test]
fn sigterm_stops_at_a_safe_point_with_143() {
    interrupted_then_resumed(libc::SIGTERM, 143);
}

#[test]
fn ctrl_c_stops_at_a_safe_point_with_130() {
    interrupted_then_resumed(libc::SIGINT, 130);
}
