//! The wizard in a real terminal: the `upwiz` binary runs in a tmux pane (its own
//! tmux server, so nothing of the developer's leaks in) with HOME and the XDG
//! directories in a temporary directory, and is driven with keys as an operator
//! would drive it.
//!
//! 1. No configuration at all: Enter, Enter, ... takes the bundled demo from the
//!    Welcome screen to "The upgrade procedure completed successfully.", and the
//!    demo database is at 11.0; once it closes, the terminal keeps its summary.
//! 2. A database made with `upwiz install`, a config file, a SIGKILL in the middle of
//!    the upgrade; started again, the wizard offers "Continue where it left off",
//!    and Enter finishes the upgrade.
//! 3. Shrunk below its minimum on the Plan screen, Enter does nothing; grown again,
//!    Finish asks first, naming the database.
//! 4. On PostgreSQL, the terminal (the tmux server) goes away mid-upgrade, as an
//!    SSH session would; started again, the wizard follows the upgrade still running
//!    in the background to its end and says it completed while you were away.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SUCCESS: &str = "The upgrade procedure completed successfully.";

fn bin() -> String {
    // UPWIZ_E2E_BIN lets a developer point the test at another build of the wizard.
    std::env::var("UPWIZ_E2E_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_upwiz").to_string())
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Pane {
    socket: String,
    conf: PathBuf,
}

