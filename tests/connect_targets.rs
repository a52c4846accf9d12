//! What a connect string and a password become on their way to the drivers, the
//! backup tools and the package's commands: TLS settings kept, secrets nowhere, no
//! password file left behind by any exit.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

const PASSWORD: &str = "Pa55-wOrd-in-9-places";
/// The test server's self-signed certificate, its own CA: the throwaway server's
/// (UPWIZ_TEST_PG_CA), or a Debian PostgreSQL server's snakeoil certificate.
fn pg_ca() -> String {
    std::env::var("UPWIZ_TEST_PG_CA")
        .unwrap_or_else(|_| "/etc/ssl/certs/ssl-cert-snakeoil.pem".into())
}

/// The test server's administrative URL with `query` added.
fn pg_admin(query: &str) -> String {
    let url = common::servers::admin_url(Rdbms::Postgres);
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

/// `host:port` of the test server, as upwiz names it in messages.
fn pg_host_port() -> String {
    let url = common::servers::admin_url(Rdbms::Postgres);
    let rest = url.split_once('@').map_or(url.as_str(), |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_string()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn holding(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|f| {
            std::fs::read(f).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .collect()
}

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn package_commands_get_no_password_in_their_environment() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[[preflight]]\nname = \"The environment is printed\"\ncommand = [\"env\"]\n");
    std::fs::write(&manifest, text).unwrap();
    let out = env
        .cmd()
        .args(["--package", pkg.to_str().unwrap(), "--rdbms", "sqlite"])
        .args(["--connect", db.to_str().unwrap(), "run", "--yes"])
        .env("UPWIZ_PASSWORD", "secret-upwiz-1")
        .env("PGPASSWORD", "secret-pg-2")
        .env("MYSQL_PWD", "secret-my-3")
        .output()
        .unwrap();
    assert_ok(&out);
    let log = env.log();
    assert!(log.contains("PATH="), "env ran and its output is logged");
    for s in ["secret-upwiz-1", "secret-pg-2", "secret-my-3"] {
        assert!(!log.contains(s), "{s} reached UPGRADE.LOG");
        assert!(!stdout(&out).contains(s), "{s} reached stdout");
    }
}

#[test]
fn a_password_with_a_line_break_is_refused_and_never_shown() {
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "mysql",
        ])
        .args(["--connect", "mysql://app@127.0.0.1:1/repo", "status"])
        .env("UPWIZ_PASSWORD", "first-half\nsecond-half")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("line break"), "{}", stderr(&out));
    for part in ["first-half", "second-half"] {
        assert!(!stderr(&out).contains(part) && !stdout(&out).contains(part));
        assert!(holding(env.dir.path(), part).is_empty());
    }
}

#[test]
fn a_password_file_others_can_read_gets_a_warning() {
    let env = Env::new();
    let file = env.path("pw");
    std::fs::write(&file, "hunter2\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        "postgres",
        "--connect",
        "postgres://app@127.0.0.1:1/repo",
        "--password-file",
        file.to_str().unwrap(),
        "status",
    ]);
    assert!(
        stderr(&out).contains("can be read by other users"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("hunter2"));
}

/// A stand-in for pg_dump: records its environment and how it can read the password
/// file (the size, never the text), says it started, then waits to be killed.
fn recording_pg_dump(env: &Env, then: &str) -> PathBuf {
    let path = env.path("pg_dump.sh");
    script(
        &path,
        &format!(
            "env > {rec}/dump-env.txt\n\
             wc -c < \"$PGPASSFILE\" > {rec}/passfile-size.txt\n\
             echo $$ > {rec}/dump-pid.txt\n\
             {then}",
            rec = env.dir.path().display()
        ),
    );
    path
}

fn run_with_dump(env: &Env, url: &str, dump: &Path) -> std::process::Command {
    let mut c = env.cmd();
    c.args([
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        "postgres",
    ])
    .args([
        "--connect",
        url,
        "--backup-dir",
        env.path("backups").to_str().unwrap(),
    ])
    .args(["run", "--yes"])
    .env("UPWIZ_PASSWORD", PASSWORD)
    .env("UPWIZ_PG_DUMP", dump)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    c
}

