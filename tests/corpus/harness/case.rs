//! What a case says: found on disk, read into one `Spec` whatever form it was written in.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// How a category uses a case that is a plain file rather than a `.case` or a directory.
#[derive(Clone, Copy)]
pub enum DataFile {
    /// The file becomes `{pkg}/upwiz.toml`; upwiz runs `run --yes` against `{db}`.
    Manifest,
    /// The file is given with `--config`; upwiz runs `status` against `{db}`.
    Config,
    /// The category has no plain-file cases.
    None,
}

/// A case, however it was written down.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The arguments after `upwiz`; `{pkg}`, `{db}`, `{tmp}` and `{file}` are replaced.
    pub args: Vec<String>,
    /// `exit N` or `exit N: fragment`.
    pub expect: String,
    /// What `{db}` is: a copy of the 9.0 demo database, or a new PostgreSQL database.
    #[serde(default)]
    pub database: Database,
    /// Text that must appear nowhere: not in stdout, stderr or UPGRADE.LOG.
    #[serde(default)]
    pub absent: Vec<String>,
    /// For a legal outcome that must not change anything either (a plan, a status).
    #[serde(default)]
    pub unchanged: bool,
    /// Commands run afterwards in the same sandbox, e.g. status after a failed run.
    #[serde(default)]
    pub then: Vec<Then>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Then {
    pub args: Vec<String>,
    pub expect: String,
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Database {
    #[default]
    Sqlite,
    Postgres,
}

pub struct Expect {
    pub exit: i32,
    pub fragment: Option<String>,
}

impl Expect {
    pub fn parse(s: &str) -> Result<Expect, String> {
        let rest = s
            .trim()
            .strip_prefix("exit ")
            .ok_or_else(|| format!("expectation '{s}' does not start with 'exit '"))?;
        let (n, fragment) = match rest.split_once(':') {
            Some((n, f)) => (n, Some(f.trim().to_string())),
            None => (rest, None),
        };
        let exit = n
            .trim()
            .parse()
            .map_err(|_| format!("bad exit code in '{s}'"))?;
        Ok(Expect { exit, fragment })
    }
}

/// A case found on disk.
pub enum Source {
    /// A plain file, used as the category's `DataFile` says, and its expectation.
    Data(PathBuf, String),
    /// A `NAME.case` file: a spec.
    Spec(PathBuf),
    /// A directory: a package laid over the category's `_package/`, with its spec in
    /// `case.toml`.
    Package(PathBuf),
}

pub fn corpus_dir(category: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(category)
}

/// The cases of a category, sorted by name. Names starting with `_` or `.` are
/// support files, and `.expect` files are sidecars.
pub fn discover(category: &str) -> Vec<(String, Source)> {
    let dir = corpus_dir(category);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut cases = Vec::new();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(['_', '.']) || name.ends_with(".expect") {
            continue;
        }
        let source = if p.is_dir() {
            Source::Package(p)
        } else if name.ends_with(".case") {
            Source::Spec(p)
        } else {
            let expect = data_expectation(&p).unwrap_or_else(|| {
                panic!(
                    "{}: no '# expect:' first line and no .expect sidecar",
                    p.display()
                )
            });
            Source::Data(p, expect)
        };
        cases.push((format!("{category}/{name}"), source));
    }
    cases
}

/// The `expect:` line of a plain file: its first line (after `#` or `--`), or any line
/// of its `.expect` sidecar, for files that must stay byte-exact (empty, binary).
fn data_expectation(file: &Path) -> Option<String> {
    let sidecar = PathBuf::from(format!("{}.expect", file.display()));
    let (bytes, lines) = match std::fs::read(&sidecar) {
        Ok(b) => (b, usize::MAX),
        Err(_) => (std::fs::read(file).unwrap(), 1),
    };
    String::from_utf8_lossy(&bytes)
        .lines()
        .take(lines)
        .find_map(|line| {
            let l = line.trim_start_matches('#').trim_start_matches("--").trim();
            l.strip_prefix("expect:").map(|e| e.trim().to_string())
        })
}

/// The case as a spec, and the package directory to use instead of the demo's, if any.
pub fn spec(data: DataFile, source: &Source) -> Result<(Spec, Option<PathBuf>), String> {
    let read = |p: &Path| -> Result<Spec, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let on_demo_db = |extra: &[&str], command: &[&str]| -> Vec<String> {
        let target = [
            "--package",
            "{pkg}",
            "--rdbms",
            "sqlite",
            "--connect",
            "{db}",
        ];
        extra
            .iter()
            .chain(&target)
            .chain(command)
            .map(|s| s.to_string())
            .collect()
    };
    Ok(match source {
        Source::Spec(p) => (read(p)?, None),
        Source::Package(dir) => (read(&dir.join("case.toml"))?, Some(dir.clone())),
        Source::Data(_, expect) => {
            let args = match data {
                DataFile::Manifest => on_demo_db(&[], &["run", "--yes"]),
                DataFile::Config => on_demo_db(&["--config", "{file}"], &["status"]),
                DataFile::None => return Err("this category has no plain-file cases".into()),
            };
            let spec = Spec {
                args,
                expect: expect.clone(),
                database: Database::Sqlite,
                absent: Vec::new(),
                unchanged: false,
                then: Vec::new(),
            };
            (spec, None)
        }
    })
}
