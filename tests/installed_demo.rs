//! The demo travels inside the binary: a copy of the binary away from the checkout, with
//! a fresh state directory and no --package, unpacks it and runs on it headless.

mod common;

use std::process::Command;

use common::*;

#[test]
fn a_copied_binary_unpacks_and_plans_the_built_in_demo() {
    let env = Env::new();
    let bin_dir = env.path("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let bin = bin_dir.join("upwiz");
    std::fs::copy(BIN, &bin).unwrap();
    let work = env.path("work");
    std::fs::create_dir_all(&work).unwrap();
    let upwiz = |args: &[&str]| {
        let mut c = Command::new(&bin);
        c.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", env.path("home"))
            .env("XDG_STATE_HOME", env.path("state"))
            .env("XDG_CONFIG_HOME", env.path("config"))
            .env("XDG_DATA_HOME", env.path("data"))
            .current_dir(&work)
            .stdin(std::process::Stdio::null())
            .args(args);
        c.output().unwrap()
    };
    let db = work.join("demo.db");
    let db = db.to_str().unwrap();
    let out = upwiz(&[
        "--rdbms",
        "sqlite",
        "--connect",
        db,
        "install",
        "--version",
        "9.0",
    ]);
    assert_ok(&out);
    let out = upwiz(&["--rdbms", "sqlite", "--connect", db, "plan"]);
    assert_ok(&out);
    let plan = stdout(&out);
    assert!(plan.contains("9.1") && plan.contains("11.0"), "{plan}");

    let unpacked = env.path("state/upwiz/demo/package");
    assert!(
        unpacked.join("upwiz.toml").is_file(),
        "unpacked into the state directory"
    );
    let package = upwiz::package::load(&unpacked).unwrap();
    assert_eq!(package.newest().to_string(), "11.0");
    assert_eq!(package.releases.first().unwrap().version.to_string(), "9.0");
}
