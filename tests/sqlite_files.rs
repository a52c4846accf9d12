//! What upwiz says about a SQLite database file that is not what it should be: held by
//! another program, a FIFO, deleted before or during the run.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `cmd`, failing the test if it is still running after `limit`: a FIFO must
/// not make upwiz wait for a writer.
fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("upwiz was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn sqlite_args<'a>(pkg: &'a Path, db: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "--package",
        pkg.to_str().unwrap(),
        "--rdbms",
        "sqlite",
        "--connect",
        db.to_str().unwrap(),
    ];
    v.extend_from_slice(rest);
    v
}

#[test]
fn a_fifo_is_not_a_regular_file() {
    let env = Env::new();
    let fifo = env.path("app.db");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for command in [&["status"][..], &["run", "--yes"][..]] {
        let pkg = demo_package();
        let out = output_within(
            env.cmd().args(sqlite_args(&pkg, &fifo, command)),
            Duration::from_secs(30),
        );
        assert_eq!(code(&out), 2, "{command:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{} is not a regular file", fifo.display())),
            "{command:?}: {err}"
        );
    }
}

#[test]
fn a_file_deleted_during_the_run_is_not_called_read_only() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    let check = format!(
        "[[preflight]]\nname = \"Someone deletes the database\"\ncommand = [\"rm\", \"{}\"]\n\n",
        db.display()
    );
    let manifest = manifest.replacen("[[preflight]]", &format!("{check}[[preflight]]"), 1);
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();

    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_ne!(code(&out), 0);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains("read-only"), "{all}");
    assert!(
        stderr(&out).contains(&format!(
            "database file {} was deleted or moved while upwiz had it open",
            db.display()
        )),
        "{}",
        stderr(&out)
    );

    // Deleted before the run: it does not exist.
    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(&format!("database file {} does not exist", db.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_lock_held_by_another_program_names_that_program() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    // This test process is the other program.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder
        .execute_batch("BEGIN EXCLUSIVE; UPDATE settings SET value = value;")
        .unwrap();
    for command in [&["status"][..], &["run", "--yes"][..]] {
        let out = env.sqlite(&demo_package(), &db, command);
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{command:?}: {err}");
        assert!(
            err.contains(&format!(
                "database file {} is locked by another program: process {}",
                db.display(),
                std::process::id()
            )),
            "{command:?}: {err}"
        );
        assert!(!err.contains("another upgrade"), "{err}");
    }
    drop(holder);
}

/// A program that takes the database's lock while the preflight checks run: their
/// queries meet the lock, which is what the run must report, not failed checks.
#[test]
fn checks_that_meet_another_programs_lock_say_so_instead_of_failing() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let ready = env.path("locked");
    let locker = format!(
        "import sqlite3, time\n\
         c = sqlite3.connect({db:?}, isolation_level=None)\n\
         c.execute('BEGIN EXCLUSIVE')\n\
         c.execute('UPDATE settings SET value = value')\n\
         open({ready:?}, 'w').close()\n\
         time.sleep(8)\n",
        db = db.display().to_string(),
        ready = ready.display().to_string(),
    );
    std::fs::write(pkg.join("locker.py"), locker).unwrap();
    let check = format!(
        "[[preflight]]\nname = \"Another program opens the database\"\n\
         command = [\"sh\", \"-c\", \"python3 locker.py >/dev/null 2>&1 & while [ ! -e {} ]; do sleep 0.05; done\"]\n\n",
        ready.display()
    );
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    let manifest = manifest.replacen("[[preflight]]", &format!("{check}[[preflight]]"), 1);
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();

    let out = env.sqlite(&pkg, &db, &["run", "--yes"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(!err.contains("preflight check(s) failed"), "{err}");
    assert!(
        err.contains("the preflight checks could not run: database file"),
        "{err}"
    );
    assert!(
        err.contains("is locked by another program: process"),
        "{err}"
    );
    assert!(err.contains("(python"), "{err}");
    assert!(!env.log().contains("FAILED"), "{}", env.log());
}
