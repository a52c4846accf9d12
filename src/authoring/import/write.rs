//! Lays out the package: where each file goes, what is copied or referenced, and the
//! manifest; refuses an OUT that would mix the package with other files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::manifest::{self, Baseline, Plan, PlannedRelease, PlannedScript};
use super::*;

/// What an import wrote, for the summary line.
#[derive(Debug, Clone)]
pub struct Imported {
    pub out: PathBuf,
    pub tool: String,
    pub releases: usize,
    pub scripts: usize,
    pub copied: usize,
    pub rdbms: Vec<Rdbms>,
    /// Files left out, with why (also written into the manifest).
    pub skipped: Vec<(String, String)>,
}

pub(super) fn write(req: &ImportRequest, found: Found) -> Result<Imported, ImportError> {
    let (prefix, generated) = prepare_out(req)?;
    let product = match &req.product {
        Some(p) if !p.trim().is_empty() => p.trim().to_string(),
        Some(_) => return refuse("--product is empty: give the product's name"),
        None => default_product(&req.source),
    };
    let mut writes: Vec<(String, Content)> = Vec::new();
    let places = Places {
        reference: req.reference,
        prefix: &prefix,
        generated: &generated,
    };

    let zero = zero();
    let base_at = req.base_version.clone().unwrap_or_else(|| zero.clone());
    let mut baselines: BTreeMap<Version, Vec<(Rdbms, String)>> = BTreeMap::new();
    for rdbms in &found.claimed {
        let (version, path) = match found.base.get(rdbms) {
            Some(file) => (base_at.clone(), places.place(file, &mut writes)),
            None => {
                let path = format!("{generated}baseline/empty-{}.sql", rdbms.key());
                writes.push((
                    path.clone(),
                    Content::Derived(empty_baseline(*rdbms, &product)),
                ));
                (zero.clone(), path)
            }
        };
        baselines.entry(version).or_default().push((*rdbms, path));
    }

    let mut releases: BTreeMap<Version, PlannedRelease> = BTreeMap::new();
    let mut scripts = 0;
    for (version, release) in &found.releases {
        let mut planned = Vec::new();
        for s in &release.scripts {
            let files: Vec<(Rdbms, String)> = s
                .files
                .iter()
                .map(|(r, f)| (*r, places.place(f, &mut writes)))
                .collect();
            let nothing_on = found
                .claimed
                .iter()
                .copied()
                .filter(|r| !s.files.contains_key(r))
                .collect();
            planned.push(PlannedScript {
                name: s.name.clone(),
                transactional: s.transactional,
                files,
                nothing_on,
            });
            scripts += 1;
        }
        releases.insert(
            version.clone(),
            PlannedRelease {
                title: release.title.clone(),
                scripts: planned,
            },
        );
    }
    for version in baselines.keys() {
        releases
            .entry(version.clone())
            .or_insert_with(|| PlannedRelease {
                title: Some(if *version == zero && found.base.is_empty() {
                    "Empty database: the migrations after it create the schema".to_string()
                } else {
                    "Base schema".to_string()
                }),
                scripts: Vec::new(),
            });
    }

    let plan = Plan {
        product,
        layout: req.layout,
        tool: found.tool.clone(),
        source: req.source.display().to_string(),
        reference: req.reference,
        claimed: found.claimed.clone(),
        baselines: baselines
            .into_iter()
            .map(|(version, files)| Baseline { version, files })
            .collect(),
        releases: releases.into_iter().collect(),
        skipped: found.skipped.clone(),
    };
    let text = manifest::render(&plan);

    // Everything is known: now write, files first and the manifest last, so that a
    // directory with upwiz.toml is a complete package.
    std::fs::create_dir_all(&req.out)
        .map_err(|e| ImportError(format!("cannot create {}: {e}", req.out.display())))?;
    let mut copied = 0;
    for (rel, content) in &writes {
        let dest = req.out.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ImportError(format!("cannot create {}: {e}", parent.display())))?;
        }
        let result = match content {
            Content::File(from) => std::fs::copy(from, &dest).map(|_| copied += 1),
            Content::Derived(text) => std::fs::write(&dest, text),
        };
        result.map_err(|e| ImportError(format!("cannot write {}: {e}", dest.display())))?;
    }
    let manifest_path = req.out.join(crate::package::MANIFEST);
    std::fs::write(&manifest_path, text)
        .map_err(|e| ImportError(format!("cannot write {}: {e}", manifest_path.display())))?;
    Ok(Imported {
        out: req.out.clone(),
        tool: found.tool,
        releases: plan.releases.len(),
        scripts,
        copied,
        rdbms: found.claimed,
        skipped: found.skipped,
    })
}