impl Pane {
    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f"])
            .arg(&self.conf)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `argv` in an 80x24 pane.
    fn start(dir: &Path, name: &str, argv: &[String]) -> Pane {
        let conf = dir.join("tmux.conf");
        std::fs::write(&conf, "set -g status off\n").unwrap();
        let pane = Pane {
            socket: format!("upwiz-e2e-{}-{name}", std::process::id()),
            conf,
        };
        // The shell reports the exit status on screen and keeps the pane open.
        let wrapper = "\"$@\"; echo \"[exited $?]\"; sleep 600";
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            "w",
            "-x",
            "80",
            "-y",
            "24",
            "sh",
            "-c",
            wrapper,
            "sh",
        ];
        args.extend(argv.iter().map(String::as_str));
        pane.tmux(&args);
        pane
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "w"])
    }

    fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "w", key]);
    }

    fn resize(&self, cols: u16, rows: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "w",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
    }

    /// Enter on each screen once it shows, from Welcome to the Plan screen.
    fn enter_to_plan(&self) -> String {
        for title in ["2/7 Credentials", "3/7 RDBMS", "4/7 Database", "5/7 Plan"] {
            let before = self.screen();
            self.key("Enter");
            // On Credentials a server's user field takes Enter to the password: wait for
            // the Enter to show (the next screen, or the focus moved) before deciding.
            if title == "3/7 RDBMS"
                && self
                    .wait_for_change(&before, 30)
                    .contains("2/7 Credentials")
            {
                self.key("Enter");
            }
            self.wait_for(title, 30);
        }
        self.wait_for("Finish ]", 10)
    }

    /// The screen once it differs from `before`.
    fn wait_for_change(&self, before: &str, secs: u64) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s != before {
                return s;
            }
            assert!(Instant::now() < end, "the screen did not change:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str, secs: u64) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < end,
                "'{text}' not on screen after {secs}s; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for_line(&self, want: impl Fn(&str) -> bool, secs: u64) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.lines().any(&want) {
                return s;
            }
            assert!(
                Instant::now() < end,
                "no such line after {secs}s; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The wizard's pid: the child of the shell that wraps it.
    fn pid(&self) -> i32 {
        let shell = self.tmux(&["display", "-p", "-t", "w", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the wizard's pid")
    }

    /// The exit status once the program has ended, as the wrapping shell prints it.
    fn exit_status(&self, secs: u64) -> i32 {
        let screen = self.wait_for("[exited ", secs);
        let rest = &screen[screen.find("[exited ").unwrap() + 8..];
        rest[..rest.find(']').unwrap()].parse().unwrap()
    }

    /// Enter, screen after screen, until the upgrade's result is on screen. Enter is
    /// not pressed while the upgrade runs: on the result screen it would leave.
    fn enter_to_success(&self) -> String {
        for _ in 0..30 {
            let s = self.screen();
            if s.contains(SUCCESS) {
                return s;
            }
            if s.contains("Progress") {
                return self.wait_for(SUCCESS, 30);
            }
            self.key("Enter");
            std::thread::sleep(Duration::from_millis(400));
        }
        panic!("no success after 30 Enters:\n{}", self.screen());
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn env_argv(home: &Path, rest: &[&str]) -> Vec<String> {
    let mut v = vec![
        "env".to_string(),
        format!("HOME={}", home.display()),
        format!("XDG_STATE_HOME={}", home.join("state").display()),
        format!("XDG_CONFIG_HOME={}", home.join("config").display()),
        format!("XDG_DATA_HOME={}", home.join("data").display()),
        "UPWIZ_PASSWORD=".into(),
        "TERM=xterm-256color".into(),
        bin(),
    ];
    v.extend(rest.iter().map(|s| s.to_string()));
    v
}

fn version(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT version FROM lattice_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn enter_only_takes_the_bundled_demo_to_success() {
    assert!(
        tmux_available(),
        "the end-to-end tests drive the wizard in tmux: install it (apt-get install tmux)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let pane = Pane::start(tmp.path(), "demo", &env_argv(tmp.path(), &[]));
    pane.wait_for("Lattice Application Platform 9.0", 20);
    let screen = pane.enter_to_success();
    assert!(
        screen.contains("UPGRADE.LOG") || screen.contains("Log"),
        "{screen}"
    );
    assert_eq!(
        version(&tmp.path().join("state/upwiz/demo/demo.db")),
        "11.0"
    );
    pane.key("Enter");
    assert_eq!(pane.exit_status(10), 0);
    // The alternate screen is gone; the terminal keeps the run's summary.
    let kept = pane.screen();
    assert!(
        kept.contains("the upgrade of Lattice Application Platform completed successfully"),
        "{kept}"
    );
    assert!(kept.contains("versions: 9.0 -> 11.0"), "{kept}");
    assert!(kept.contains("log: "), "{kept}");
    assert!(kept.contains("after the upgrade:"), "{kept}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn killed_mid_upgrade_it_continues_where_it_left_off() {
    assert!(
        tmux_available(),
        "the end-to-end tests drive the wizard in tmux: install it (apt-get install tmux)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    // The demo with a preflight check that takes a while (it runs before each leg):
    // a moment to kill it in, once the first leg is complete.
    let pkg = home.join("package");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
        &pkg,
    );
    let mut manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    manifest.push_str(
        "\n[[preflight]]\nname = \"Application servers are down\"\ncommand = [\"sleep\", \"2\"]\n",
    );
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();
    let db = home.join("repository.db");
    let out = Command::new(env!("CARGO_BIN_EXE_upwiz"))
        .args([
            "install",
            "--rdbms",
            "sqlite",
            "--version",
            "9.0",
            "--package",
        ])
        .arg(&pkg)
        .arg("--connect")
        .arg(&db)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "upwiz install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = home.join("upwiz.toml");
    std::fs::write(
        &config,
        format!(
            "package = {:?}\nrdbms = \"sqlite\"\nconnect = {:?}\nlog_dir = {:?}\nkeyring = false\n",
            pkg.display().to_string(),
            db.display().to_string(),
            home.join("logs").display().to_string()
        ),
    )
    .unwrap();
    let argv = env_argv(home, &["--config", config.to_str().unwrap()]);

    let first = Pane::start(home, "first", &argv);
    first.wait_for("Lattice Application Platform 9.0", 20);
    for _ in 0..4 {
        first.key("Enter");
        std::thread::sleep(Duration::from_millis(400));
    }
    first.wait_for("Plan", 20);
    first.key("Enter");
    first.wait_for("Start the upgrade?", 10);
    first.key("Enter");
    first.wait_for_line(
        |l| l.contains(">run") && l.contains("Preflight checks before 10.1"),
        30,
    );
    let status = Command::new("kill")
        .args(["-KILL", &first.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(first.exit_status(10), 128 + 9);
    assert_eq!(version(&db), "10.1", "the first leg had completed");
    drop(first);

    let again = Pane::start(home, "again", &argv);
    let welcome = again.wait_for("> Continue where it left off", 20);
    assert!(welcome.contains("did not finish"), "{welcome}");
    again.enter_to_success();
    assert_eq!(version(&db), "11.0");
    again.key("Enter");
    assert_eq!(again.exit_status(10), 0);
}

/// The demo package with a preflight check that takes `secs`, so a run can be caught
/// in the middle; a config naming `connect` on `rdbms`.
fn slow_demo_config(home: &Path, rdbms: &str, connect: &str, secs: u32) -> PathBuf {
    let pkg = home.join("package");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
        &pkg,
    );
    let mut manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    manifest.push_str(&format!(
        "\n[[preflight]]\nname = \"Application servers are down\"\ncommand = [\"sleep\", \"{secs}\"]\n"
    ));
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_upwiz"))
        .args(["install", "--rdbms", rdbms, "--version", "9.0", "--package"])
        .arg(&pkg)
        .arg("--connect")
        .arg(connect)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "upwiz install failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = home.join("upwiz.toml");
    std::fs::write(
        &config,
        format!(
            "package = {:?}\nrdbms = {rdbms:?}\nconnect = {connect:?}\nlog_dir = {:?}\nkeyring = false\n",
            pkg.display().to_string(),
            home.join("logs").display().to_string()
        ),
    )
    .unwrap();
    config
}

#[test]
fn too_small_then_enter_does_nothing_and_finish_names_the_database() {
    assert!(tmux_available(), "the end-to-end tests need tmux");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let db = home.join("repository.db");
    let config = slow_demo_config(home, "sqlite", db.to_str().unwrap(), 0);
    let pane = Pane::start(
        home,
        "small",
        &env_argv(home, &["--config", config.to_str().unwrap()]),
    );
    pane.wait_for("Lattice Application Platform 9.0", 20);
    pane.enter_to_plan();
    pane.resize(40, 10);
    pane.wait_for("too small", 10);
    pane.key("Enter");
    pane.key("Enter");
    pane.resize(80, 24);
    let screen = pane.wait_for("I have done these - Finish", 10);
    assert!(!screen.contains("Start the upgrade?"), "{screen}");
    assert!(!screen.contains("Progress"), "{screen}");
    assert_eq!(version(&db), "9.0", "nothing ran");

    pane.key("Enter");
    let confirm = pane.wait_for("Start the upgrade?", 10);
    assert!(
        confirm.contains(&format!("SQLite {}", db.display())),
        "{confirm}"
    );
    assert!(confirm.contains("on host"), "{confirm}");
    pane.key("Escape");
    pane.wait_for("Enter Finish", 10);
    pane.key("q");
    assert_eq!(pane.exit_status(10), 0);
    assert_eq!(version(&db), "9.0");
}

#[test]
fn a_dropped_session_mid_upgrade_on_postgres_is_followed_to_its_end() {
    use common::servers::TempDb;
    use upwiz::rdbms::Rdbms;
    assert!(tmux_available(), "the end-to-end tests need tmux");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    let pg = TempDb::new(Rdbms::Postgres);
    let config = slow_demo_config(home, "postgres", &pg.url(), 8);
    let argv = env_argv(home, &["--config", config.to_str().unwrap()]);

    let first = Pane::start(home, "pg-first", &argv);
    first.wait_for("Lattice Application Platform 9.0", 20);
    let plan = first.enter_to_plan();
    assert!(plan.contains(&format!("PostgreSQL {}", pg.url())), "{plan}");
    first.key("Enter");
    let confirm = first.wait_for("Start the upgrade?", 10);
    assert!(confirm.contains(&pg.name), "{confirm}");
    first.key("Enter");
    first.wait_for_line(|l| l.contains(">run") && l.contains("Preflight checks"), 30);
    // The terminal goes away, as with a dropped SSH session: SIGHUP, no tty.
    drop(first);

    let again = Pane::start(home, "pg-again", &argv);
    let follow = again.wait_for("An upgrade of this database is running now", 20);
    assert!(follow.contains("in progress"), "{follow}");
    // Followed live: the step it is on moves on while the screen is watched.
    again.wait_for("UPGRADE.LOG, live:", 20);
    assert!(!follow.contains("> Continue where it left off"), "{follow}");
    again.wait_for("completed while you were away", 120);
    // Then Welcome looks at the database again: its Detected line moves to 11.0.
    again.wait_for("Lattice Application Platform 11.0", 30);
    assert_eq!(pg.scalar("SELECT version FROM lattice_version"), "11.0");
    again.key("q");
    assert_eq!(again.exit_status(10), 0);
}
