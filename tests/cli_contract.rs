//! The command line as scripts and operators rely on it: help with examples for every
//! command, environment variables for the common flags, --quiet and --verbose, the y/N
//! question on a terminal, and the JSON contract of docs/json.md pinned by snapshots.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory;
use common::*;
use serde_json::Value;

#[test]
fn every_command_has_examples_and_every_flag_says_what_it_does() {
    let cli = upwiz::cli::Cli::command();
    let mut missing = Vec::new();
    let commands: Vec<_> = cli.get_subcommands().collect();
    assert_eq!(
        commands.len(),
        14,
        "install … rehearse, package, adopt, stages"
    );
    for sub in commands {
        let help = sub.clone().render_help().to_string();
        if !help.contains("Examples:") {
            missing.push(format!("{}: no examples", sub.get_name()));
        }
        for arg in sub.get_arguments() {
            if arg.get_help().is_none() && !["help", "version"].contains(&arg.get_id().as_str()) {
                missing.push(format!("{} --{}", sub.get_name(), arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:?}");
    let env = Env::new();
    let out = env.upwiz(&["run", "--help"]);
    assert_ok(&out);
    let text = stdout(&out);
    for needed in [
        "Examples:",
        "[env: UPWIZ_CONNECT]",
        "[env: UPWIZ_PACKAGE=]",
        "--quiet",
        "--verbose",
        "--target <V>",
    ] {
        assert!(text.contains(needed), "{needed} missing from:\n{text}");
    }
    let leaked = env
        .cmd()
        .args(["run", "--help"])
        .env("UPWIZ_CONNECT", "postgres://app:s3cr3t@db/app")
        .output()
        .unwrap();
    assert!(!stdout(&leaked).contains("s3cr3t"), "{}", stdout(&leaked));
    let top = stdout(&env.upwiz(&["--help"]));
    for tool in [
        "UPWIZ_PG_DUMP",
        "UPWIZ_PG_RESTORE",
        "UPWIZ_MYSQLDUMP",
        "UPWIZ_PASSWORD",
    ] {
        assert!(top.contains(tool), "{tool} missing from:\n{top}");
    }
}

#[test]
fn environment_variables_stand_for_the_common_flags_and_a_flag_wins() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let logs = env.path("logs");
    let out = env
        .cmd()
        .args(["status", "--json"])
        .env("UPWIZ_PACKAGE", demo_package())
        .env("UPWIZ_RDBMS", "sqlite")
        .env("UPWIZ_CONNECT", &db)
        .env("UPWIZ_LOG_DIR", &logs)
        .output()
        .unwrap();
    assert_ok(&out);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["version"], "9.0");
    assert_eq!(v["log"], logs.join("UPGRADE.LOG").to_str().unwrap());

    let other = env.demo_db("other.db", "10.1");
    let out = env
        .cmd()
        .args(["status", "--json", "--connect", other.to_str().unwrap()])
        .env("UPWIZ_PACKAGE", demo_package())
        .env("UPWIZ_RDBMS", "sqlite")
        .env("UPWIZ_CONNECT", &db)
        .output()
        .unwrap();
    assert_ok(&out);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["version"], "10.1", "the flag wins over UPWIZ_CONNECT");

    let out = env
        .cmd()
        .args(["status"])
        .env("UPWIZ_PACKAGE", demo_package())
        .env("UPWIZ_RDBMS", "sqlite")
        .env("UPWIZ_CONNECT", &db)
        .env("UPWIZ_CONNECT_TIMEOUT", "0")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn quiet_prints_only_the_final_line_and_verbose_adds_debug_lines() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let out = env.sqlite(&demo_package(), &db, &["run", "--yes", "--quiet"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("Lattice Application Platform upgraded 9.0 -> 11.0 in "),
        "{text}"
    );
    assert_eq!(stderr(&out), "");

    let out = env.sqlite(&demo_package(), &db, &["status", "-q"]);
    assert_ok(&out);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));

    let db2 = env.demo_db("verbose.db", "10.1");
    let out = env.sqlite(&demo_package(), &db2, &["run", "--yes", "--verbose"]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(err.contains("upwiz: debug: package: "), "{err}");
    assert!(
        err.contains("upwiz: debug: step 1 started: Preflight checks"),
        "{err}"
    );
    assert!(!stdout(&out).contains("debug:"), "stdout stays for scripts");

    let out = env.sqlite(&demo_package(), &db2, &["status", "--quiet", "--verbose"]);
    assert_eq!(code(&out), 2, "--quiet and --verbose conflict");
}

/// Runs upwiz on a pseudo-terminal and answers `answer` once it asks y/N.
fn on_terminal(env: &Env, db: &Path, answer: &str, args: &[&str]) -> Output {
    const DRIVER: &str = r#"
import os, pty, sys
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen, sent = b"", False
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    seen += data
    if not sent and b"[y/N]" in seen:
        os.write(fd, (answer + "\n").encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let mut cmd = Command::new("python3");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path("home"))
        .env("XDG_STATE_HOME", env.path("state"))
        .env("XDG_CONFIG_HOME", env.path("config"))
        .env("XDG_DATA_HOME", env.path("data"))
        .env("USER", "tester")
        .args(["-c", DRIVER, answer, BIN])
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            "sqlite",
            "--connect",
            db.to_str().unwrap(),
        ])
        .args(args);
    cmd.output().expect("python3 runs")
}

