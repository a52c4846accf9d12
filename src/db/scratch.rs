//! Scratch databases for a rehearsal: another database on the same server (or another
//! SQLite file) that an upgrade may change freely, named only from [a-z0-9_].

use std::path::PathBuf;

use super::{default_user, ConnectSpec, ConnectTarget, Database, DbError, DbErrorKind};
use crate::rdbms::Rdbms;

impl ConnectSpec {
    /// The same server, user, password and settings, another database: `name` is a
    /// database name on a server and a file path for SQLite.
    pub fn with_database(&self, name: &str) -> ConnectSpec {
        let mut spec = self.clone();
        match &mut spec.target {
            ConnectTarget::Sqlite { path } => *path = PathBuf::from(name),
            ConnectTarget::Postgres(t) => t.dbname = Some(name.to_string()),
            ConnectTarget::Mysql(t) => t.database = name.to_string(),
            ConnectTarget::Invalid(_) => {}
        }
        spec
    }

    /// The database's name on its server (libpq's default: the user's name); None for
    /// SQLite.
    pub fn database_name(&self) -> Option<String> {
        match &self.target {
            ConnectTarget::Postgres(t) => Some(
                t.dbname
                    .clone()
                    .or_else(|| self.user.clone())
                    .unwrap_or_else(default_user),
            ),
            ConnectTarget::Mysql(t) => Some(t.database.clone()),
            _ => None,
        }
    }
}

/// `<name>_rehearse_<id>`: the real name reduced to [a-z0-9_] (never used as typed),
/// short enough for every server's identifier limit.
pub fn scratch_name(real: &str, id: &str) -> String {
    let mut base: String = real
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .take(24)
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert_str(0, "db");
    }
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .take(20)
        .collect();
    format!("{base}_rehearse_{id}")
}

/// The name quoted for `rdbms`, refused unless it is made of [a-z0-9_] only.
fn quoted(rdbms: Rdbms, name: &str) -> Result<String, DbError> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(DbError::new(
            DbErrorKind::BadConnectString,
            format!("'{name}' is not a scratch database name upwiz makes"),
        ));
    }
    Ok(match rdbms {
        Rdbms::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    })
}

/// Creates the empty database `name` on the server `admin` is connected to.
pub fn create_database(admin: &mut dyn Database, name: &str) -> Result<(), DbError> {
    let q = quoted(admin.rdbms(), name)?;
    admin.execute(&format!("CREATE DATABASE {q}")).map(drop).map_err(|e| {
        DbError::new(
            e.kind,
            format!(
                "cannot create the scratch database {name} for the rehearsal: {}; the user needs the right to create databases (PostgreSQL CREATEDB, MariaDB CREATE)",
                e.message
            ),
        )
    })
}

/// Drops the scratch database `name`; on PostgreSQL 13 and later, also when a
/// connection to it is left over.
pub fn drop_database(admin: &mut dyn Database, name: &str) -> Result<(), DbError> {
    let q = quoted(admin.rdbms(), name)?;
    match admin.execute(&format!("DROP DATABASE IF EXISTS {q}")) {
        Ok(_) => Ok(()),
        Err(e) if admin.rdbms() == Rdbms::Postgres => admin
            .execute(&format!("DROP DATABASE IF EXISTS {q} WITH (FORCE)"))
            .map(drop)
            .map_err(|_| e),
        Err(e) => Err(e),
    }
}

/// Whether the database `name` exists on the server `admin` is connected to.
pub fn database_exists(admin: &mut dyn Database, name: &str) -> Result<bool, DbError> {
    let sql = match admin.rdbms() {
        Rdbms::Postgres => "SELECT COUNT(*) FROM pg_database WHERE datname = ?",
        Rdbms::Mysql => "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
        Rdbms::Sqlite => return Ok(false),
    };
    let n = admin.query_with(sql, &[super::Value::Text(name.to_string())])?;
    Ok(n.scalar().is_some_and(|s| s != "0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_keep_only_plain_characters() {
        assert_eq!(
            scratch_name("App-DB; drop", "1a2b"),
            "appdbdrop_rehearse_1a2b"
        );
        assert_eq!(scratch_name("9x", "z"), "db9x_rehearse_z");
        assert_eq!(scratch_name("\"`", "7"), "db_rehearse_7");
        assert!(scratch_name(&"a".repeat(200), "0123456789abcdef").len() <= 63);
        assert!(quoted(Rdbms::Postgres, "a\"b").is_err());
        assert_eq!(quoted(Rdbms::Mysql, "a_1").unwrap(), "`a_1`");
    }

    #[test]
    fn with_database_changes_only_the_database() {
        let spec = ConnectSpec::parse(
            Rdbms::Postgres,
            "postgres://app@db:5433/real?sslmode=disable",
            None,
            None,
        )
        .unwrap();
        let s = spec.with_database("real_rehearse_1");
        assert_eq!(s.database_name().as_deref(), Some("real_rehearse_1"));
        assert_eq!(s.user.as_deref(), Some("app"));
        assert!(
            s.redacted().contains("db:5433/real_rehearse_1"),
            "{}",
            s.redacted()
        );
        let my = ConnectSpec::parse(Rdbms::Mysql, "mysql://root@h:3306/shop", None, None)
            .unwrap()
            .with_database("shop_rehearse_2");
        assert_eq!(my.database_name().as_deref(), Some("shop_rehearse_2"));
    }
}
