//! A full upgrade with a known password leaves it nowhere: not in any file the run
//! wrote (state, logs, reports, backups), not in the journal, not in the backup tool's
//! argv. Files that may hold sensitive data are private to their owner.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::servers::TempDb;
use common::*;
use upwiz::rdbms::Rdbms;

const PASSWORD: &str = "S3cr3t-Pa55w0rd-q7Zk";

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
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

#[test]
fn a_password_never_reaches_files_journal_or_argv() {
    let env = Env::new();
    let db = TempDb::new(Rdbms::Mysql);
    let mut admin = db.open();
    for host in ["%", "localhost"] {
        admin
            .execute(&format!("DROP USER IF EXISTS 'upwiz_secret'@'{host}'"))
            .unwrap();
        admin
            .execute(&format!(
                "CREATE USER 'upwiz_secret'@'{host}' IDENTIFIED BY '{PASSWORD}'"
            ))
            .unwrap();
        admin
            .execute(&format!(
                "GRANT ALL ON {}.* TO 'upwiz_secret'@'{host}'",
                db.name
            ))
            .unwrap();
    }
    let url = db.url();
    let out = env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        "mysql",
        "--connect",
        &url,
        "install",
        "--version",
        "9.0",
    ]);
    assert_ok(&out);

    // A stand-in for the backup tool that records how it was called, then runs the real one.
    let real = ["mariadb-dump", "mysqldump"]
        .iter()
        .map(|n| Path::new("/usr/bin").join(n))
        .find(|p| p.exists())
        .expect("a MySQL dump tool is installed");
    let shim = env.path("dump-shim.sh");
    let calls = env.path("dump-calls.txt");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" >> {}\nexec {} \"$@\"\n",
            calls.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();

    let user_url = url.replace("root@", "upwiz_secret@");
    let out = env
        .cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "mysql",
            "--connect",
            &user_url,
            "run",
            "--yes",
        ])
        .env("UPWIZ_PASSWORD", PASSWORD)
        .env("UPWIZ_MYSQLDUMP", &shim)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(!stdout(&out).contains(PASSWORD) && !stderr(&out).contains(PASSWORD));

    let argv = std::fs::read_to_string(&calls).expect("the backup tool ran");
    assert_eq!(
        argv.matches("--single-transaction").count(),
        2,
        "two backups: {argv}"
    );
    assert!(
        !argv.contains(PASSWORD),
        "the password is in the backup tool's argv"
    );

    let mut checked = 0;
    for f in files_under(env.dir.path()) {
        if f == calls {
            continue;
        }
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "{} contains the password",
            f.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 6,
        "state, log, reports and backups were written ({checked} files)"
    );

    for table in ["upwiz_runs", "upwiz_journal", "upwiz_items", "upwiz_lock"] {
        let rows = admin.query(&format!("SELECT * FROM {table}")).unwrap();
        for row in rows.rows {
            for v in row {
                assert!(!v.render().contains(PASSWORD), "{table} holds the password");
            }
        }
    }

    let state = env.state_dir();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state.join("UPGRADE.LOG")), 0o600);
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("backups")), 0o700);
    for b in files_under(&state.join("backups")) {
        assert_eq!(mode(&b), 0o600, "{}", b.display());
    }
    for s in files_under(&state.join("databases")) {
        assert_eq!(mode(&s), 0o600, "{}", s.display());
    }
    for host in ["%", "localhost"] {
        admin
            .execute(&format!("DROP USER 'upwiz_secret'@'{host}'"))
            .unwrap();
    }
}
