//! The demo package (assets/demo) built into the binary, so that an installed or copied
//! binary has it without the source checkout. It is unpacked into the state directory
//! on first use and again whenever the built-in copy differs from what was unpacked.

use std::io;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use sha2::{Digest, Sha256};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// Written last into an unpacked copy: the checksum of the built-in files it holds.
const STAMP: &str = ".upwiz-demo.sha256";

/// Where the demo is unpacked: `demo/package` in the platform state directory.
pub fn package_dir() -> PathBuf {
    crate::paths::default_state_dir()
        .join("demo")
        .join("package")
}

/// Every built-in file as (path relative to the package, contents), sorted by path.
pub fn files() -> Vec<(&'static Path, &'static [u8])> {
    fn walk(d: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static [u8])>) {
        for f in d.files() {
            out.push((f.path(), f.contents()));
        }
        for sub in d.dirs() {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&DEMO, &mut out);
    out.sort_by_key(|(p, _)| *p);
    out
}

/// SHA-256 over the built-in files' paths and contents, in hex.
pub fn checksum() -> String {
    let mut h = Sha256::new();
    for (path, bytes) in files() {
        let p = path.to_string_lossy();
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes `dir` hold the built-in demo, unless it already holds this build's copy.
/// The copy is written beside `dir` and renamed into place, so a crash or a second
/// upwiz unpacking at the same time never leaves a half-written package behind.
pub fn unpack(dir: &Path) -> io::Result<()> {
    let sum = checksum();
    if is_current(dir, &sum) {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    crate::fsutil::private_dir(parent)?;
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let fresh = parent.join(format!(".package-new-{unique}"));
    let written = write_all(&fresh, &sum);
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(e);
    }
    if dir.exists() {
        let old = parent.join(format!(".package-old-{unique}"));
        if std::fs::rename(dir, &old).is_ok() {
            let _ = std::fs::remove_dir_all(&old);
        }
    }
    match std::fs::rename(&fresh, dir) {
        Ok(()) => Ok(()),
        // Another upwiz put its copy there first; the same build's copy is as good.
        Err(_) if is_current(dir, &sum) => {
            let _ = std::fs::remove_dir_all(&fresh);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&fresh);
            Err(e)
        }
    }
}

fn is_current(dir: &Path, sum: &str) -> bool {
    std::fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s.trim() == sum)
}

fn write_all(dir: &Path, sum: &str) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (path, bytes) in files() {
        let dest = dir.join(path);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(&dest, bytes)?;
    }
    std::fs::write(dir.join(STAMP), format!("{sum}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in copy is the checkout's assets/demo, file for file.
    #[test]
    fn the_built_in_demo_is_assets_demo() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
        let built_in = files();
        assert!(built_in.iter().any(|(p, _)| *p == Path::new("upwiz.toml")));
        let mut on_disk = Vec::new();
        fn walk(d: &Path, root: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, root, out);
                } else {
                    out.push(p.strip_prefix(root).unwrap().to_path_buf());
                }
            }
        }
        walk(&root, &root, &mut on_disk);
        on_disk.sort();
        let names: Vec<PathBuf> = built_in.iter().map(|(p, _)| p.to_path_buf()).collect();
        assert_eq!(names, on_disk, "rebuild after adding files to assets/demo");
        for (p, bytes) in built_in {
            assert_eq!(
                std::fs::read(root.join(p)).unwrap(),
                bytes,
                "{}",
                p.display()
            );
        }
    }

    #[test]
    fn unpacks_once_loads_and_replaces_a_changed_copy() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo/package");
        unpack(&dir).unwrap();
        let package = crate::package::load(&dir).unwrap();
        assert_eq!(package.newest().to_string(), "11.0");

        // Unchanged: left alone (an operator's note survives).
        std::fs::write(dir.join("note"), "kept").unwrap();
        unpack(&dir).unwrap();
        assert!(dir.join("note").exists());

        // Another build's copy (a different checksum) is replaced whole.
        std::fs::write(dir.join(STAMP), "an older build\n").unwrap();
        std::fs::write(dir.join("upwiz.toml"), "broken").unwrap();
        unpack(&dir).unwrap();
        assert!(!dir.join("note").exists());
        crate::package::load(&dir).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("package")],
            "no temporary copies left"
        );
    }
}
