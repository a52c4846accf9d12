//! Runs the cases of one corpus category: each in a sandbox of its own, against a copy of
//! one template database installed once per category. The format of a case is described
//! in README.md next to the categories.

mod case;
mod sandbox;

use std::path::Path;
use std::process::Output;

pub use case::DataFile;
use case::{Expect, Source};
use sandbox::Sandbox;

use crate::common::{code, demo_package, stderr, stdout, Env};

pub const CATEGORIES: [&str; 5] = ["manifests", "scripts", "connect", "config", "cli"];

pub fn count(category: &str) -> usize {
    case::discover(category).len()
}

/// Runs every case of `category`; panics listing every case that failed, and how.
pub fn run_category(category: &str, data: DataFile) {
    let env = Env::new();
    let template = env.demo_db("template.db", "9.0");
    let cases = case::discover(category);
    let mut failures = Vec::new();
    for (name, source) in &cases {
        if let Err(problems) = run_case(&env, &template, data, source) {
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {category} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!(
        "bad-input corpus, {category}: {} cases, all passed",
        cases.len()
    );
}

fn run_case(
    env: &Env,
    template: &Path,
    data: DataFile,
    source: &Source,
) -> Result<(), Vec<String>> {
    let (spec, package) = case::spec(data, source).map_err(|e| vec![e])?;
    let expect = Expect::parse(&spec.expect).map_err(|e| vec![e])?;
    let mut sb = match &package {
        Some(dir) => {
            // A package case: the category's shared files, then the case's own.
            let shared = dir.parent().unwrap().join("_package");
            let sb = Sandbox::new(&shared, template, &spec.database);
            crate::common::copy_package(dir, &sb.root().join("pkg"));
            sb
        }
        None => Sandbox::new(&demo_package(), template, &spec.database),
    };
    if let Source::Data(file, _) = source {
        let copy = sb.add_file(file);
        if let DataFile::Manifest = data {
            std::fs::rename(copy, sb.root().join("pkg/upwiz.toml")).unwrap();
        }
    }

    let before = sb.snapshot();
    let args = sb.args(&spec.args);
    let out = upwiz(env, &args);
    let mut problems = check(&expect, &out, &args);
    if expect.exit == 2 || spec.unchanged {
        problems.extend(sandbox::changes(&before, &sb.snapshot()));
    }
    let texts = [
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        ("UPGRADE.LOG", env.log()),
    ];
    for secret in &spec.absent {
        for (what, text) in &texts {
            if text.contains(secret.as_str()) {
                problems.push(format!("'{secret}' appears in {what}"));
            }
        }
    }
    for then in &spec.then {
        let expect = Expect::parse(&then.expect).map_err(|e| vec![e])?;
        let args = sb.args(&then.args);
        problems.extend(check(&expect, &upwiz(env, &args), &args));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn upwiz(env: &Env, args: &[String]) -> Output {
    env.upwiz(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The outcome contract: the exit code, no panic, stderr lines that start with
/// `upwiz: ` (exactly one for bad input), and the expected fragment where it belongs.
/// When anything is wrong, the last entry shows the command and its output.
fn check(expect: &Expect, out: &Output, args: &[String]) -> Vec<String> {
    let (so, se) = (stdout(out), stderr(out));
    let mut problems = Vec::new();
    if code(out) != expect.exit {
        problems.push(format!("exit {} instead of {}", code(out), expect.exit));
    }
    if so.contains("panicked") || se.contains("panicked") || se.contains("RUST_BACKTRACE") {
        problems.push("a panic".into());
    }
    let lines: Vec<&str> = se.lines().collect();
    if expect.exit == 2 && lines.len() != 1 {
        problems.push(format!("{} lines on stderr instead of 1", lines.len()));
    }
    if let Some(l) = lines.iter().find(|l| !l.starts_with("upwiz: ")) {
        problems.push(format!("a stderr line without 'upwiz: ': {l}"));
    }
    if let Some(f) = &expect.fragment {
        let (what, text) = if expect.exit == 0 {
            ("stdout", &so)
        } else {
            ("stderr", &se)
        };
        if !text.contains(f.as_str()) {
            problems.push(format!("'{f}' not in {what}"));
        }
    }
    if !problems.is_empty() {
        let indent = |t: &str| t.trim_end().replace('\n', "\n        ");
        problems.push(format!(
            "ran upwiz {args:?}\n      stdout:\n        {}\n      stderr:\n        {}",
            indent(&so),
            indent(&se)
        ));
    }
    problems
}