/// Where a vendor file goes: written at its place in SOURCE (copied) or named there
/// (referenced); what upwiz makes goes under `generated`.
struct Places<'a> {
    reference: bool,
    prefix: &'a str,
    generated: &'a str,
}

impl Places<'_> {
    fn place(&self, file: &SourceFile, writes: &mut Vec<(String, Content)>) -> String {
        match (&file.content, self.reference) {
            (Content::File(_), true) => format!("{}{}", self.prefix, file.rel),
            (Content::Derived(_), true) => {
                let path = format!("{}{}", self.generated, file.rel);
                writes.push((path.clone(), file.content.clone()));
                path
            }
            (_, false) => {
                writes.push((file.rel.clone(), file.content.clone()));
                file.rel.clone()
            }
        }
    }
}

/// Checks OUT and returns the prefix of referenced vendor files and the directory for
/// what upwiz writes, both relative to OUT.
fn prepare_out(req: &ImportRequest) -> Result<(String, String), ImportError> {
    let out = &req.out;
    if out.exists() && !out.is_dir() {
        return refuse(format!(
            "--out {} is a file, not a directory",
            out.display()
        ));
    }
    if !req.reference {
        let empty = match std::fs::read_dir(out) {
            Ok(mut entries) => entries.next().is_none(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return refuse(format!("cannot read --out {}: {e}", out.display())),
        };
        if !empty {
            return refuse(format!(
                "--out {} is not empty: give a new directory for the package (or --reference to write only upwiz.toml next to the migrations)",
                out.display()
            ));
        }
        return Ok((String::new(), String::new()));
    }
    // Script paths must be relative and inside the package, so referenced files can only
    // be where they are if SOURCE lies inside OUT.
    let real = |p: &Path, what: &str| {
        std::fs::canonicalize(p).map_err(|e| {
            ImportError(format!(
                "{what} {}: {e}; with --reference, --out must be an existing directory that contains SOURCE",
                p.display()
            ))
        })
    };
    let real_out = real(out, "--out")?;
    let real_source = real(&req.source, "SOURCE")?;
    let Ok(inside) = real_source.strip_prefix(&real_out) else {
        return refuse(format!(
            "with --reference, SOURCE must be inside --out, because a package only runs files inside its directory: {} is not inside {}; give --out a directory above SOURCE (such as the project's root), or leave out --reference to copy the files",
            req.source.display(),
            out.display()
        ));
    };
    if out.join(crate::package::MANIFEST).exists() {
        return refuse(format!(
            "{} already holds an upwiz.toml; remove it or give another --out",
            out.display()
        ));
    }
    let generated = "upwiz-import/";
    if out.join(generated).exists() {
        return refuse(format!(
            "{} already holds {generated}; remove it or give another --out",
            out.display()
        ));
    }
    let mut prefix = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if !prefix.is_empty() {
        prefix.push('/');
    }
    Ok((prefix, generated.to_string()))
}

fn default_product(source: &Path) -> String {
    std::fs::canonicalize(source)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Imported product".to_string())
}

fn empty_baseline(rdbms: Rdbms, product: &str) -> String {
    let product = product.replace(['\n', '\r'], " ");
    format!(
        "-- An empty {} database for {product}: the migrations imported as releases\n\
         -- create the whole schema, so installing runs them all after this file.\n\
         -- Written by upwiz package import; it holds no statements.\n",
        rdbms.display_name()
    )
}
