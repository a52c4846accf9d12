//! The Ansible role and playbooks of deploy/ansible, run by ansible-core (from PyPI,
//! in a virtualenv under the target directory) against an inventory of several local
//! hosts, each with its own upwiz state, log and backup directories, upgrading one
//! shared PostgreSQL or MariaDB database.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use common::anydb::Db;
use common::mini::{self, Mini};
use common::*;
use upwiz::rdbms::Rdbms;

/// The ansible-core the tests run; pinned so that a new release cannot change them.
const ANSIBLE_CORE: &str = "2.17.14";

static INSTALL: Mutex<()> = Mutex::new(());

/// The virtualenv's bin directory, made (once, then cached in the target directory)
/// with `pip install ansible-core`. A machine that cannot install it fails the test.
fn ansible_bin() -> PathBuf {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ansible-core-{ANSIBLE_CORE}"));
    let bin = venv.join("bin");
    let done = venv.join(".installed");
    if done.is_file() {
        return bin;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let run = |c: &mut Command, what: &str| {
        let out = c.output().unwrap_or_else(|e| {
            panic!("cannot {what}: {e}; the Ansible tests need python3 with venv and pip")
        });
        assert!(
            out.status.success(),
            "cannot {what} (the Ansible tests need python3 with venv and access to PyPI):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "make a Python virtualenv",
    );
    run(
        Command::new(bin.join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("ansible-core=={ANSIBLE_CORE}")),
        &format!("pip install ansible-core=={ANSIBLE_CORE}"),
    );
    std::fs::write(&done, ANSIBLE_CORE).unwrap();
    bin
}

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/ansible")
}

/// One host of the inventory and the database it upgrades.
struct Host {
    name: String,
    rdbms: Rdbms,
    connect: String,
}

struct Fleet {
    env: Env,
    /// Given to every host; PostgreSQL's test user is trusted, so it is ignored there,
    /// and MariaDB's root has none.
    password: &'static str,
    pkg: PathBuf,
    hosts: Vec<Host>,
}

/// A tiny package: a baseline at 1.0 and a 2.0 whose script records, into a probe
/// table, the maintenance flag it sees while it runs; maintenance mode sets the flag.
fn package(env: &Env) -> PathBuf {
    let pkg = mini::write(
        &env.path("pkg"),
        &Mini {
            baseline: "CREATE TABLE app_flag (maintenance INTEGER NOT NULL);\nINSERT INTO app_flag (maintenance) VALUES (0);\nCREATE TABLE probe (seen INTEGER NOT NULL);",
            script: "INSERT INTO probe (seen) SELECT maintenance FROM app_flag;\nCREATE TABLE upgraded (id INTEGER);\n",
            transactional: true,
            items: None,
            only: None,
        },
    );
    let mut toml = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    toml.push_str(MAINTENANCE);
    std::fs::write(pkg.join("upwiz.toml"), toml).unwrap();
    pkg
}

/// Maintenance mode: the flag the application servers read.
const MAINTENANCE: &str = r#"
[maintenance]
on = { sql = "UPDATE app_flag SET maintenance = 1" }
off = { sql = "UPDATE app_flag SET maintenance = 0" }
"#;

impl Fleet {
    fn inventory(&self) -> PathBuf {
        let python = ansible_bin().join("python");
        let mut ini = String::from("[frontends]\n");
        for h in &self.hosts {
            let home = self.env.path(&h.name);
            ini.push_str(&format!(
                "{name} upwiz_rdbms={rdbms} upwiz_connect={connect} upwiz_state_home={home}/state upwiz_log_dir={home}/log upwiz_backup_dir={home}/backups upwiz_bin={home}/bin/upwiz\n",
                name = h.name,
                rdbms = h.rdbms.key(),
                connect = h.connect,
                home = home.display(),
            ));
        }
        ini.push_str(&format!(
            "\n[all:vars]\nansible_connection=local\nansible_python_interpreter={}\n",
            python.display()
        ));
        let path = self.env.path("inventory.ini");
        std::fs::write(&path, ini).unwrap();
        path
    }

    fn playbook(&self, playbook: &str, extra: &[&str]) -> Output {
        let bin = ansible_bin();
        let vars = serde_json::json!({
            "upwiz_hosts": "frontends",
            "upwiz_install": "binary",
            "upwiz_binary_src": BIN,
            "upwiz_package_dir": self.pkg,
            "upwiz_wait_for_lock": 120,
            "upwiz_password": self.password,
        });
        let vars_file = self.env.path("vars.json");
        std::fs::write(&vars_file, vars.to_string()).unwrap();
        Command::new(bin.join("ansible-playbook"))
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("HOME", self.env.path("home"))
            .env("ANSIBLE_HOME", self.env.path("ansible"))
            .env("ANSIBLE_LOCAL_TEMP", self.env.path("ansible/tmp"))
            .env("ANSIBLE_ROLES_PATH", deploy().join("roles"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
            .env("ANSIBLE_FORKS", "8")
            .env("USER", "tester")
            .arg("-i")
            .arg(self.inventory())
            .arg("-e")
            .arg(format!("@{}", vars_file.display()))
            .args(extra)
            .arg(deploy().join(playbook))
            .output()
            .expect("ansible-playbook runs")
    }
}

/// Given to every upwiz as its password (PostgreSQL trusts the test user and ignores
/// it): it must never show in Ansible's output.
const SECRET: &str = "s3cr3t-not-for-logs";

/// The hosts each task reported as `status` (ok, changed, fatal) in the task whose
/// title holds `task`.
fn reported(out: &str, task: &str, status: &str) -> Vec<String> {
    let mut inside = false;
    let mut hosts = Vec::new();
    for line in out.lines() {
        if line.starts_with("TASK [") || line.starts_with("PLAY ") {
            inside = line.contains(task);
            continue;
        }
        if let (true, Some(rest)) = (inside, line.strip_prefix(&format!("{status}: ["))) {
            hosts.push(rest.split(']').next().unwrap_or_default().to_string());
        }
    }
    hosts.sort();
    hosts
}

fn fleet(rdbms: Rdbms, hosts: usize) -> (Fleet, Db) {
    let env = Env::new();
    let pkg = package(&env);
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "1.0");
    let connect = match &db {
        Db::Server(t) => t.url(),
        Db::Sqlite(p) => p.display().to_string(),
    };
    let hosts = (1..=hosts)
        .map(|i| Host {
            name: format!("fe{i}"),
            rdbms,
            connect: connect.clone(),
        })
        .collect();
    let password = if rdbms == Rdbms::Postgres { SECRET } else { "" };
    (
        Fleet {
            env,
            pkg,
            hosts,
            password,
        },
        db,
    )
}

/// Check mode installs nothing, so it plans with an upwiz already on the host.
fn check_mode() -> [&'static str; 5] {
    [
        "--check",
        "-e",
        "upwiz_install=none",
        "-e",
        concat!("upwiz_bin=", env!("CARGO_BIN_EXE_upwiz")),
    ]
}

fn app_version(db: &Db) -> String {
    db.scalar("SELECT version FROM app_version")
}

fn ansible_text(out: &Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

fn rollout_upgrades_once_while_the_others_wait(rdbms: Rdbms) {
    let (fleet, db) = fleet(rdbms, 4);
    const RUN: &str = "Upgrade the database";

    // Check mode: every host would change something, and nothing changes.
    let out = fleet.playbook("rollout-halves.yml", &check_mode());
    let text = ansible_text(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert_eq!(
        reported(&text, "Plan the upgrade (upwiz plan", "changed"),
        ["fe1", "fe2", "fe3", "fe4"],
        "{text}"
    );
    assert_eq!(app_version(&db), "1.0");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM probe"), "0");

    let out = fleet.playbook("rollout-halves.yml", &[]);
    let text = ansible_text(&out);
    assert_eq!(code(&out), 0, "{text}");
    let changed = reported(&text, RUN, "changed");
    let ok = reported(&text, RUN, "ok");
    assert_eq!(changed.len(), 1, "exactly one host upgrades:\n{text}");
    assert_eq!(ok.len(), 3, "the others have nothing to do:\n{text}");
    assert!(
        !text.contains(SECRET),
        "the password reached Ansible's output:\n{text}"
    );
    assert_eq!(app_version(&db), "2.0");
    assert_eq!(
        db.scalar(
            "SELECT COUNT(*) FROM upwiz_runs WHERE state = 'completed' AND to_version = '2.0'"
        ),
        "1",
        "the journal has one upgrade"
    );
    // Maintenance was on while the steps ran, and is off after.
    assert_eq!(db.scalar("SELECT COUNT(*) FROM probe"), "1");
    assert_eq!(db.scalar("SELECT MIN(seen) FROM probe"), "1");
    assert_eq!(db.scalar("SELECT maintenance FROM app_flag"), "0");
    // Each host kept its own log in its own directory.
    for h in &fleet.hosts {
        assert!(
            fleet.env.path(&h.name).join("log/UPGRADE.LOG").is_file(),
            "{} has no log",
            h.name
        );
    }

    // Again: nothing to do anywhere, and check mode says so.
    let out = fleet.playbook("rollout-halves.yml", &check_mode());
    let text = ansible_text(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert!(
        reported(&text, "Plan the upgrade (upwiz plan", "changed").is_empty(),
        "{text}"
    );
    let out = fleet.playbook("rollout-halves.yml", &[]);
    let text = ansible_text(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert!(reported(&text, RUN, "changed").is_empty(), "{text}");
    assert_eq!(reported(&text, RUN, "ok").len(), 4, "{text}");
}

#[test]
fn postgres_rollout_in_halves_upgrades_once_and_check_mode_changes_nothing() {
    rollout_upgrades_once_while_the_others_wait(Rdbms::Postgres);
}

#[test]
fn mariadb_rollout_in_halves_upgrades_once_and_check_mode_changes_nothing() {
    rollout_upgrades_once_while_the_others_wait(Rdbms::Mysql);
}

#[test]
fn a_failure_stops_the_rollout_and_later_hosts_stay_untouched() {
    let (mut fleet, good) = fleet(Rdbms::Postgres, 4);
    // fe1's database already has the table the 2.0 script creates: its step fails.
    let bad = Db::Server(common::servers::TempDb::new(Rdbms::Postgres));
    bad.install(&fleet.env, &fleet.pkg, "1.0");
    bad.execute("CREATE TABLE upgraded (id INTEGER)");
    let Db::Server(t) = &bad else { unreachable!() };
    fleet.hosts[0].connect = t.url();
    // The second half upgrades a database of its own: untouched when the first fails.
    let later = Db::Server(common::servers::TempDb::new(Rdbms::Postgres));
    later.install(&fleet.env, &fleet.pkg, "1.0");
    let Db::Server(t) = &later else {
        unreachable!()
    };
    for h in &mut fleet.hosts[2..] {
        h.connect = t.url();
    }

    let out = fleet.playbook("rollout-halves.yml", &[]);
    let text = ansible_text(&out);
    assert_ne!(code(&out), 0, "{text}");
    assert!(
        text.contains("upwiz run exited 1"),
        "the failure says what happened:\n{text}"
    );
    assert_eq!(app_version(&bad), "1.0");
    // A failed run leaves maintenance on: nobody works on a half-upgraded database.
    assert_eq!(bad.scalar("SELECT maintenance FROM app_flag"), "1");
    assert_eq!(
        app_version(&later),
        "1.0",
        "the second half was not started:\n{text}"
    );
    assert_eq!(later.scalar("SELECT COUNT(*) FROM probe"), "0");
    for h in &fleet.hosts[2..] {
        assert!(
            !fleet.env.path(&h.name).join("bin/upwiz").exists(),
            "{} was touched",
            h.name
        );
    }
    assert!(!text.contains(SECRET), "{text}");
    drop(good);
}

#[test]
fn staged_playbook_upgrades_the_stages_in_order() {
    let env = Env::new();
    let pkg = package(&env);
    let dbs: Vec<PathBuf> = ["dev", "test", "prod"]
        .iter()
        .map(|s| env.path(&format!("{s}.db")))
        .collect();
    for db in &dbs {
        assert_ok(&env.sqlite(&pkg, db, &["install", "--version", "1.0"]));
    }
    let config = env.path("upwiz-config.toml");
    std::fs::write(
        &config,
        format!(
            "[[environment]]\nname = \"dev\"\nrdbms = \"sqlite\"\nconnect = \"{}\"\n\n[[environment]]\nname = \"test\"\nrdbms = \"sqlite\"\nconnect = \"{}\"\nfollows = \"dev\"\n\n[[environment]]\nname = \"prod\"\nrdbms = \"sqlite\"\nconnect = \"{}\"\nfollows = \"test\"\n",
            dbs[0].display(), dbs[1].display(), dbs[2].display()
        ),
    )
    .unwrap();
    let fleet = Fleet {
        env,
        password: "",
        pkg,
        hosts: vec![Host {
            name: "control".into(),
            rdbms: Rdbms::Sqlite,
            connect: String::new(),
        }],
    };
    // Skipping test goes straight from dev to prod: the stage gate refuses prod.
    let out = fleet.playbook(
        "staged.yml",
        &[
            "-e",
            &format!("upwiz_config={}", config.display()),
            "-e",
            r#"{"upwiz_stages": ["dev", "prod"], "upwiz_connect": "", "upwiz_rdbms": ""}"#,
        ],
    );
    let text = ansible_text(&out);
    assert_ne!(code(&out), 0, "{text}");
    assert!(
        text.contains("stage gate refuses to upgrade prod"),
        "{text}"
    );
    assert_eq!(version_of(&dbs[0]), "2.0");
    assert_eq!(version_of(&dbs[2]), "1.0");

    let out = fleet.playbook(
        "staged.yml",
        &[
            "-e",
            &format!("upwiz_config={}", config.display()),
            "-e",
            r#"{"upwiz_connect": "", "upwiz_rdbms": ""}"#,
        ],
    );
    let text = ansible_text(&out);
    assert_eq!(code(&out), 0, "{text}");
    for db in &dbs {
        assert_eq!(version_of(db), "2.0", "{text}");
    }
}

fn version_of(db: &Path) -> String {
    query_one(db, "SELECT version FROM app_version")
}
