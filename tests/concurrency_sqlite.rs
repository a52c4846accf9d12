//! Eight runs started at once on one database: exactly one upgrades, the others exit 3
//! naming the owner. Needs `--features fault-injection` (to slow the run down).

mod common;

use common::*;

#[test]
fn eight_runs_at_once_one_upgrades_and_seven_exit_3() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.cmd()
                .args([
                    "--package",
                    demo_package().to_str().unwrap(),
                    "--rdbms",
                    "sqlite",
                ])
                .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
                .env("UPWIZ_SLOW_MS", "25")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outputs.iter().map(code).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == 0).count(),
        1,
        "exactly one upgrades: {codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == 3).count(),
        7,
        "the others are locked out: {codes:?}"
    );
    let winner = outputs.iter().find(|o| code(o) == 0).unwrap();
    let pid_line = stdout(winner);
    assert!(pid_line.contains("The upgrade procedure completed successfully."));
    for o in outputs.iter().filter(|o| code(o) == 3) {
        let err = stderr(o);
        assert!(
            err.contains("another upgrade of this database is running: process "),
            "{err}"
        );
        assert!(err.contains("of user tester on host"), "{err}");
    }
    assert_eq!(version(&db), "11.0");
}
