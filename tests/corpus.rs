//! The bad-input corpus: every case under tests/corpus/<category>/ is one invocation of
//! upwiz with its expected outcome (format: tests/corpus/README.md). Bad input must get
//! exit 2, one `upwiz: ` line on stderr and an untouched database; the few legal cases
//! in the corpus must get their documented outcome. Each category is one test that
//! reports every failing case, not only the first.

mod common;
// The runner lives with the data it runs.
#[path = "corpus/harness/mod.rs"]
mod harness;

use harness::{run_category, DataFile};

#[test]
fn manifests() {
    run_category("manifests", DataFile::Manifest);
}

#[test]
fn scripts() {
    run_category("scripts", DataFile::None);
}

#[test]
fn connect_strings() {
    run_category("connect", DataFile::None);
}

#[test]
fn config_files() {
    run_category("config", DataFile::Config);
}

#[test]
fn cli_arguments() {
    run_category("cli", DataFile::None);
}

/// The README quotes this figure; a shrinking corpus is a regression too.
#[test]
fn corpus_size() {
    let sizes: Vec<String> = harness::CATEGORIES
        .iter()
        .map(|c| format!("{c} {}", harness::count(c)))
        .collect();
    let total: usize = harness::CATEGORIES.iter().map(|c| harness::count(c)).sum();
    println!("bad-input corpus: {total} cases ({})", sizes.join(", "));
    assert!(total >= 60, "the corpus holds only {total} cases");
}