#[test]
fn a_run_without_yes_on_a_terminal_shows_the_plan_and_asks() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let before = file_bytes(&db);

    let out = on_terminal(&env, &db, "n", &["run"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(text.contains("Route:     9.0 -> 10.1 -> 11.0"), "{text}");
    assert!(
        text.contains("[ ] Stop every Lattice application server"),
        "{text}"
    );
    assert!(text.contains("[y/N]"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(file_bytes(&db), before, "answering n changes nothing");

    // --quiet still shows what it asks to confirm.
    let out = on_terminal(&env, &db, "no", &["run", "--quiet"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stdout(&out).contains("Route:     9.0 -> 10.1 -> 11.0"));
    assert!(stdout(&out).contains("[ ] Announce the maintenance window"));

    let out = on_terminal(&env, &db, "y", &["run"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(version(&db), "11.0");

    // No terminal: no question, exit 2 as always.
    let db2 = env.demo_db("piped.db", "9.0");
    let out = env.sqlite(&demo_package(), &db2, &["run"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(version(&db2), "9.0");
}

/// Output that differs from run to run, replaced so a snapshot changes only when the
/// contract does: the test's directory, run ids, timestamps and backup hashes.
fn stable(v: &mut Value, tmp: &str, key: &str) {
    match v {
        Value::Number(_) if ["copy_time", "downtime"].contains(&key) => {
            *v = Value::String("[seconds]".into());
        }
        Value::String(s) => {
            // The bundled SQLite's version changes with the rusqlite crate.
            let sqlite = format!("SQLite {}", rusqlite::version());
            let mut t = s
                .replace(tmp, "[TMP]")
                .replace(env!("CARGO_MANIFEST_DIR"), "[REPO]")
                .replace(&sqlite, "SQLite [version]")
                .replace(
                    &format!("upwiz {}", env!("CARGO_PKG_VERSION")),
                    "upwiz [version]",
                );
            if key != "checksum" {
                t = replace_tokens(&t);
            }
            *s = t;
        }
        Value::Array(a) => a.iter_mut().for_each(|x| stable(x, tmp, key)),
        Value::Object(m) => m.iter_mut().for_each(|(k, x)| stable(x, tmp, k)),
        _ => {}
    }
}

/// Run ids (20261129T205915979Z-22162), hex digests and durations (0.9s) inside
/// longer strings.
fn replace_tokens(s: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let w = std::mem::take(word);
        let hex = w.len() >= 12 && w.chars().all(|c| c.is_ascii_hexdigit());
        let secs = w.len() > 1
            && w.ends_with('s')
            && w[..w.len() - 1].contains('.')
            && w[..w.len() - 1].parse::<f64>().is_ok();
        let digits = w.chars().filter(char::is_ascii_digit).count();
        let stamp = w.contains('T') && w.ends_with('Z') && digits >= 14;
        let pid = w.chars().all(|c| c.is_ascii_digit()) && out.ends_with("[STAMP]-");
        out.push_str(match () {
            _ if hex => "[HEX]",
            _ if secs => "[n]s",
            _ if stamp => "[STAMP]",
            _ if pid => "[PID]",
            _ => &w,
        });
    };
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let in_number = !word.is_empty() && word.chars().all(|c| c.is_ascii_digit());
        let decimal = c == '.'
            && (in_number || word.contains('T'))
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_alphanumeric() || c == ':' || decimal {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn json_lines(out: &Output, env: &Env) -> Vec<Value> {
    let tmp = env.dir.path().to_str().unwrap().to_string();
    stdout(out)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert_eq!(v["schema"], 1, "every object carries the schema: {l}");
            stable(&mut v, &tmp, "");
            v
        })
        .collect()
}

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::assert_json_snapshot!($name, $value, {
            ".**.time" => "[time]",
            ".**.run_id" => "[run_id]",
            ".**.taken_at" => "[time]",
            ".**.started_at" => "[time]",
            ".**.finished_at" => "[time]",
            ".**.sha256" => "[sha256]",
            ".**.bytes" => "[bytes]",
            ".**.pid" => "[pid]",
            ".**.host" => "[host]",
            ".**.user" => "[user]",
            ".**.seconds" => "[seconds]",
            ".**.elapsed" => "[seconds]",
            ".**.duration" => "[seconds]",
            ".**.server" => "[server]",
        })
    };
}

#[test]
fn json_output_of_every_command_matches_the_contract() {
    let env = Env::new();
    let db = env.demo_db("demo.db", "9.0");
    let pkg = demo_package();
    let json = |args: &[&str], want: i32| {
        let out = env.sqlite(&pkg, &db, args);
        assert_eq!(code(&out), want, "{args:?}: {}", stderr(&out));
        json_lines(&out, &env)
    };
    let plan = json(&["plan", "--json"], 0);
    assert_eq!(plan[0]["pending"], true);
    snap!("plan_pending", &plan[0]);
    snap!("status_pending", &json(&["status", "--json"], 0)[0]);
    snap!("rehearse", &json(&["rehearse", "--json"], 0)[0]);

    let events = json(&["run", "--yes", "--json"], 0);
    let finished = events.last().unwrap();
    assert_eq!(finished["event"], "finished");
    assert!(events.iter().all(|e| e["time"].is_string()));
    let run_id = {
        let out = env.sqlite(&pkg, &db, &["history", "--json"]);
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        v["runs"][1]["run_id"].as_str().unwrap().to_string()
    };
    let out = env.sqlite(&pkg, &db, &["run", "--yes", "--json"]);
    let raw: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(raw.last().unwrap()["outcome"], "nothing_to_do");
    let first = env.sqlite(
        &pkg,
        &env.demo_db("ids.db", "10.1"),
        &["run", "--yes", "--json"],
    );
    let last: Value = serde_json::from_str(stdout(&first).lines().last().unwrap()).unwrap();
    assert!(
        last["run_id"].as_str().is_some_and(|id| id != run_id),
        "the finished event names its own run: {last}"
    );
    snap!("run_events", &events);

    let plan = json(&["plan", "--json"], 0);
    assert_eq!(plan[0]["pending"], false);
    snap!("plan_up_to_date", &plan[0]);
    snap!("status_up_to_date", &json(&["status", "--json"], 0)[0]);
    snap!("backups", &json(&["backups", "--json"], 0)[0]);
    snap!("history", &json(&["history", "--json"], 0)[0]);
    snap!("report", &json(&["report", "--json"], 0)[0]);
    snap!("repair_list", &json(&["repair", "--list", "--json"], 0)[0]);
    // Bad input (exit 2) is one line on stderr and no object, with --json too.
    let refused = json(&["repair", "--abandon-run", "--reason", "x", "--json"], 2);
    assert!(refused.is_empty(), "{refused:?}");
    snap!("unlock_free", &json(&["unlock", "--json"], 0)[0]);
    snap!("restore_dry", &json(&["restore", "--json"], 2)[0]);
    snap!(
        "adopt_refused",
        &json(&["adopt", "--version", "9.0", "--yes", "--json"], 2)[0]
    );
}
