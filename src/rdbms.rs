//! The database systems upwiz can upgrade.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rdbms {
    Sqlite,
    Postgres,
    Mysql,
}

impl Rdbms {
    pub const ALL: [Rdbms; 3] = [Rdbms::Sqlite, Rdbms::Postgres, Rdbms::Mysql];

    /// The key used on the command line, in manifests and in config files.
    pub fn key(self) -> &'static str {
        match self {
            Rdbms::Sqlite => "sqlite",
            Rdbms::Postgres => "postgres",
            Rdbms::Mysql => "mysql",
        }
    }

    /// The name an operator knows it by.
    pub fn display_name(self) -> &'static str {
        match self {
            Rdbms::Sqlite => "SQLite",
            Rdbms::Postgres => "PostgreSQL",
            Rdbms::Mysql => "MySQL/MariaDB",
        }
    }

    /// Example connect strings, shown in the wizard and in error messages.
    pub fn connect_examples(self) -> &'static [&'static str] {
        match self {
            Rdbms::Sqlite => &["/var/lib/app/repository.db", "./demo.db"],
            Rdbms::Postgres => &[
                "postgres://user@db.example.com:5432/repository",
                "host=db.example.com port=5432 dbname=repository user=app",
            ],
            Rdbms::Mysql => &["mysql://user@db.example.com:3306/repository"],
        }
    }
}

impl fmt::Display for Rdbms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown RDBMS '{0}': expected sqlite, postgres or mysql (alias mariadb)")]
pub struct UnknownRdbms(pub String);

impl FromStr for Rdbms {
    type Err = UnknownRdbms;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Ok(Rdbms::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Rdbms::Postgres),
            "mysql" | "mariadb" => Ok(Rdbms::Mysql),
            _ => Err(UnknownRdbms(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aliases_and_rejects_unknown() {
        assert_eq!("mariadb".parse::<Rdbms>(), Ok(Rdbms::Mysql));
        assert_eq!("PostgreSQL".parse::<Rdbms>(), Ok(Rdbms::Postgres));
        let err = "oracle".parse::<Rdbms>().unwrap_err();
        assert!(err.to_string().contains("unknown RDBMS 'oracle'"));
    }
}
