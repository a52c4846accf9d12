//! Numbered or timestamped migration files as refinery, sqlx and dbmate write them, told
//! apart file by file:
//! - refinery: `V<n>__<name>.sql` and `U<n>__<name>.sql` (unversioned, still run in order);
//! - sqlx: `<n>_<name>.sql`, or `<n>_<name>.up.sql` with a `.down.sql` beside it;
//! - dbmate: `<n>_<name>.sql` holding `-- migrate:up` and `-- migrate:down` sections.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;

pub(super) fn scan(source: &Path, rdbms: Rdbms) -> Result<Found, ImportError> {
    let mut releases = BTreeMap::new();
    let mut seen = BTreeMap::new();
    let mut skipped = Vec::new();
    let mut tools = BTreeSet::new();
    for rel in files_under(source)? {
        let name = file_name(&rel);
        let Some((tool, number, desc, stem)) = classify(name) else {
            return refuse(format!(
                "{rel} does not match the numbered layout: expected refinery's V<n>__<name>.sql, sqlx's <n>_<name>.sql or <n>_<name>.up.sql / .down.sql, or dbmate's <n>_<name>.sql with -- migrate:up; move it out of SOURCE or rename it"
            ));
        };
        if tool == Tool::SqlxDown {
            skipped.push((
                rel.clone(),
                "a sqlx down migration: upwiz does not downgrade (it restores a backup instead), so it is not imported".to_string(),
            ));
            continue;
        }
        let version = parse_version(number, &rel)?;
        let path = source.join(&rel);
        let mut transactional = true;
        let mut tool_name = tool.name();
        let content = if tool == Tool::Plain {
            let bytes = std::fs::read(&path)
                .map_err(|e| ImportError(format!("cannot read {}: {e}", path.display())))?;
            let up = match std::str::from_utf8(&bytes) {
                Ok(text) => dbmate_up(text, &rel)?,
                // Its up section could not be cut out without changing its bytes.
                Err(_) if bytes.windows(10).any(|w| w == b"migrate:up") => {
                    return refuse(format!(
                        "{rel} is a dbmate migration that is not UTF-8 text; save it as UTF-8 and import again"
                    ))
                }
                Err(_) => None,
            };
            match up {
                Some((up, tx)) => {
                    tool_name = "dbmate";
                    transactional = tx;
                    Content::Derived(up)
                }
                None => Content::File(path),
            }
        } else {
            Content::File(path)
        };
        tools.insert(tool_name);
        let rel_out = match content {
            // Not the vendor's bytes: kept apart from the copied files.
            Content::Derived(_) => format!("dbmate-up/{stem}.sql"),
            Content::File(_) => rel.clone(),
        };
        let script = FoundScript {
            name: stem.to_string(),
            transactional,
            files: BTreeMap::from([(
                rdbms,
                SourceFile {
                    rel: rel_out,
                    content,
                },
            )]),
        };
        let release = FoundRelease {
            title: title(desc),
            scripts: vec![script],
        };
        add_single(&mut releases, &mut seen, version, &rel, release)?;
    }
    Ok(Found {
        tool: tools.into_iter().collect::<Vec<_>>().join(" and "),
        claimed: vec![rdbms],
        releases,
        base: BTreeMap::new(),
        skipped,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Refinery,
    SqlxUp,
    SqlxDown,
    /// `<n>_<name>.sql`: sqlx, or dbmate when it has sections.
    Plain,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Refinery => "refinery",
            Tool::SqlxUp | Tool::SqlxDown | Tool::Plain => "sqlx",
        }
    }
}

/// The tool, the number, the description and the script name of a file name.
fn classify(name: &str) -> Option<(Tool, &str, &str, &str)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let stem = name.strip_suffix(".sql")?;
    if let Some(rest) = stem.strip_prefix('V').or_else(|| stem.strip_prefix('U')) {
        if let Some((n, desc)) = rest.split_once("__") {
            if digits(n) {
                return Some((Tool::Refinery, n, desc, stem));
            }
        }
    }
    let (tool, base) = if let Some(b) = stem.strip_suffix(".up") {
        (Tool::SqlxUp, b)
    } else if let Some(b) = stem.strip_suffix(".down") {
        (Tool::SqlxDown, b)
    } else {
        (Tool::Plain, stem)
    };
    let (n, desc) = base.split_once('_').unwrap_or((base, ""));
    digits(n).then_some((tool, n, desc, base))
}

/// The up section of a dbmate migration, with the lines outside it blanked so that every
/// statement keeps the line number it has in the vendor's file; and whether it runs in a
/// transaction (`-- migrate:up transaction:false` says not). None: not a dbmate file.
fn dbmate_up(text: &str, rel: &str) -> Result<Option<(String, bool)>, ImportError> {
    let marker = |line: &str, what: &str| {
        let t = line.trim_start();
        t.strip_prefix("--")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(what))
            .map(str::to_string)
    };
    let Some(up_at) = text.lines().position(|l| marker(l, "migrate:up").is_some()) else {
        return Ok(None);
    };
    let options = marker(text.lines().nth(up_at).unwrap_or(""), "migrate:up").unwrap_or_default();
    let transactional = !options.split_whitespace().any(|o| o == "transaction:false");
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > up_at && marker(line, "migrate:down").is_some() {
            break;
        }
        if i < up_at {
            if !line.trim().is_empty() && !line.trim_start().starts_with("--") {
                return refuse(format!(
                    "{rel}, line {}: a statement before -- migrate:up; dbmate would not run it either, so move it into the up section",
                    i + 1
                ));
            }
            out.push('\n');
        } else if i == up_at {
            out.push_str(&format!(
                "-- The up section of {rel} (dbmate); every line keeps its number in that file.\n"
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(Some((out, transactional)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbmate_up_keeps_line_numbers_and_drops_the_down_part() {
        let text = "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\nDROP TABLE a;\n";
        let (up, tx) = dbmate_up(text, "1_a.sql").unwrap().unwrap();
        assert!(tx);
        assert_eq!(up.lines().nth(1), Some("CREATE TABLE a (id int);"));
        assert!(!up.contains("DROP TABLE"));
        let (_, tx) = dbmate_up("-- migrate:up transaction:false\nSELECT 1;\n", "x")
            .unwrap()
            .unwrap();
        assert!(!tx);
        assert!(dbmate_up("CREATE TABLE a (id int);\n", "x")
            .unwrap()
            .is_none());
    }

    #[test]
    fn file_names_are_classified_by_tool() {
        assert_eq!(
            classify("V3__users.sql").map(|c| (c.0, c.1)),
            Some((Tool::Refinery, "3"))
        );
        assert_eq!(
            classify("20240115093000_orders.up.sql").map(|c| (c.0, c.1, c.3)),
            Some((Tool::SqlxUp, "20240115093000", "20240115093000_orders"))
        );
        assert_eq!(classify("2_x.down.sql").map(|c| c.0), Some(Tool::SqlxDown));
        assert_eq!(classify("notes.sql"), None);
        assert_eq!(classify("V1__x.rs"), None);
    }
}
