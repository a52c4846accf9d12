//! The SHA-256 of a backup, computed on a thread of its own while the backup is being
//! verified: both read the finished file, and neither has to wait for the other.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

/// The SHA-256 of a file, in hex; read in blocks, so a dump of any size fits.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 18];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Copies `from` into `to` to its end, hashing what passes: (bytes, SHA-256 in hex).
pub fn copy_hashing(
    mut from: impl Read,
    mut to: impl std::io::Write,
) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 18];
    let mut bytes = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    to.flush()?;
    Ok((bytes, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts hashing `path`, which nothing writes to any more.
pub fn start(path: &Path) -> Hashing {
    let path: PathBuf = path.to_path_buf();
    Hashing(std::thread::spawn(move || sha256_file(&path)))
}

pub struct Hashing(JoinHandle<std::io::Result<String>>);

impl Hashing {
    /// The hash, or None when it could not be computed (the caller hashes the file
    /// again and says why that fails).
    pub fn finish(self) -> Option<String> {
        self.0.join().ok().and_then(Result::ok)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_copy_hashes_what_it_writes() {
        let mut out = Vec::new();
        let (n, sha) = super::copy_hashing(&b"abc"[..], &mut out).unwrap();
        assert_eq!((n, out.as_slice()), (3, &b"abc"[..]));
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_hash_on_a_thread_is_the_files_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(
            super::start(&p).finish().as_deref(),
            Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
    }
}
