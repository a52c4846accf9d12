//! `[maintenance]`: how the package locks the application out while the database is
//! upgraded (a flag the application servers read, a maintenance page, a stopped
//! service), and lets it back in once the upgrade has completed.
//!
//! ```toml
//! [maintenance]
//! on  = { sql = "UPDATE settings SET value = 'on' WHERE name = 'maintenance'" }
//! off = { command = ["systemctl", "start", "app"] }
//! ```

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::manifest::Sql;
use super::PackageError;
use crate::rdbms::Rdbms;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMaintenance {
    pub on: Spanned<RawSwitch>,
    pub off: Spanned<RawSwitch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSwitch {
    #[serde(default)]
    pub sql: Option<Sql>,
    #[serde(default)]
    pub command: Option<Vec<String>>,
}

/// One way of switching maintenance mode, as the package's checks and tests are given:
/// SQL (the same for every RDBMS, or per RDBMS) or a program run without a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    Sql(Sql),
    Command(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maintenance {
    pub on: Switch,
    pub off: Switch,
}

impl Maintenance {
    /// Whether a switch runs a program: it acts on the live application, never on a
    /// copy or scratch database, so rehearsals and verify leave such a mode out.
    pub fn runs_a_program(&self) -> bool {
        [&self.on, &self.off]
            .iter()
            .any(|s| matches!(s, Switch::Command(_)))
    }
}

impl Switch {
    /// What it does, for the plan and the log.
    pub fn describe(&self, rdbms: Rdbms) -> String {
        match self {
            Switch::Sql(sql) => match sql.get(rdbms) {
                Some(s) => format!(
                    "SQL: {}",
                    s.split_whitespace().collect::<Vec<_>>().join(" ")
                ),
                None => format!("no SQL for {rdbms}"),
            },
            Switch::Command(argv) => format!("command: {}", argv.join(" ")),
        }
    }
}

impl RawMaintenance {
    /// The validated section; `err` points at the offending value in the manifest.
    pub fn validate(
        self,
        err: impl Fn(Range<usize>, String) -> PackageError,
    ) -> Result<Maintenance, PackageError> {
        let switch = |raw: Spanned<RawSwitch>, which: &str| {
            let span = raw.span();
            let raw = raw.into_inner();
            match (raw.sql, raw.command) {
                (Some(sql), None) => Ok(Switch::Sql(sql)),
                (None, Some(argv)) if argv.first().is_some_and(|p| !p.trim().is_empty()) => {
                    Ok(Switch::Command(argv))
                }
                _ => Err(err(
                    span,
                    format!(
                        "[maintenance] {which} needs exactly one of sql (a string or a table per RDBMS) or command (a non-empty list: the program and its arguments)"
                    ),
                )),
            }
        };
        Ok(Maintenance {
            on: switch(self.on, "on")?,
            off: switch(self.off, "off")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn parse(extra: &str) -> Result<crate::package::Package, crate::package::PackageError> {
        let text = format!(
            "[product]\nname = \"P\"\n[version]\ndetect = \"SELECT v FROM t\"\nrecord = \"UPDATE t SET v = '{{version}}'\"\n[[release]]\nversion = \"1.0\"\n{extra}"
        );
        crate::package::parse(Path::new("."), Path::new("upwiz.toml"), &text)
    }

    #[test]
    fn sql_and_command_switches_are_read_and_a_half_section_is_refused() {
        let p = parse(
            "[maintenance]\non = { sql = { sqlite = \"UPDATE s SET v = 1\" } }\noff = { command = [\"systemctl\", \"start\", \"app\"] }\n",
        )
        .unwrap();
        let m = p.maintenance.expect("maintenance");
        assert!(matches!(m.on, super::Switch::Sql(_)));
        assert_eq!(
            m.off,
            super::Switch::Command(vec!["systemctl".into(), "start".into(), "app".into()])
        );
        assert!(parse("").unwrap().maintenance.is_none());

        let e = parse("[maintenance]\non = { sql = \"UPDATE s SET v = 1\" }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("off"), "{e}");
        let e = parse(
            "[maintenance]\non = { sql = \"x\", command = [\"y\"] }\noff = { command = [] }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("[maintenance] on needs exactly one of sql"),
            "{e}"
        );
        assert!(e.starts_with("upwiz.toml:9:"), "{e}");
        let e = parse("[maintenance]\non = { sql = \"x\" }\noff = { command = [] }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[maintenance] off needs"), "{e}");
        let e =
            parse("[maintenance]\non = { sql = \"x\" }\noff = { sql = \"y\" }\nwhen = \"now\"\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains("when"), "{e}");
    }
}
