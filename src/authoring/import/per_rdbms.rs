//! One directory per RDBMS (`sqlite/`, `postgres/` or `postgresql/`, `mysql/` or
//! `mariadb/`) holding `<N>.sql` or `<YYYYMMDDNN>.sql` deltas (optionally `<N>_<name>.sql`)
//! and a base schema, `base.sql` or `schema.sql`; base schemas may instead sit in
//! `base/<rdbms>.sql`. A version one RDBMS has no delta for has nothing to do there.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

pub(super) fn scan(source: &Path) -> Result<Found, ImportError> {
    let mut dirs: BTreeMap<Rdbms, String> = BTreeMap::new();
    let mut deltas: BTreeMap<Version, BTreeMap<Rdbms, (String, String)>> = BTreeMap::new();
    let mut base: BTreeMap<Rdbms, SourceFile> = BTreeMap::new();
    let mut add_base = |rdbms: Rdbms, rel: String| -> Result<(), ImportError> {
        if let Some(first) = base.get(&rdbms) {
            return refuse(format!(
                "two base schema files for {}: {} and {rel}; keep one",
                rdbms.key(),
                first.rel
            ));
        }
        let content = Content::File(source.join(&rel));
        base.insert(rdbms, SourceFile { rel, content });
        Ok(())
    };
    for rel in files_under(source)? {
        let (top, rest) = rel.split_once('/').unwrap_or(("", rel.as_str()));
        if top == "base" {
            let rdbms = rest
                .strip_suffix(".sql")
                .and_then(rdbms_dir)
                .ok_or_else(|| ImportError(format!(
                    "{rel} does not match the per-rdbms layout: base schemas in base/ are named sqlite.sql, postgres.sql (or postgresql.sql), mysql.sql (or mariadb.sql)"
                )))?;
            add_base(rdbms, rel.clone())?;
            continue;
        }
        let Some(rdbms) = rdbms_dir(top).filter(|_| !rest.contains('/')) else {
            return refuse(format!(
                "{rel} does not match the per-rdbms layout: expected <rdbms>/<N>.sql, <rdbms>/<N>_<name>.sql, <rdbms>/base.sql or base/<rdbms>.sql, where <rdbms> is sqlite, postgres (or postgresql), mysql (or mariadb)"
            ));
        };
        if let Some(other) = dirs.get(&rdbms).filter(|d| d.as_str() != top) {
            return refuse(format!(
                "both {other}/ and {top}/ hold {} scripts; merge them into one directory",
                rdbms.display_name()
            ));
        }
        dirs.insert(rdbms, top.to_string());
        if rest == "base.sql" || rest == "schema.sql" {
            add_base(rdbms, rel.clone())?;
            continue;
        }
        let Some((number, desc)) = delta_name(rest) else {
            return refuse(format!(
                "{rel} does not match the per-rdbms layout: a delta is named <N>.sql or <N>_<name>.sql (such as 12.sql or 2024011500.sql), a base schema base.sql or schema.sql"
            ));
        };
        let version = parse_version(number, &rel)?;
        if version == zero() {
            return refuse(format!(
                "{rel}: version 0 is where the package's empty database starts; number deltas from 1"
            ));
        }
        let per = deltas.entry(version.clone()).or_default();
        if let Some((first, _)) = per.get(&rdbms) {
            return refuse(format!(
                "two files for version {version} on {}: {first} and {rel}; keep one of them",
                rdbms.key()
            ));
        }
        per.insert(rdbms, (rel.clone(), desc.to_string()));
    }
    let mut claimed: Vec<Rdbms> = dirs.keys().copied().collect();
    claimed.extend(base.keys().copied());
    claimed.sort();
    claimed.dedup();
    let releases = deltas
        .into_iter()
        .map(|(version, per)| {
            let stems: Vec<&str> = per
                .values()
                .map(|(rel, _)| file_name(rel).trim_end_matches(".sql"))
                .collect();
            let name = if stems.windows(2).all(|w| w[0] == w[1]) {
                stems[0].to_string()
            } else {
                version.to_string()
            };
            let title = per.values().find_map(|(_, desc)| title(desc));
            let files = per
                .into_iter()
                .map(|(rdbms, (rel, _))| {
                    let content = Content::File(source.join(&rel));
                    (rdbms, SourceFile { rel, content })
                })
                .collect();
            let script = FoundScript {
                name,
                transactional: true,
                files,
            };
            (
                version,
                FoundRelease {
                    title,
                    scripts: vec![script],
                },
            )
        })
        .collect();
    Ok(Found {
        tool: "one directory of deltas per RDBMS".into(),
        claimed,
        releases,
        base,
        skipped: Vec::new(),
    })
}

fn rdbms_dir(name: &str) -> Option<Rdbms> {
    match name {
        "sqlite" => Some(Rdbms::Sqlite),
        "postgres" | "postgresql" => Some(Rdbms::Postgres),
        "mysql" | "mariadb" => Some(Rdbms::Mysql),
        _ => None,
    }
}

/// `12.sql` -> ("12", ""), `2024011500_add_index.sql` -> ("2024011500", "add_index").
fn delta_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".sql")?;
    let (number, desc) = match stem.find(['_', '-']) {
        Some(i) => (&stem[..i], &stem[i + 1..]),
        None => (stem, ""),
    };
    let numeric = number
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    numeric.then_some((number, desc))
}
