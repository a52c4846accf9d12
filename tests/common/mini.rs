//! A small package written by a test: a baseline at 1.0 and one release 2.0 with one
//! script, the same SQL for every RDBMS unless the test gives each its own.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub struct Mini<'a> {
    /// Statements after the baseline's version table.
    pub baseline: &'a str,
    /// The 2.0 script.
    pub script: &'a str,
    pub transactional: bool,
    /// A per-item step of 2.0: (query, script).
    pub items: Option<(&'a str, &'a str)>,
    /// The one RDBMS the 2.0 script is written for (the package loader splits a
    /// script in the dialect of every RDBMS it is listed for); None: all three.
    pub only: Option<upwiz::rdbms::Rdbms>,
}

pub fn write(dir: &Path, m: &Mini) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("baseline.sql"),
        format!(
            "CREATE TABLE app_version (version VARCHAR(20) NOT NULL);\nINSERT INTO app_version (version) VALUES ('1.0');\n{}\n",
            m.baseline
        ),
    )
    .unwrap();
    std::fs::write(dir.join("change.sql"), m.script).unwrap();
    let mut toml = format!(
        r#"[product]
name = "Mini"

[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{{{version}}}}"

[[baseline]]
version = "1.0"
sqlite = "baseline.sql"
postgres = "baseline.sql"
mysql = "baseline.sql"

[[release]]
version = "1.0"

[[release]]
version = "2.0"

[[release.script]]
name = "01_change"
{}transactional = {}
"#,
        ["sqlite", "postgres", "mysql"]
            .iter()
            .filter(|k| m.only.is_none_or(|r| r.key() == **k))
            .map(|k| format!("{k} = \"change.sql\"\n"))
            .collect::<String>(),
        m.transactional
    );
    if let Some((query, script)) = m.items {
        std::fs::write(dir.join("item.sql"), script).unwrap();
        toml.push_str(&format!(
            r#"
[[items]]
name = "Each item"
release = "2.0"
query = "{query}"
sqlite = "item.sql"
postgres = "item.sql"
mysql = "item.sql"
"#
        ));
    }
    std::fs::write(dir.join("upwiz.toml"), toml).unwrap();
    dir.to_path_buf()
}
