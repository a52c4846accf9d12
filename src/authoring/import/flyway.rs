//! Flyway: `V<version>__<description>.sql`, anywhere under SOURCE (Flyway searches its
//! locations recursively). Versions use `.` or `_` between numbers (`2_1` is 2.1).

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

pub(super) fn scan(source: &Path, rdbms: Rdbms) -> Result<Found, ImportError> {
    let mut releases = BTreeMap::new();
    let mut seen = BTreeMap::new();
    let mut skipped = Vec::new();
    for rel in files_under(source)? {
        let name = file_name(&rel);
        match classify(name) {
            Kind::Versioned { version, desc } => {
                let version = parse_version(&version, &rel)?;
                let stem = name.trim_end_matches(".sql");
                let script = FoundScript {
                    name: stem.to_string(),
                    transactional: true,
                    files: BTreeMap::from([(
                        rdbms,
                        SourceFile {
                            rel: rel.clone(),
                            content: Content::File(source.join(&rel)),
                        },
                    )]),
                };
                let release = FoundRelease {
                    title: title(&desc),
                    scripts: vec![script],
                };
                add_single(&mut releases, &mut seen, version, &rel, release)?;
            }
            Kind::Repeatable => skipped.push((
                rel.clone(),
                "a Flyway repeatable migration (R__): upwiz runs each script once per version, so it is not imported; if the product needs it, copy its statements into the script of the release that changes it".to_string(),
            )),
            Kind::Undo => skipped.push((
                rel.clone(),
                "a Flyway undo migration (U): upwiz does not downgrade (it restores a backup instead), so it is not imported".to_string(),
            )),
            Kind::Baseline(v) => skipped.push((
                rel.clone(),
                format!("a Flyway baseline migration (B): not imported, installs run the versioned migrations; to install from it instead, copy it into the package and add a [[baseline]] with version = \"{v}\""),
            )),
            Kind::Other => {
                return refuse(format!(
                    "{rel} does not match the flyway layout: expected V<version>__<description>.sql (such as V1__init.sql, V1.1__add_email.sql, V2_1__orders.sql), R__<description>.sql or U<version>__<description>.sql; move it out of SOURCE or rename it"
                ))
            }
        }
    }
    Ok(Found {
        tool: "Flyway".into(),
        claimed: vec![rdbms],
        releases,
        base: BTreeMap::new(),
        skipped,
    })
}

enum Kind {
    Versioned { version: String, desc: String },
    Repeatable,
    Undo,
    Baseline(String),
    Other,
}

fn classify(name: &str) -> Kind {
    let Some(stem) = name.strip_suffix(".sql") else {
        return Kind::Other;
    };
    if stem.starts_with("R__") {
        return Kind::Repeatable;
    }
    let Some((head, desc)) = stem.split_once("__") else {
        return Kind::Other;
    };
    let mut chars = head.chars();
    let prefix = chars.next();
    let version = chars.as_str();
    let numeric = !version.is_empty()
        && version
            .split(['.', '_'])
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !numeric {
        return Kind::Other;
    }
    let version = version.replace('_', ".");
    match prefix {
        Some('V') => Kind::Versioned {
            version,
            desc: desc.to_string(),
        },
        Some('U') => Kind::Undo,
        Some('B') => Kind::Baseline(version),
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versioned(name: &str) -> Option<String> {
        match classify(name) {
            Kind::Versioned { version, .. } => Some(version),
            _ => None,
        }
    }

    #[test]
    fn versions_are_read_as_flyway_reads_them() {
        assert_eq!(versioned("V1__init.sql").as_deref(), Some("1"));
        assert_eq!(versioned("V1.1__email.sql").as_deref(), Some("1.1"));
        assert_eq!(versioned("V2_1__orders.sql").as_deref(), Some("2.1"));
        assert_eq!(
            versioned("V20240115093000__x.sql").as_deref(),
            Some("20240115093000")
        );
        assert!(matches!(classify("R__views.sql"), Kind::Repeatable));
        assert!(matches!(classify("U2__orders.sql"), Kind::Undo));
        assert!(matches!(classify("B5__schema.sql"), Kind::Baseline(v) if v == "5"));
        for other in [
            "V1_init.sql",
            "V__x.sql",
            "V1..2__x.sql",
            "V1__x.java",
            "init.sql",
            "v1__x.sql",
        ] {
            assert!(matches!(classify(other), Kind::Other), "{other}");
        }
    }
}
