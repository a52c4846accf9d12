//! The package checksum: what makes "the same package" checkable from one stage to the
//! next. It is the SHA-256 over every file of the package directory (the manifest and
//! every script, hidden files aside), each named by its path inside the package, so a
//! changed, added, removed or renamed script changes it.

use std::path::Path;

use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The checksum of the package in `dir`.
pub fn package_sha256(dir: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    collect(dir, "", &mut files)?;
    files.sort();
    let mut all = Sha256::new();
    for rel in files {
        let bytes = std::fs::read(dir.join(&rel))?;
        all.update(rel.as_bytes());
        all.update([0]);
        all.update(hex(&Sha256::digest(&bytes)).as_bytes());
        all.update(b"\n");
    }
    Ok(hex(&all.finalize()))
}

/// Every regular file under `dir`, as a '/'-separated path below the package root.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        // Followed, as the loader follows them: a linked script is part of the package.
        let meta = std::fs::metadata(entry.path())?;
        if meta.is_dir() {
            collect(&entry.path(), &format!("{rel}/"), out)?;
        } else if meta.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

/// The first characters of a checksum, enough to tell two apart on a screen.
pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_or_renamed_script_changes_it_hidden_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("scripts")).unwrap();
        std::fs::write(dir.path().join("upwiz.toml"), "x").unwrap();
        std::fs::write(dir.path().join("scripts/a.sql"), "select 1;").unwrap();
        let first = package_sha256(dir.path()).unwrap();
        assert_eq!(first.len(), 64);
        std::fs::write(dir.path().join(".notes"), "n").unwrap();
        assert_eq!(package_sha256(dir.path()).unwrap(), first);
        std::fs::write(dir.path().join("scripts/a.sql"), "select 2;").unwrap();
        let changed = package_sha256(dir.path()).unwrap();
        assert_ne!(changed, first);
        std::fs::rename(
            dir.path().join("scripts/a.sql"),
            dir.path().join("scripts/b.sql"),
        )
        .unwrap();
        assert_ne!(package_sha256(dir.path()).unwrap(), changed);
    }
}
