//! Nothing waits without end: a server that accepts and never answers, a table another
//! session has locked, a statement blocked on the server when SIGTERM comes.

mod common;

use std::net::TcpListener;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs upwiz, killing it if it outlives `limit` (which fails the test).
fn within(limit: Duration, cmd: &mut std::process::Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("upwiz still ran after {limit:?}; stderr: {}", stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn installed(env: &Env, rdbms: Rdbms) -> TempDb {
    let db = TempDb::new(rdbms);
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        rdbms.key(),
        "--connect",
        &db.url(),
        "install",
        "--version",
        "9.0",
    ]);
    assert_ok(&out);
    db
}

fn silent_server_times_out(rdbms: Rdbms, scheme: &str) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts every connection and never says a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming() {
            held.push(s);
        }
    });
    let env = Env::new();
    let url = format!("{scheme}://app@127.0.0.1:{port}/repo");
    let out = within(
        Duration::from_secs(20),
        env.cmd().args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            &url,
            "--connect-timeout",
            "2",
            "status",
        ]),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("did not complete the connection and login within 2 s"),
        "{err}"
    );
}

#[test]
fn a_postgres_port_that_never_answers_gives_up_within_the_timeout() {
    silent_server_times_out(Rdbms::Postgres, "postgres");
}

#[test]
fn a_mysql_port_that_never_answers_gives_up_within_the_timeout() {
    silent_server_times_out(Rdbms::Mysql, "mysql");
}

fn status_names_the_lock_holder(rdbms: Rdbms, lock_sql: &[&str], expect: &[&str]) {
    let env = Env::new();
    let db = installed(&env, rdbms);
    let mut holder = db.open();
    for sql in lock_sql {
        holder.execute(sql).unwrap();
    }
    let config = env.path("config.toml");
    std::fs::write(&config, "lock_timeout = 2\n").unwrap();
    let out = within(
        Duration::from_secs(30),
        env.cmd().args([
            "--config",
            config.to_str().unwrap(),
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            &db.url(),
            "status",
        ]),
    );
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("gave up after waiting 2 s for a lock"),
        "{err}"
    );
    for e in expect {
        assert!(err.contains(e), "{e}: {err}");
    }
    drop(holder);
}

#[test]
fn a_locked_version_table_makes_postgres_status_name_the_holder() {
    status_names_the_lock_holder(
        Rdbms::Postgres,
        &[
            "BEGIN",
            "LOCK TABLE lattice_version IN ACCESS EXCLUSIVE MODE",
        ],
        &["holds AccessExclusiveLock on lattice_version"],
    );
}

#[test]
fn a_locked_version_table_makes_mysql_status_name_the_holder() {
    status_names_the_lock_holder(
        Rdbms::Mysql,
        &["LOCK TABLES lattice_version WRITE"],
        &["connection "],
    );
}

/// A run whose first script blocks on the server (while a `block` setting exists);
/// SIGTERM must stop it in seconds, with 143, and leave the run resumable.
fn sigterm_cancels_a_blocked_statement(rdbms: Rdbms, sleep_sql: &str, activity_sql: &str) {
    let env = Env::new();
    let db = installed(&env, rdbms);
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let script = pkg.join(format!("9.1/{}/01_normalise_user_emails.sql", rdbms.key()));
    let text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, format!("{sleep_sql};\n{text}")).unwrap();
    let mut admin = db.open();
    admin
        .execute("INSERT INTO settings (name, value) VALUES ('block', 'on')")
        .unwrap();
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "--package",
            pkg.to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            &db.url(),
            "--backup-dir",
            env.path("backups").to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let mut child = env
        .cmd()
        .args(args(&["run", "--yes"]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the blocked statement", Duration::from_secs(180), || {
        admin
            .query(activity_sql)
            .ok()
            .and_then(|r| r.scalar())
            .is_some_and(|n| n != "0")
    });
    let sent = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    while child.try_wait().unwrap().is_none() {
        assert!(
            sent.elapsed() < Duration::from_secs(15),
            "SIGTERM did not stop the run"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 143, "{}{}", stdout(&out), stderr(&out));
    let state = admin
        .query("SELECT state FROM upwiz_runs WHERE run_id NOT LIKE 'install-%'")
        .unwrap()
        .scalar()
        .unwrap();
    assert_eq!(state, "interrupted");
    // The next run continues and completes once the script no longer blocks.
    admin
        .execute("DELETE FROM settings WHERE name = 'block'")
        .unwrap();
    let out = env.cmd().args(args(&["run", "--yes"])).output().unwrap();
    assert_ok(&out);
    assert!(stdout(&out).contains("Continuing"), "{}", stdout(&out));
}

#[test]
fn sigterm_cancels_a_blocked_postgres_statement() {
    sigterm_cancels_a_blocked_statement(
        Rdbms::Postgres,
        "SELECT pg_sleep(CASE WHEN EXISTS (SELECT 1 FROM settings WHERE name = 'block') THEN 600 ELSE 0 END)",
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active'",
    );
}

#[test]
fn sigterm_cancels_a_blocked_mysql_statement() {
    sigterm_cancels_a_blocked_statement(
        Rdbms::Mysql,
        "SELECT SLEEP(IF(EXISTS (SELECT 1 FROM settings WHERE name = 'block'), 600, 0))",
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(%'",
    );
}

/// pg_dump that records each SIGTERM it gets and keeps running: the first Ctrl-C or
/// SIGTERM asks it to stop, the second must kill it with upwiz.
#[test]
fn a_second_sigterm_kills_a_backup_tool_that_ignores_the_first() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let db = installed(&env, Rdbms::Postgres);
    let rec = env.dir.path().display().to_string();
    let dump = env.path("pg_dump.sh");
    std::fs::write(
        &dump,
        format!(
            "#!/bin/sh\ntrap 'echo term >> {rec}/terms' TERM\necho $$ > {rec}/dump-pid.tmp\nmv {rec}/dump-pid.tmp {rec}/dump-pid\nwhile :; do sleep 0.1; done\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&dump, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "postgres",
        ])
        .args([
            "--connect",
            &db.url(),
            "--backup-dir",
            env.path("backups").to_str().unwrap(),
        ])
        .args(["run", "--yes"])
        .env("UPWIZ_PG_DUMP", &dump)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid_file = env.path("dump-pid");
    wait_for("pg_dump to start", Duration::from_secs(120), || {
        pid_file.exists()
    });
    let dump_pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    wait_for(
        "the tool to be asked to stop",
        Duration::from_secs(10),
        || env.path("terms").exists(),
    );
    // SAFETY: as above.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let sent = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "the second SIGTERM did not end upwiz"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    wait_for("the tool to die with upwiz", Duration::from_secs(5), || {
        std::fs::read_to_string(format!("/proc/{dump_pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    });
}
