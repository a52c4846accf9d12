//! Reads `upwiz.toml` and checks it, so that every later stage works from a consistent package.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::error::{position, utf8_error_line, PackageError};
use super::manifest::*;
use super::model::*;
use super::per_rdbms::PerRdbms;
use super::script::read_script_with;
use super::version::Version;
use crate::rdbms::Rdbms;

pub const MANIFEST: &str = "upwiz.toml";

/// Loads and validates the package in `dir`.
pub fn load(dir: &Path) -> Result<Package, PackageError> {
    if dir.is_file() {
        return Err(PackageError::NotADirectory(dir.to_path_buf()));
    }
    if !dir.is_dir() {
        return Err(PackageError::DirMissing(dir.to_path_buf()));
    }
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        return Err(PackageError::ManifestMissing(dir.to_path_buf()));
    }
    let bytes = std::fs::read(&path).map_err(|source| PackageError::Unreadable {
        path: path.clone(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| PackageError::NotUtf8 {
        path: path.clone(),
        line: utf8_error_line(&bytes, &e),
    })?;
    parse(dir, &path, text)
}

/// Validates manifest text; `dir` is where script paths are resolved.
pub fn parse(dir: &Path, path: &Path, text: &str) -> Result<Package, PackageError> {
    let real_dir = std::fs::canonicalize(dir).ok();
    let cx = Cx {
        dir,
        real_dir: real_dir.as_deref(),
        path,
        text,
    };
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        cx.err(span, e.message().trim_end().to_string())
    })?;
    cx.build(raw)
}

struct Cx<'a> {
    dir: &'a Path,
    /// `dir` with symbolic links resolved, which every script must resolve inside.
    real_dir: Option<&'a Path>,
    path: &'a Path,
    text: &'a str,
}

impl Cx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> PackageError {
        let (line, column) = position(self.text, span.start);
        PackageError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    fn version(&self, s: &Spanned<String>) -> Result<Version, PackageError> {
        s.get_ref()
            .parse()
            .map_err(|e: super::version::BadVersion| self.err(s.span(), e.to_string()))
    }

