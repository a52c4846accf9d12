//! Whatever a manifest or config file holds, its loader returns: it never panics, and an
//! error always names the file, so the operator knows which file to fix. A manifest it
//! accepts is consistent. A script made of vendor-style pieces is read into statements
//! that never carry transaction control upwiz took over, or refused with file and line.
//! (The SQL splitter has its own properties in src/sql.)

mod common;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use upwiz::rdbms::Rdbms;
use upwiz::sql::TxnControl;

fn demo_manifest() -> String {
    std::fs::read_to_string(common::demo_package().join("upwiz.toml")).unwrap()
}

fn example_config() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("config.example.toml")).unwrap()
}

/// Text near a real file: its lines, some dropped, repeated, cut short or spliced with
/// random text. Uniform noise rarely gets past the TOML parser; this reaches the checks
/// behind it (versions, releases, script paths, tests).
fn mutated(original: String) -> impl Strategy<Value = String> {
    let lines: Vec<String> = original.lines().map(str::to_string).collect();
    let n = lines.len();
    prop::collection::vec((0..n, 0u8..5, "\\PC{0,12}"), 0..12).prop_map(move |edits| {
        let mut out = lines.clone();
        for (at, how, noise) in edits {
            let at = at.min(out.len().saturating_sub(1));
            if out.is_empty() {
                out.push(noise);
                continue;
            }
            match how {
                0 => {
                    out.remove(at);
                }
                1 => {
                    let copy = out[at].clone();
                    out.insert(at, copy);
                }
                2 => {
                    let cut = out[at]
                        .char_indices()
                        .nth(noise.len())
                        .map_or(0, |(i, _)| i);
                    out[at].truncate(cut);
                }
                3 => out[at].push_str(&noise),
                _ => out.insert(at, noise),
            }
        }
        out.join("\n")
    })
}

fn manifest_path() -> (PathBuf, PathBuf) {
    let dir = common::demo_package();
    let path = dir.join("corpus-upwiz.toml");
    (dir, path)
}

fn check_manifest(text: &str) -> Result<(), TestCaseError> {
    let (dir, path) = manifest_path();
    match upwiz::package::parse(&dir, &path, text) {
        Ok(p) => {
            prop_assert!(!p.releases.is_empty());
            prop_assert!(p.releases.windows(2).all(|w| w[0].version < w[1].version));
            let known = |v| p.releases.iter().any(|r| &r.version == v);
            prop_assert!(p.policy.required_stops.iter().all(known));
            prop_assert!(p.baselines.iter().all(|b| known(&b.version)));
            prop_assert!(p
                .policy
                .max_major_jump
                .is_none_or(|j| (1..=1000).contains(&j)));
        }
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(msg.contains(&path.display().to_string()), "{}", msg);
        }
    }
    Ok(())
}

fn check_config(bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new("/etc/upwiz/corpus-config.toml");
    if let Err(e) = upwiz::config::parse(path, bytes) {
        let msg = e.to_string();
        prop_assert!(msg.contains("/etc/upwiz/corpus-config.toml"), "{}", msg);
    }
    Ok(())
}

/// Statements as vendors write them, transaction control and bodies included.
const PIECES: &[&str] = &[
    "BEGIN;",
    "BEGIN TRANSACTION;",
    "START TRANSACTION;",
    "COMMIT;",
    "END;",
    "ROLLBACK;",
    "SAVEPOINT a;",
    "ROLLBACK TO SAVEPOINT a;",
    "SET autocommit = 0;",
    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
    "UPDATE t SET begin_at = 1;",
    "INSERT INTO t VALUES ('COMMIT;');",
    "-- COMMIT;",
    "DO $$ BEGIN PERFORM 1; COMMIT; END $$;",
    "CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;",
    "\n",
    "\0",
];

fn check_script(rdbms: Rdbms, text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vendor.sql");
    std::fs::write(&path, text).unwrap();
    match upwiz::package::read_script(&path, rdbms) {
        Ok(script) => {
            let mut lines: Vec<usize> = script
                .statements
                .iter()
                .chain(&script.taken_over)
                .map(|s| s.line)
                .collect();
            lines.sort();
            let split: Vec<usize> = upwiz::sql::split(rdbms, text)
                .unwrap()
                .iter()
                .map(|s| s.line)
                .collect();
            prop_assert_eq!(lines, split);
            for s in &script.statements {
                let kind = upwiz::sql::classify(rdbms, &s.sql);
                prop_assert!(
                    matches!(
                        kind,
                        None | Some(TxnControl::Savepoint | TxnControl::Characteristics)
                    ),
                    "{:?} sent: {}",
                    kind,
                    s.sql
                );
            }
        }
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(msg.contains(&path.display().to_string()), "{}", msg);
            prop_assert!(msg.contains("line "), "{}", msg);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn a_vendor_script_is_read_without_its_transaction_control_or_refused_by_line(
        picks in prop::collection::vec(0..PIECES.len(), 0..14)
    ) {
        let text: String = picks.iter().map(|&i| format!("{}\n", PIECES[i])).collect();
        for rdbms in Rdbms::ALL {
            check_script(rdbms, &text)?;
        }
    }

    #[test]
    fn any_text_is_a_manifest_or_a_located_error(text in "\\PC*") {
        check_manifest(&text)?;
    }

    #[test]
    fn a_damaged_manifest_is_accepted_consistently_or_rejected_by_name(
        text in mutated(demo_manifest())
    ) {
        check_manifest(&text)?;
    }

    #[test]
    fn any_bytes_are_a_config_or_a_located_error(
        bytes in prop::collection::vec(any::<u8>(), 0..400)
    ) {
        check_config(&bytes)?;
    }

    #[test]
    fn a_damaged_config_is_accepted_or_rejected_by_name(text in mutated(example_config())) {
        check_config(text.as_bytes())?;
    }
}
