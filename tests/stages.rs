//! Stages: `[[environment]]` in the config file, the stage gate of `upwiz run
//! --environment`, and `upwiz stages`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

/// Two stages on SQLite (test, then prod), each a demo database at 10.1, and a copy of
/// the demo package the test may change.
struct Stages {
    env: Env,
    pkg: PathBuf,
    config: PathBuf,
    test_db: PathBuf,
    prod_db: PathBuf,
}

fn stages(extra: &str) -> Stages {
    let env = Env::new();
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let test_db = env.demo_db("test.db", "10.1");
    let prod_db = env.demo_db("prod.db", "10.1");
    let config = env.path("upwiz.toml");
    std::fs::write(
        &config,
        format!(
            "[[environment]]\nname = \"test\"\nrdbms = \"sqlite\"\nconnect = \"{}\"\n\n[[environment]]\nname = \"prod\"\nrdbms = \"sqlite\"\nconnect = \"{}\"\nfollows = \"test\"\n{extra}",
            test_db.display(),
            prod_db.display()
        ),
    )
    .unwrap();
    Stages {
        env,
        pkg,
        config,
        test_db,
        prod_db,
    }
}

impl Stages {
    fn upwiz(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec![
            "--config",
            self.config.to_str().unwrap(),
            "--package",
            self.pkg.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        self.env.upwiz(&all)
    }

    fn run(&self, environment: &str, more: &[&str]) -> std::process::Output {
        let mut all = vec!["run", "--yes", "--environment", environment];
        all.extend_from_slice(more);
        self.upwiz(&all)
    }

    fn report(&self, environment: &str) -> serde_json::Value {
        let out = self.upwiz(&["report", "--json", "--environment", environment]);
        assert_ok(&out);
        serde_json::from_str(&stdout(&out)).unwrap()
    }
}

fn refused(out: &std::process::Output) -> String {
    assert_eq!(
        code(out),
        2,
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

#[test]
fn prod_is_refused_until_test_completed_the_same_upgrade_then_accepted() {
    let s = stages("");
    let before = dump(&s.prod_db);
    let err = refused(&s.run("prod", &[]));
    assert!(err.contains("refuses to upgrade prod to 11.0"), "{err}");
    assert!(err.contains("test is at 10.1"), "{err}");
    assert!(err.contains("upwiz run --environment test"), "{err}");
    assert!(err.contains("--skip-stage-gate --reason"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(dump(&s.prod_db), before, "a refused run changes nothing");

    assert_ok(&s.run("test", &[]));
    assert_eq!(version(&s.test_db), "11.0");
    assert_ok(&s.run("prod", &[]));
    assert_eq!(version(&s.prod_db), "11.0");

    let r = s.report("prod");
    assert_eq!(r["package"]["environment"], "prod");
    assert_eq!(r["package"]["gate"], "passed");
    let t = s.report("test");
    assert_eq!(t["package"]["gate"], "first-stage");
    assert_eq!(
        r["package"]["package_sha256"],
        t["package"]["package_sha256"]
    );
    assert_eq!(r["package"]["package_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_stage_named_by_its_connect_string_is_gated_too() {
    let s = stages("");
    let err = refused(&s.upwiz(&[
        "run",
        "--yes",
        "--rdbms",
        "sqlite",
        "--connect",
        s.prod_db.to_str().unwrap(),
    ]));
    assert!(err.contains("refuses to upgrade prod to 11.0"), "{err}");
    assert_eq!(version(&s.prod_db), "10.1");
}

#[test]
fn a_changed_script_since_test_ran_is_refused() {
    let s = stages("");
    assert_ok(&s.run("test", &[]));
    let script = std::fs::read_dir(s.pkg.join("11.0/sqlite"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut text = std::fs::read_to_string(&script).unwrap();
    text.push_str("\n-- fixed after the test stage ran\n");
    std::fs::write(&script, text).unwrap();
    let before = dump(&s.prod_db);
    let err = refused(&s.run("prod", &[]));
    assert!(
        err.contains("test completed the upgrade to 11.0")
            && err.contains("with a different package"),
        "{err}"
    );
    assert_eq!(dump(&s.prod_db), before);
}

#[test]
fn skipping_the_gate_needs_a_reason_and_is_recorded() {
    let s = stages("");
    let out = s.run("prod", &["--skip-stage-gate"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--reason"), "{}", stderr(&out));
    assert_eq!(version(&s.prod_db), "10.1");

    let out = s.run(
        "prod",
        &["--skip-stage-gate", "--reason", "CAB-1234 emergency fix"],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("stage gate skipped (CAB-1234 emergency fix)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(version(&s.prod_db), "11.0");

    let r = s.report("prod");
    assert_eq!(r["package"]["gate"], "skipped");
    assert_eq!(r["package"]["reason"], "CAB-1234 emergency fix");
    let md = s.upwiz(&["report", "--environment", "prod"]);
    assert!(
        stdout(&md).contains("skipped by the operator: CAB-1234 emergency fix"),
        "{}",
        stdout(&md)
    );

    let list = s.upwiz(&["repair", "--list", "--json", "--environment", "prod"]);
    assert_ok(&list);
    let text = stdout(&list);
    assert!(
        text.contains("skip-stage-gate") && text.contains("CAB-1234 emergency fix"),
        "{text}"
    );
}

#[test]
fn environment_and_connect_together_are_refused() {
    let s = stages("");
    let out = s.upwiz(&["status", "--environment", "prod", "--connect", "x.db"]);
    let err = refused(&out);
    assert!(err.contains("leave out --connect"), "{err}");
    let err = refused(&s.upwiz(&["status", "--environment", "qa"]));
    assert!(
        err.contains("no environment 'qa'") && err.contains("test, prod"),
        "{err}"
    );
}

#[test]
fn a_bad_environment_table_names_its_line() {
    let s = stages("[[environment]]\nname = \"prod2\"\nrdbms = \"sqlite\"\nconnect = \"p2.db\"\nfollows = \"preprod\"\n");
    let err = refused(&s.upwiz(&["stages"]));
    assert!(err.contains("upwiz.toml:15:"), "{err}");
    assert!(
        err.contains("follows 'preprod', which is not defined"),
        "{err}"
    );
}

#[test]
fn the_report_of_an_unreachable_stage_opens_the_gate() {
    let s = stages("");
    assert_ok(&s.run("test", &[]));
    let report = s.env.path("test-report.json");
    let out = s.upwiz(&["report", "--json", "--environment", "test"]);
    assert_ok(&out);
    std::fs::write(&report, stdout(&out)).unwrap();
    // The test stage's database is somewhere this host cannot reach.
    std::fs::rename(&s.test_db, s.env.path("elsewhere.db")).unwrap();

    let err = refused(&s.run("prod", &[]));
    assert!(
        err.contains("cannot be reached from here") && err.contains("--stage-report FILE"),
        "{err}"
    );
    assert_eq!(version(&s.prod_db), "10.1");

    // A report of another stage or another package does not open it.
    let mut other: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    other["package"]["package_sha256"] = "0".repeat(64).into();
    let forged = s.env.path("other.json");
    std::fs::write(&forged, other.to_string()).unwrap();
    let err = refused(&s.run("prod", &["--stage-report", forged.to_str().unwrap()]));
    assert!(err.contains("different package"), "{err}");

    assert_ok(&s.run("prod", &["--stage-report", report.to_str().unwrap()]));
    assert_eq!(version(&s.prod_db), "11.0");
    assert_eq!(s.report("prod")["package"]["gate"], "passed");
}

fn stage_json(s: &Stages) -> serde_json::Value {
    let out = s.upwiz(&["stages", "--json"]);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn stages_lists_versions_runs_and_package_matches_in_stage_order() {
    let pg = TempDb::new(Rdbms::Postgres);
    // The postgres stage comes first in stage order although it is last in the file;
    // "gone" is a server that does not answer.
    let s = stages(&format!(
        "\n[[environment]]\nname = \"dev\"\nrdbms = \"postgres\"\nconnect = \"{}\"\n\n[[environment]]\nname = \"gone\"\nrdbms = \"postgres\"\nconnect = \"postgres://nobody@127.0.0.1:1/none\"\nfollows = \"prod\"\n",
        pg.url()
    ))
    .with_test_following("dev");
    let v = stage_json(&s);
    let names: Vec<_> = v["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["dev", "test", "prod", "gone"]);
    assert_eq!(v["environments"][0]["reachable"], true);
    assert_eq!(
        v["environments"][0]["version"],
        serde_json::Value::Null,
        "nothing installed on dev yet"
    );
    assert_eq!(v["environments"][1]["version"], "10.1");
    assert_eq!(v["environments"][3]["reachable"], false);
    assert!(v["environments"][3]["error"].as_str().unwrap().len() > 5);

    let out = s.env.upwiz(&[
        "--config",
        s.config.to_str().unwrap(),
        "--package",
        s.pkg.to_str().unwrap(),
        "install",
        "--version",
        "10.1",
        "--environment",
        "dev",
    ]);
    assert_ok(&out);
    assert_ok(&s.run("dev", &[]));
    assert_ok(&s.run("test", &[]));
    let v = stage_json(&s);
    let e = &v["environments"];
    assert_eq!(e[0]["version"], "11.0");
    assert_eq!(e[0]["last_run"]["state"], "completed");
    assert_eq!(e[1]["matches_previous"], true);
    assert_eq!(e[1]["this_package"], true);
    assert_eq!(e[2]["version"], "10.1");
    assert_eq!(e[2]["matches_previous"], serde_json::Value::Null);

    let started = Instant::now();
    let out = s.upwiz(&["stages"]);
    assert_ok(&out);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "an unreachable stage is not waited for"
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("Lattice") || lines[0].contains("stages"),
        "{text}"
    );
    assert!(
        lines[1].contains("dev") && lines[1].contains("11.0") && lines[1].contains("completed"),
        "{text}"
    );
    assert!(
        lines[2].contains("test (after dev)") && lines[2].contains("as its predecessor"),
        "{text}"
    );
    assert!(
        lines[4].contains("gone (after prod)") && lines[4].contains("unreachable"),
        "{text}"
    );
}

impl Stages {
    /// Makes the test stage follow `first`.
    fn with_test_following(self, first: &str) -> Stages {
        let text = std::fs::read_to_string(&self.config).unwrap();
        let text = text.replacen(
            "name = \"test\"\n",
            &format!("name = \"test\"\nfollows = \"{first}\"\n"),
            1,
        );
        std::fs::write(&self.config, text).unwrap();
        self
    }
}
