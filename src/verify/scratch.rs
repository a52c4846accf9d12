//! The scratch databases verify makes: `<db>_verify_<id>_<n>` on the scratch server, or
//! files in a directory of verify's own for SQLite. Whatever is left when verify ends
//! (a failed route, a panic, Ctrl-C) is dropped by `Drop`; nothing else on the server
//! is touched.

use std::path::PathBuf;

use crate::db::{self, ConnectSpec, Database, OpenMode};
use crate::rdbms::Rdbms;

/// Where scratch databases go.
#[derive(Debug, Clone)]
pub enum ScratchPlace {
    /// SQLite: a directory (verify works in a new directory inside it).
    Dir(PathBuf),
    /// A server, through a connection to the database the connect string names.
    Server(Box<ConnectSpec>),
}

pub struct Scratches {
    admin: Option<Box<dyn Database>>,
    server: Option<ConnectSpec>,
    /// Verify's own directory: SQLite files, the runs' logs, reports and backups.
    pub dir: PathBuf,
    base: String,
    id: String,
    made: usize,
    live: Vec<String>,
}

impl Scratches {
    /// Connects to the scratch server (or makes the directory); the error says which.
    pub fn open(place: &ScratchPlace) -> Result<Scratches, String> {
        let id = unique_id();
        let (root, admin, server, base) = match place {
            ScratchPlace::Dir(d) => (d.clone(), None, None, String::new()),
            ScratchPlace::Server(spec) => {
                let admin = db::open(spec, OpenMode::Existing).map_err(|e| {
                    format!(
                        "cannot connect to the scratch server {}: {e}",
                        spec.redacted()
                    )
                })?;
                let base = plain(&spec.database_name().unwrap_or_default());
                (
                    std::env::temp_dir(),
                    Some(admin),
                    Some((**spec).clone()),
                    base,
                )
            }
        };
        let dir = root.join(format!("upwiz-verify-{id}"));
        crate::fsutil::private_dir(&dir)
            .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        Ok(Scratches {
            admin,
            server,
            dir,
            base,
            id,
            made: 0,
            live: Vec::new(),
        })
    }

    /// A new empty scratch database (SQLite: a path where install creates one).
    pub fn create(&mut self) -> Result<ConnectSpec, String> {
        self.made += 1;
        let n = self.made;
        match (&mut self.admin, &self.server) {
            (Some(admin), Some(server)) => {
                let name = format!("{}_verify_{}_{n}", self.base, self.id);
                db::create_database(admin.as_mut(), &name).map_err(|e| {
                    e.to_string()
                        .replace("for the rehearsal", "for package verify")
                })?;
                self.live.push(name.clone());
                Ok(server.with_database(&name))
            }
            _ => {
                let path = self.dir.join(format!("verify_{n}.sqlite"));
                self.live.push(path.display().to_string());
                ConnectSpec::parse(Rdbms::Sqlite, &path.display().to_string(), None, None)
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// Drops the scratch database `spec` names.
    pub fn remove(&mut self, spec: &ConnectSpec) -> Result<(), String> {
        let name = match spec.sqlite_path() {
            Some(p) => p.display().to_string(),
            None => spec.database_name().unwrap_or_default(),
        };
        self.live.retain(|n| *n != name);
        self.drop_one(&name)
    }

    fn drop_one(&mut self, name: &str) -> Result<(), String> {
        match &mut self.admin {
            Some(admin) => db::drop_database(admin.as_mut(), name).map_err(|e| {
                format!("the scratch database {name} could not be dropped ({e}); drop it by hand")
            }),
            None => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let p = PathBuf::from(format!("{name}{suffix}"));
                    if p.exists() {
                        std::fs::remove_file(&p).map_err(|e| {
                            format!(
                                "the scratch file {} could not be removed ({e})",
                                p.display()
                            )
                        })?;
                    }
                }
                Ok(())
            }
        }
    }

    /// A directory of its own for one run's log, reports and backups.
    pub fn run_dir(&self, n: usize) -> PathBuf {
        self.dir.join(format!("route-{n}"))
    }

    /// Drops every scratch database still there and removes verify's directory; the
    /// problems, if any.
    pub fn finish(&mut self) -> Vec<String> {
        let mut errors = Vec::new();
        for name in std::mem::take(&mut self.live) {
            if let Err(e) = self.drop_one(&name) {
                errors.push(e);
            }
        }
        if self.dir.exists() {
            if let Err(e) = std::fs::remove_dir_all(&self.dir) {
                errors.push(format!(
                    "the directory {} could not be removed ({e})",
                    self.dir.display()
                ));
            }
        }
        errors
    }
}

impl Drop for Scratches {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// The name reduced to [a-z0-9_], as scratch database names must be, and short enough
/// for every server's identifier limit with the suffix.
fn plain(real: &str) -> String {
    let mut base: String = real
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .take(24)
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert_str(0, "db");
    }
    base
}

fn unique_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{:x}{:04x}",
        now.as_millis() % 0x0100_0000_0000,
        std::process::id() & 0xffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        assert_eq!(plain("Shop-DB"), "shopdb");
        assert_eq!(plain("9x"), "db9x");
        assert!(plain(&"a".repeat(80)).len() <= 24);
    }

    #[test]
    fn sqlite_scratch_files_go_away() {
        let root = std::env::temp_dir().join(format!("upwiz-verify-test-{}", unique_id()));
        let mut s = Scratches::open(&ScratchPlace::Dir(root.clone())).unwrap();
        let spec = s.create().unwrap();
        let path = spec.sqlite_path().unwrap().to_path_buf();
        std::fs::write(&path, b"x").unwrap();
        let dir = s.dir.clone();
        drop(s);
        assert!(!path.exists() && !dir.exists());
        let _ = std::fs::remove_dir_all(root);
    }
}