    fn nonempty(&self, s: &Spanned<String>, what: &str) -> Result<String, PackageError> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return Err(self.err(s.span(), format!("{what} is empty")));
        }
        Ok(v.to_string())
    }

    /// A script path must stay inside the package and name an existing file.
    fn file(&self, s: &Option<Spanned<String>>) -> Result<Option<PathBuf>, PackageError> {
        let Some(s) = s else { return Ok(None) };
        let rel = Path::new(s.get_ref());
        if s.get_ref().trim().is_empty() {
            return Err(self.err(s.span(), "the script path is empty"));
        }
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            return Err(self.err(
                s.span(),
                format!(
                    "script path '{}' leaves the package directory; give a path relative to it",
                    s.get_ref()
                ),
            ));
        }
        let full = self.dir.join(rel);
        // metadata, not open: opening a FIFO would wait for a writer.
        let meta = match std::fs::metadata(&full) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.err(
                    s.span(),
                    format!("script file '{}' does not exist", full.display()),
                ))
            }
            Err(e) => {
                return Err(self.err(
                    s.span(),
                    format!("cannot read script file '{}': {e}", full.display()),
                ))
            }
        };
        if meta.is_dir() {
            return Err(self.err(
                s.span(),
                format!("script path '{}' is a directory, not a file", s.get_ref()),
            ));
        }
        if !meta.is_file() {
            return Err(self.err(
                s.span(),
                format!(
                    "script path '{}' is not a regular file (a FIFO, device or socket); a script must be a plain file in the package",
                    s.get_ref()
                ),
            ));
        }
        // A symbolic link may point anywhere; what runs, and what plan --sql prints, must
        // be the package's own files.
        let inside = match (self.real_dir, std::fs::canonicalize(&full)) {
            (Some(dir), Ok(real)) => real.starts_with(dir),
            _ => false,
        };
        if !inside {
            return Err(self.err(
                s.span(),
                format!(
                    "script path '{}' is a symbolic link to a file outside the package directory; copy the file into the package instead",
                    s.get_ref()
                ),
            ));
        }
        Ok(Some(full))
    }

    fn files(
        &self,
        sqlite: &Option<Spanned<String>>,
        postgres: &Option<Spanned<String>>,
        mysql: &Option<Spanned<String>>,
    ) -> Result<ScriptFiles, PackageError> {
        Ok(ScriptFiles {
            sqlite: self.file(sqlite)?,
            postgres: self.file(postgres)?,
            mysql: self.file(mysql)?,
        })
    }

    fn build(&self, raw: RawManifest) -> Result<Package, PackageError> {
        if raw.product.name.trim().is_empty() {
            return Err(self.err(0..0, "[product] name is empty"));
        }
        let releases = self.releases(&raw.release)?;
        let known: BTreeSet<&Version> = releases.iter().map(|r| &r.version).collect();

        let mut required_stops = Vec::new();
        for stop in &raw.policy.required_stops {
            let v = self.version(stop)?;
            if !known.contains(&v) {
                return Err(self.err(
                    stop.span(),
                    format!("required stop {v} is not one of the releases"),
                ));
            }
            required_stops.push(v);
        }
        let max_major_jump = match &raw.policy.max_major_jump {
            None => None,
            Some(j) if *j.get_ref() >= 1 && *j.get_ref() <= 1000 => Some(*j.get_ref() as u32),
            Some(j) => {
                return Err(self.err(
                    j.span(),
                    "max_major_jump must be a whole number from 1 to 1000",
                ))
            }
        };

        let mut baselines = Vec::new();
        for b in &raw.baseline {
            let version = self.version(&b.version)?;
            if !known.contains(&version) {
                return Err(self.err(
                    b.version.span(),
                    format!("baseline version {version} is not one of the releases"),
                ));
            }
            let files = self.files(&b.sqlite, &b.postgres, &b.mysql)?;
            if files.sqlite.is_none() && files.postgres.is_none() && files.mysql.is_none() {
                return Err(self.err(
                    b.version.span(),
                    "a baseline needs a file for at least one of sqlite, postgres or mysql",
                ));
            }
            baselines.push(Baseline { version, files });
        }

        let mut items = Vec::new();
        for it in &raw.items {
            let release = self.version(&it.release)?;
            if !known.contains(&release) {
                return Err(self.err(
                    it.release.span(),
                    format!("per-item step release {release} is not one of the releases"),
                ));
            }
            let files = self.files(&it.sqlite, &it.postgres, &it.mysql)?;
            if files.sqlite.is_none() && files.postgres.is_none() && files.mysql.is_none() {
                return Err(self.err(
                    it.name.span(),
                    "a per-item step needs a script file for at least one of sqlite, postgres or mysql",
                ));
            }
            items.push(ItemStep {
                name: self.nonempty(&it.name, "the per-item step name")?,
                release,
                query: it.query.clone(),
                files,
            });
        }
        self.unique(raw.items.iter().map(|i| &i.name), "per-item step")?;

        let (detect, record, version_store) = self.version_store(&raw.version)?;
        let preflight = self.checks(&raw.preflight, "preflight check")?;
        let violation_checks = self.checks(&raw.violations.check, "violation check")?;
        let tests = self.tests(&raw.test)?;
        let maintenance = raw
            .maintenance
            .map(|m| m.validate(|span, message| self.err(span, message)))
            .transpose()?;

        Ok(Package {
            dir: self.dir.to_path_buf(),
            manifest_path: self.path.to_path_buf(),
            product: Product {
                name: raw.product.name.trim().to_string(),
                vendor: raw.product.vendor,
                downtime: raw.product.downtime,
            },
            detect,
            record,
            version_store,
            policy: Policy {
                required_stops,
                max_major_jump,
            },
            baselines,
            releases,
            preflight,
            builtin_violations: raw.violations.builtin,
            violation_checks,
            items,
            tests,
            checklist: raw.checklist.into_iter().map(|c| c.text).collect(),
            after: raw.after.into_iter().map(|c| c.text).collect(),
            maintenance,
        })
    }

    fn releases(&self, raw: &[RawRelease]) -> Result<Vec<Release>, PackageError> {
        if raw.is_empty() {
            return Err(self.err(
                self.text.len()..self.text.len(),
                "the package has no [[release]]; list at least the base release",
            ));
        }
        let mut out: Vec<Release> = Vec::new();
        for r in raw {
            let version = self.version(&r.version)?;
            if let Some(prev) = out.last() {
                if version == prev.version {
                    return Err(self.err(
                        r.version.span(),
                        format!("release {version} is listed twice"),
                    ));
                }
                if version < prev.version {
                    return Err(self.err(
                        r.version.span(),
                        format!(
                            "release {version} comes after {}; list releases in ascending order",
                            prev.version
                        ),
                    ));
                }
            }
            self.unique(r.script.iter().map(|s| &s.name), "script")?;
            let mut scripts = Vec::new();
            for s in &r.script {
                let files = self.files(&s.sqlite, &s.postgres, &s.mysql)?;
                let nothing_on = self.nothing_on(s, &files)?;
                if files.sqlite.is_none()
                    && files.postgres.is_none()
                    && files.mysql.is_none()
                    && nothing_on.is_empty()
                {
                    return Err(self.err(
                        s.name.span(),
                        "a script needs a file for at least one of sqlite, postgres or mysql (or nothing_on = [...] naming the RDBMSes it has nothing to do on)",
                    ));
                }
                let name = self.nonempty(&s.name, "the script name")?;
                if name.contains('/') {
                    return Err(self.err(s.name.span(), "a script name cannot contain '/'"));
                }
                if !s.transactional {
                    self.no_transaction_control(&files)?;
                }
                scripts.push(Script {
                    name,
                    files,
                    transactional: s.transactional,
                    nothing_on,
                });
            }
            out.push(Release {
                version,
                title: r.title.clone(),
                scripts,
                columns: r.columns.clone(),
            });
        }
        Ok(out)
    }

    /// `[version]`: the package's detect and record queries, or `store = "upwiz"`
    /// and neither.
    fn version_store(
        &self,
        raw: &Spanned<RawVersionSql>,
    ) -> Result<(Sql, Sql, VersionStore), PackageError> {
        let v = raw.get_ref();
        if let Some(store) = &v.store {
            if store.get_ref() != "upwiz" {
                return Err(self.err(
                    store.span(),
                    format!(
                        "[version] store = \"{}\": the only store is \"upwiz\" (upwiz keeps the version in its own table); or remove store and give detect and record",
                        store.get_ref()
                    ),
                ));
            }
            if let Some(q) = v.detect.as_ref().or(v.record.as_ref()) {
                return Err(self.err(
                    q.span(),
                    "[version] store = \"upwiz\" cannot go with detect or record: with store, upwiz keeps the version itself; remove detect and record, or remove store",
                ));
            }
            let none = || PerRdbms::Each {
                sqlite: None,
                postgres: None,
                mysql: None,
            };
            return Ok((none(), none(), VersionStore::Upwiz));
        }
        let missing = |what: &str| {
            self.err(
                raw.span(),
                format!(
                    "missing field `{what}` in [version]: give both detect and record queries, or store = \"upwiz\" to let upwiz keep the version"
                ),
            )
        };
        let detect = v.detect.as_ref().ok_or_else(|| missing("detect"))?;
        let record = v.record.as_ref().ok_or_else(|| missing("record"))?;
        Ok((
            detect.get_ref().clone(),
            record.get_ref().clone(),
            VersionStore::Queries,
        ))
    }

    /// `nothing_on`: known RDBMS names, each at most once, none with a file as well.
    fn nothing_on(&self, s: &RawScript, files: &ScriptFiles) -> Result<Vec<Rdbms>, PackageError> {
        let mut out = Vec::new();
        for name in &s.nothing_on {
            let Some(rdbms) = Rdbms::ALL
                .into_iter()
                .find(|r| r.key() == name.get_ref().trim())
            else {
                return Err(self.err(
                    name.span(),
                    format!(
                        "nothing_on: unknown RDBMS '{}': expected sqlite, postgres or mysql",
                        name.get_ref()
                    ),
                ));
            };
            if out.contains(&rdbms) {
                return Err(self.err(
                    name.span(),
                    format!("nothing_on lists {} twice", rdbms.key()),
                ));
            }
            if files.get(rdbms).is_some() {
                return Err(self.err(
                    name.span(),
                    format!(
                        "script '{}' has a {key} file and lists {key} in nothing_on; give one or the other",
                        s.name.get_ref(),
                        key = rdbms.key()
                    ),
                ));
            }
            out.push(rdbms);
        }
        Ok(out)
    }

    /// A script upwiz runs outside any transaction cannot have its BEGIN/COMMIT taken
    /// over, so it is refused now rather than when a run reaches it.
    fn no_transaction_control(&self, files: &ScriptFiles) -> Result<(), PackageError> {
        for rdbms in Rdbms::ALL {
            if let Some(path) = files.get(rdbms) {
                read_script_with(path, rdbms, false)?;
            }
        }
        Ok(())
    }

    fn unique<'s>(
        &self,
        names: impl Iterator<Item = &'s Spanned<String>>,
        what: &str,
    ) -> Result<(), PackageError> {
        let mut seen = HashSet::new();
        for n in names {
            if !seen.insert(n.get_ref().trim()) {
                return Err(self.err(
                    n.span(),
                    format!("{what} '{}' is listed twice", n.get_ref()),
                ));
            }
        }
        Ok(())
    }

    fn checks(&self, raw: &[RawCheck], what: &str) -> Result<Vec<Check>, PackageError> {
        self.unique(raw.iter().map(|c| &c.name), what)?;
        raw.iter()
            .map(|c| {
                let probe = match (&c.sql, &c.command) {
                    (Some(sql), None) => Probe::Sql(sql.clone()),
                    (None, Some(cmd)) if !cmd.is_empty() => Probe::Command(cmd.clone()),
                    _ => {
                        return Err(self.err(
                            c.name.span(),
                            format!(
                                "{what} needs exactly one of sql or command (a non-empty list)"
                            ),
                        ))
                    }
                };
                Ok(Check {
                    name: self.nonempty(&c.name, &format!("the {what} name"))?,
                    probe,
                    hint: c.hint.clone(),
                })
            })
            .collect()
    }

    fn tests(&self, raw: &[RawTest]) -> Result<Vec<PostTest>, PackageError> {
        self.unique(raw.iter().map(|t| &t.name), "test")?;
        raw.iter()
            .map(|t| {
                let name = self.nonempty(&t.name, "the test name")?;
                let http_keys = t.status.is_some()
                    || t.body_contains.is_some()
                    || t.timeout_secs.is_some()
                    || t.retries.is_some()
                    || t.retry_delay_secs.is_some()
                    || t.ca.is_some();
                if t.url.is_none() && http_keys {
                    return Err(self.err(
                        t.name.span(),
                        "status, body_contains, timeout_secs, retries, retry_delay_secs and ca belong to url tests only",
                    ));
                }
                if t.sql.is_none() && t.expect.is_some() {
                    return Err(self.err(
                        t.name.span(),
                        "expect belongs to sql tests only",
                    ));
                }
                let probe = match (&t.sql, &t.url, &t.command) {
                    (Some(sql), None, None) => {
                        let expect = match t.expect.as_ref().map(|e| e.get_ref().as_str()) {
                            None | Some("rows") => Expect::Rows,
                            Some("empty") => Expect::Empty,
                            Some("any") => Expect::Any,
                            Some(other) => {
                                return Err(self.err(
                                    t.expect.as_ref().unwrap().span(),
                                    format!("expect = '{other}': expected rows, empty or any"),
                                ))
                            }
                        };
                        TestProbe::Sql {
                            sql: sql.clone(),
                            expect,
                        }
                    }
                    (None, Some(url), None) => {
                        let u = url.get_ref();
                        crate::engine::http::check_url(u)
                            .map_err(|message| self.err(url.span(), message))?;
                        let ca = match &t.ca {
                            Some(ca) => {
                                // Read now as it will be read after the upgrade, so that
                                // a missing or broken file stops the run before it starts.
                                let path = self.dir.join(ca.get_ref());
                                crate::engine::http::read_ca(&path)
                                    .map_err(|message| self.err(ca.span(), format!("ca: {message}")))?;
                                Some(path)
                            }
                            None => None,
                        };
                        TestProbe::Http {
                            url: u.clone(),
                            status: t.status.unwrap_or(200),
                            body_contains: t.body_contains.clone(),
                            timeout: Duration::from_secs(t.timeout_secs.unwrap_or(10).max(1)),
                            retries: t.retries.unwrap_or(0),
                            retry_delay: Duration::from_secs(t.retry_delay_secs.unwrap_or(5)),
                            ca,
                        }
                    }
                    (None, None, Some(cmd)) if !cmd.is_empty() => TestProbe::Command(cmd.clone()),
                    _ => {
                        return Err(self.err(
                            t.name.span(),
                            "a test needs exactly one of sql, url or command (a non-empty list)",
                        ))
                    }
                };
                Ok(PostTest { name, probe })
            })
            .collect()
    }
}
