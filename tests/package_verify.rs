//! `upwiz package verify`: the demo package proves right on SQLite, PostgreSQL and
//! MariaDB; a package whose upgrade leaves a column, an index and a foreign key
//! different from its fresh install is refused with each difference named; scratch
//! databases are gone afterwards; bad input changes nothing.

mod common;

use std::path::{Path, PathBuf};

use common::servers::TempDb;
use common::*;
use upwiz::db::Value;
use upwiz::rdbms::Rdbms;

fn drift_package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verify/drift")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| {
        panic!(
            "one JSON object expected ({e})\nstdout:\n{}\nstderr:\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

/// The scratch databases a verify through `scratch` would make: `<db>_verify_...`.
fn scratch_databases(scratch: &TempDb) -> Vec<String> {
    let sql = match scratch.rdbms {
        Rdbms::Postgres => "SELECT datname FROM pg_database WHERE datname LIKE ?",
        _ => "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?",
    };
    scratch
        .open()
        .query_with(
            sql,
            &[Value::Text(format!("{}\\_verify\\_%", scratch.name))],
        )
        .unwrap()
        .first_column()
}

fn verify(
    env: &Env,
    package: &Path,
    rdbms: Rdbms,
    scratch: Option<&str>,
    json: bool,
) -> std::process::Output {
    let mut args = vec![
        "package".to_string(),
        "verify".into(),
        package.display().to_string(),
        "--rdbms".into(),
        rdbms.key().into(),
    ];
    if let Some(s) = scratch {
        args.extend(["--scratch".into(), s.to_string()]);
    }
    if json {
        args.push("--json".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.upwiz(&args)
}

/// Verifies the demo on a server; every route must end the same as the reference and
/// no scratch database may be left.
fn demo_passes_on(rdbms: Rdbms) {
    let env = Env::new();
    let scratch = TempDb::new(rdbms);
    assert!(scratch_databases(&scratch).is_empty());
    let out = verify(&env, &demo_package(), rdbms, Some(&scratch.url()), true);
    assert_ok(&out);
    demo_report(&json(&out));
    assert_eq!(
        scratch_databases(&scratch),
        Vec::<String>::new(),
        "scratch databases left over"
    );
}

fn demo_report(v: &serde_json::Value) {
    assert_eq!(v["schema"], 1);
    assert_eq!(v["exit"], 0);
    assert_eq!(v["newest"], "11.0");
    assert_eq!(v["fresh_reference"], false, "11.0 has no baseline: {v}");
    let routes = v["routes"].as_array().unwrap();
    let starts: Vec<&str> = routes
        .iter()
        .map(|r| r["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["9.0", "9.1", "10.0", "10.1"], "{v}");
    assert_eq!(routes[0]["result"], "reference");
    assert_eq!(routes[0]["route"], "9.0 -> 10.1 -> 11.0");
    assert_eq!(routes[1]["route"], "9.0 -> 9.1, then 9.1 -> 10.1 -> 11.0");
    for r in &routes[1..] {
        assert_eq!(r["result"], "same", "{r}");
        assert!(r["elapsed"].as_f64().unwrap() > 0.0);
    }
    for r in routes {
        assert_eq!(r["differences"], serde_json::json!([]), "{r}");
    }
}

#[test]
fn the_demo_verifies_on_sqlite_and_leaves_no_file() {
    let env = Env::new();
    let scratch = env.path("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = verify(
        &env,
        &demo_package(),
        Rdbms::Sqlite,
        Some(scratch.to_str().unwrap()),
        false,
    );
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("11.0 has no baseline of its own: every route is compared with the route 9.0 -> 10.1 -> 11.0"),
        "{text}"
    );
    assert!(text.contains("Start  Route"), "{text}");
    assert!(
        text.contains("10.1   9.0 -> 10.1, then 10.1 -> 11.0          same"),
        "{text}"
    );
    assert!(text.contains("Verified: all 4 routes"), "{text}");
    let left: Vec<_> = std::fs::read_dir(&scratch).unwrap().collect();
    assert!(
        left.is_empty(),
        "files left in the scratch directory: {left:?}"
    );
}

#[test]
fn the_demo_verifies_on_postgres() {
    demo_passes_on(Rdbms::Postgres);
}

#[test]
fn the_demo_verifies_on_mariadb() {
    demo_passes_on(Rdbms::Mysql);
}

/// The drift package's upgrade differs from its fresh 2.0 install: exit 1, each
/// difference named, the index name difference only a note.
fn drift_differs(rdbms: Rdbms, scratch: Option<&TempDb>) {
    let env = Env::new();
    let url = scratch.map(TempDb::url);
    let out = verify(&env, &drift_package(), rdbms, url.as_deref(), false);
    assert_eq!(
        code(&out),
        1,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    for expected in [
        "route 1.0 -> 2.0: column forms.slug is VARCHAR(200) NULL after the upgrade, VARCHAR(120) NOT NULL in a fresh 2.0 install",
        "route 1.0 -> 2.0: unique index on forms(slug) (forms_slug_key) is missing after the upgrade; it is there in a fresh 2.0 install",
        "route 1.0 -> 2.0: foreign key forms(owner_id) -> users(id)",
        "route 1.0 -> 2.0: check constraint CHECK (",
        "on users is missing after the upgrade; it is there in a fresh 2.0 install",
        "Notes (not failures",
        "index on forms(name) is named forms_name_idx after the upgrade, ix_forms_name in a fresh 2.0 install",
        "1.0    1.0 -> 2.0            DIFFERS",
        "Not verified: 1 of 2 routes differ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let differences = text.split("Notes").next().unwrap();
    assert!(
        !differences.contains("forms_name_idx"),
        "an index name is not a difference:\n{text}"
    );
    if let Some(s) = scratch {
        assert_eq!(
            scratch_databases(s),
            Vec::<String>::new(),
            "scratch databases left over"
        );
    }
    let out = verify(&env, &drift_package(), rdbms, url.as_deref(), true);
    assert_eq!(code(&out), 1);
    let v = json(&out);
    assert_eq!(v["fresh_reference"], true);
    assert_eq!(v["reference"], "a fresh 2.0 install");
    assert_eq!(v["routes"][0]["route"], "fresh install of 2.0");
    assert_eq!(v["routes"][1]["result"], "differs");
    assert!(
        v["routes"][1]["differences"].as_array().unwrap().len() >= 3,
        "{v}"
    );
    assert_eq!(v["routes"][1]["notes"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn a_drifting_upgrade_is_named_on_sqlite() {
    drift_differs(Rdbms::Sqlite, None);
}

#[test]
fn a_drifting_upgrade_is_named_on_postgres() {
    drift_differs(Rdbms::Postgres, Some(&TempDb::new(Rdbms::Postgres)));
}

#[test]
fn a_drifting_upgrade_is_named_on_mariadb() {
    drift_differs(Rdbms::Mysql, Some(&TempDb::new(Rdbms::Mysql)));
}

#[test]
fn a_failing_route_is_shown_with_its_error() {
    let env = Env::new();
    let pkg = env.path("broken");
    copy_package(&drift_package(), &pkg);
    std::fs::write(
        pkg.join("2.0/sqlite.sql"),
        "ALTER TABLE no_such_table ADD COLUMN slug TEXT;\n",
    )
    .unwrap();
    let out = verify(&env, &pkg, Rdbms::Sqlite, None, true);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["routes"][1]["result"], "failed", "{v}");
    let error = v["routes"][1]["error"].as_str().unwrap();
    assert!(
        error.contains("the run 1.0 -> 2.0 failed") && error.contains("no_such_table"),
        "{error}"
    );
}

#[test]
fn servers_need_a_scratch_server() {
    let env = Env::new();
    for rdbms in [Rdbms::Postgres, Rdbms::Mysql] {
        let out = verify(&env, &demo_package(), rdbms, None, true);
        assert_eq!(code(&out), 2);
        assert_eq!(stdout(&out), "", "bad input prints no object");
        assert!(
            stderr(&out).contains("needs --scratch C"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn an_unreachable_scratch_server_or_unreadable_package_is_bad_input() {
    let env = Env::new();
    let out = verify(
        &env,
        &demo_package(),
        Rdbms::Postgres,
        Some("postgres://nobody@127.0.0.1:1/postgres?connect_timeout=2"),
        false,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = verify(
        &env,
        &env.path("no-such-package"),
        Rdbms::Sqlite,
        None,
        false,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-package"), "{}", stderr(&out));
}

#[test]
fn the_password_never_shows() {
    let env = Env::new();
    let out = env
        .cmd()
        .env("UPWIZ_PASSWORD", "s3cret-verify-pw")
        .args(["package", "verify"])
        .arg(drift_package())
        .args(["--rdbms", "postgres", "--scratch"])
        .arg(TempDb::new(Rdbms::Postgres).url())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(!stdout(&out).contains("s3cret") && !stderr(&out).contains("s3cret"));
}

#[test]
fn ctrl_c_stops_verify_and_drops_its_scratch_databases() {
    let env = Env::new();
    let scratch = TempDb::new(Rdbms::Postgres);
    let child = env
        .cmd()
        .args(["package", "verify"])
        .arg(demo_package())
        .args(["--rdbms", "postgres", "--scratch"])
        .arg(scratch.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Waits until verify has made its first scratch database: then it is mid-route.
    wait_until("no scratch database appeared", 60, || {
        !scratch_databases(&scratch).is_empty()
    });
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Stopped: verify was interrupted"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        scratch_databases(&scratch),
        Vec::<String>::new(),
        "scratch databases left over"
    );
}

/// The example packages modelled on the vendor procedures prove right on every RDBMS:
/// each route ends with the schema of a fresh install of the newest release. The
/// status-page tests of `two-majors` ask the application's servers, so verify names
/// them as not run instead of failing for want of a server.
fn examples_verify_on(rdbms: Rdbms) {
    let env = Env::new();
    let scratch = (rdbms != Rdbms::Sqlite).then(|| TempDb::new(rdbms));
    let dir = env.path("scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let at = match &scratch {
        Some(s) => s.url(),
        None => dir.display().to_string(),
    };
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    for name in ["repository", "per-app", "two-majors", "platform-modules"] {
        let out = verify(&env, &examples.join(name), rdbms, Some(&at), true);
        let v = json(&out);
        assert_eq!(v["exit"], 0, "{name} on {rdbms}: {v}");
        assert_eq!(v["fresh_reference"], true, "{name}: {v}");
        let routes = v["routes"].as_array().unwrap();
        assert!(
            routes.len() >= 2,
            "{name}: one route at least besides the reference: {v}"
        );
        for r in &routes[1..] {
            assert_eq!(r["result"], "same", "{name} on {rdbms}: {r}");
        }
        let not_run = v["tests_not_run"].as_array().unwrap();
        assert_eq!(not_run.is_empty(), name != "two-majors", "{name}: {v}");
        if let Some(s) = &scratch {
            assert_eq!(scratch_databases(s), Vec::<String>::new(), "{name}");
        }
    }
}

#[test]
fn the_examples_verify_on_sqlite() {
    examples_verify_on(Rdbms::Sqlite);
}

#[test]
fn the_examples_verify_on_postgres() {
    examples_verify_on(Rdbms::Postgres);
}

#[test]
fn the_examples_verify_on_mariadb() {
    examples_verify_on(Rdbms::Mysql);
}
