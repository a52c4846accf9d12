//! A directory of its own for each case: a copy of the package, a copy of the template
//! database (or a new server database), a few odd files, and a way to prove that none
//! of it changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use upwiz::rdbms::Rdbms;

use super::case::Database;
use crate::common::copy_package;
use crate::common::servers::TempDb;

pub struct Sandbox {
    dir: tempfile::TempDir,
    db: String,
    /// The PostgreSQL database `{db}` names, dropped with the sandbox.
    server_db: Option<TempDb>,
    /// The plain file under test, once copied in.
    file: Option<PathBuf>,
}

impl Sandbox {
    pub fn new(package: &Path, template: &Path, database: &Database) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy_package(package, &root.join("pkg"));
        // Odd things for connect strings and flags to point at.
        std::fs::write(root.join("empty.db"), b"").unwrap();
        std::fs::write(root.join("notes.txt"), "notes, not a database\n".repeat(50)).unwrap();
        std::fs::create_dir(root.join("adir")).unwrap();
        let (db, server_db) = match database {
            Database::Sqlite => {
                let db = root.join("demo.db");
                std::fs::copy(template, &db).unwrap();
                (db.display().to_string(), None)
            }
            Database::Postgres => {
                let t = TempDb::new(Rdbms::Postgres);
                t.execute("CREATE TABLE lattice_version (version VARCHAR(20) NOT NULL)");
                t.execute("INSERT INTO lattice_version VALUES ('9.0')");
                (t.url(), Some(t))
            }
        };
        Sandbox {
            dir,
            db,
            server_db,
            file: None,
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Copies the plain file under test in, keeping its name (messages quote it).
    pub fn add_file(&mut self, file: &Path) -> PathBuf {
        let dest = self.root().join(file.file_name().unwrap());
        std::fs::copy(file, &dest).unwrap();
        self.file = Some(dest.clone());
        dest
    }

    /// `args` with the placeholders replaced.
    pub fn args(&self, args: &[String]) -> Vec<String> {
        let pkg = self.root().join("pkg").display().to_string();
        let tmp = self.root().display().to_string();
        let file = self.file.as_ref().map(|f| f.display().to_string());
        args.iter()
            .map(|a| {
                let a = a
                    .replace("{pkg}", &pkg)
                    .replace("{db}", &self.db)
                    .replace("{tmp}", &tmp);
                match &file {
                    Some(f) => a.replace("{file}", f),
                    None => a,
                }
            })
            .collect()
    }

    /// Every file in the sandbox with its bytes, and the server database's tables and
    /// rows: equal snapshots mean nothing was changed, created or removed.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        walk(self.root(), self.root(), &mut files);
        if let Some(t) = &self.server_db {
            let tables = t.scalar(
                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = current_schema()",
            );
            files.insert("<server tables>".into(), tables.into_bytes());
            files.insert("<server rows>".into(), t.dump().join("\n").into_bytes());
        }
        files
    }
}

/// What differs between two snapshots, one line per file.
pub fn changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in after {
        match before.get(path) {
            None => out.push(format!("{path} was created")),
            Some(b) if b != bytes => out.push(format!("{path} changed")),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        out.push(format!("{path} was removed"));
    }
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        if p.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            walk(root, &p, out);
        } else {
            out.insert(rel, std::fs::read(&p).unwrap_or_default());
        }
    }
}