#[test]
fn pg_dump_gets_verify_full_and_the_ca_and_no_password_file_survives_a_kill() {
    let env = Env::new();
    let db = TempDb::new(Rdbms::Postgres);
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        "postgres",
        "--connect",
        &db.url(),
        "install",
        "--version",
        "9.0",
    ]);
    assert_ok(&out);
    // The server's certificate names localhost: verify-full holds there, and pg_dump
    // must check as much (it used to get sslmode=require).
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        db.url().replace("127.0.0.1", "localhost"),
        pg_ca()
    );
    let dump = recording_pg_dump(&env, "exec sleep 600");
    let mut upwiz = run_with_dump(&env, &url, &dump).spawn().unwrap();
    let pid_file = env.path("dump-pid.txt");
    wait_for("pg_dump to start", Duration::from_secs(120), || {
        std::fs::read_to_string(&pid_file).is_ok_and(|s| s.ends_with('\n'))
    });

    let dump_env = std::fs::read_to_string(env.path("dump-env.txt")).unwrap();
    assert!(dump_env.contains("PGSSLMODE=verify-full\n"), "{dump_env}");
    assert!(
        dump_env.contains(&format!("PGSSLROOTCERT={}\n", pg_ca())),
        "{dump_env}"
    );
    assert!(
        !dump_env.contains(PASSWORD),
        "the password is in pg_dump's environment"
    );
    let size = std::fs::read_to_string(env.path("passfile-size.txt")).unwrap();
    assert!(
        size.trim().parse::<usize>().unwrap() > PASSWORD.len(),
        "pg_dump can read it"
    );

    upwiz.kill().unwrap();
    let _ = upwiz.wait();
    let dump_pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SAFETY: the stand-in is our grandchild, orphaned by the kill.
    unsafe { libc::kill(dump_pid, libc::SIGKILL) };
    let left = holding(env.dir.path(), PASSWORD);
    assert!(left.is_empty(), "the password survived in {left:?}");

    // Files earlier versions left (and that a kill between write and unlink could
    // leave) are removed by the next run, once their process is gone.
    let backups = env.path("backups");
    for name in [
        ".pgpass.99999999",
        ".my.cnf.99999999",
        ".upwiz-secret.99999999.pgpass.1",
    ] {
        std::fs::write(backups.join(name), format!("*:*:*:*:{PASSWORD}\n")).unwrap();
    }
    let failing = env.path("pg_dump-fails.sh");
    script(&failing, "echo 'pg_dump: error: stand-in' >&2; exit 1");
    let out = run_with_dump(&env, &url, &failing).output().unwrap();
    assert_ne!(code(&out), 0);
    let left = holding(env.dir.path(), PASSWORD);
    assert!(left.is_empty(), "leftovers were not removed: {left:?}");
}

/// A port where something else answers (here: an SSH banner) gets a sentence, not the
/// driver's `CodecError { ... }` or "corrupt message of type InvalidContentType".
#[test]
fn another_protocol_on_the_port_is_one_plain_sentence() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut s in listener.incoming().flatten() {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
            held.push(s);
        }
    });
    let env = Env::new();
    for (rdbms, scheme) in [("mysql", "mysql"), ("postgres", "postgres")] {
        let out = env.upwiz(&[
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            rdbms,
            "--connect",
            &format!("{scheme}://app@127.0.0.1:{port}/x"),
            "--connect-timeout",
            "5",
            "status",
        ]);
        assert_eq!(code(&out), 2);
        let err = stderr(&out);
        assert!(
            err.contains("does not speak this database's protocol"),
            "{err}"
        );
        for raw in ["{", "CodecError", "corrupt message", "InvalidContentType"] {
            assert!(!err.contains(raw), "{err}");
        }
    }
}

/// The PostgreSQL driver's "error encoding message" for a NUL byte becomes a sentence.
#[test]
fn a_nul_byte_in_a_statement_is_named_plainly() {
    let db = TempDb::new(Rdbms::Postgres);
    let mut conn = db.open();
    let e = conn.execute("SELECT 'a\0b'").unwrap_err();
    assert!(
        !e.message.contains("error encoding message"),
        "{}",
        e.message
    );
    assert!(e.message.contains("NUL byte"), "{}", e.message);
}

/// verify-ca checks the chain only; verify-full also the host name, which the server's
/// certificate (made for localhost) does not match at 127.0.0.1.
#[test]
fn verify_ca_checks_the_chain_and_verify_full_the_name_too() {
    let env = Env::new();
    let status = |mode: &str| {
        env.upwiz(&[
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "postgres",
            "--connect",
            &pg_admin(&format!("sslmode={mode}&sslrootcert={}", pg_ca())),
            "status",
        ])
    };
    assert_ok(&status("verify-ca"));
    let out = status("verify-full");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not valid for name \"127.0.0.1\""),
        "{}",
        stderr(&out)
    );
    // A CA that did not sign the server's certificate fails even verify-ca.
    let other = env.path("other-ca.pem");
    let ca = std::fs::read_dir("/etc/ssl/certs")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "pem")
                && !p.ends_with("ssl-cert-snakeoil.pem")
                && p.display().to_string() != pg_ca()
        })
        .expect("a system CA certificate");
    std::fs::copy(ca, &other).unwrap();
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        "postgres",
        "--connect",
        &pg_admin(&format!(
            "sslmode=verify-ca&sslrootcert={}",
            other.display()
        )),
        "status",
    ]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!("TLS with {} failed", pg_host_port())),
        "{}",
        stderr(&out)
    );
}
