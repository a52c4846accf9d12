//! Any manifest text loads into a package or fails with an error naming the file: never
//! a panic. Script paths resolve in a temporary package that holds a few files, so that
//! inputs can get past the path checks to the checks behind them.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn package_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in [
            "a.sql",
            "baseline/sqlite.sql",
            "9.1/sqlite/01.sql",
            "9.1/postgres/01.sql",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "SELECT 1;\n").unwrap();
        }
        dir
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    // The loader refuses non-UTF-8 before parsing; parse() takes text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = package_dir();
    let path = dir.join("upwiz.toml");
    if let Err(e) = upwiz::package::parse(dir, &path, text) {
        let msg = e.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
    }
});
