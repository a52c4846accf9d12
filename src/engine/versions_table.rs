//! Where the installed version is written: the package's `[version] record` query, or,
//! for a product that records none (`[version] store = "upwiz"`), upwiz's own table
//! `upwiz_versions`, one row per product.

use super::log::now_iso;
use super::template::bind;
use crate::db::{Database, DbError, Value};
use crate::package::{Package, VersionStore};
use crate::rdbms::Rdbms;

pub const TABLE: &str = "upwiz_versions";

/// Created with the journal's tables, so that it exists before any run writes to it.
pub const DDL: &str = "CREATE TABLE upwiz_versions (product VARCHAR(255) NOT NULL PRIMARY KEY, version VARCHAR(64) NOT NULL, recorded_at VARCHAR(40) NOT NULL, how VARCHAR(16) NOT NULL)";

/// How a version came to be recorded in `upwiz_versions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Installed,
    Upgraded,
    Adopted,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Installed => "installed",
            How::Upgraded => "upgraded",
            How::Adopted => "adopted",
        }
    }
}

/// One version write, decided before the transaction it runs in is opened: a package
/// defect (no record query, a bad placeholder) is then known before anything changes.
#[derive(Debug, Clone)]
pub enum VersionWrite {
    Query {
        sql: String,
        params: Vec<Value>,
    },
    Upwiz {
        product: String,
        version: String,
        how: How,
    },
}

/// How `version` is recorded for `package` on `rdbms`; Err says what is wrong with
/// the package.
pub fn version_write(
    package: &Package,
    rdbms: Rdbms,
    version: &str,
    how: How,
) -> Result<VersionWrite, String> {
    match package.version_store {
        VersionStore::Upwiz => Ok(VersionWrite::Upwiz {
            product: package.product.name.clone(),
            version: version.to_string(),
            how,
        }),
        VersionStore::Queries => {
            let template = package.record.get(rdbms).ok_or_else(|| {
                format!(
                    "the package cannot record versions on {rdbms}: [version] record has no {} entry",
                    rdbms.key()
                )
            })?;
            let value = Value::Text(version.to_string());
            let (sql, params) = bind(template, |n| (n == "version").then(|| value.clone()))
                .map_err(|e| format!("[version] record: {e}"))?;
            Ok(VersionWrite::Query { sql, params })
        }
    }
}

impl VersionWrite {
    /// Writes the version; opens and closes no transaction, so that the caller can
    /// commit it with its journal record.
    pub fn apply(&self, db: &mut dyn Database) -> Result<(), DbError> {
        match self {
            VersionWrite::Query { sql, params } => db.execute_with(sql, params).map(|_| ()),
            VersionWrite::Upwiz {
                product,
                version,
                how,
            } => {
                // Delete and insert rather than an upsert: the same two statements on
                // every RDBMS, and inside the caller's transaction they act as one.
                let p = Value::Text(product.clone());
                db.execute_with(
                    "DELETE FROM upwiz_versions WHERE product = ?",
                    std::slice::from_ref(&p),
                )?;
                db.execute_with(
                    "INSERT INTO upwiz_versions (product, version, recorded_at, how) VALUES (?, ?, ?, ?)",
                    &[
                        p,
                        Value::Text(version.clone()),
                        Value::Text(now_iso()),
                        Value::Text(how.as_str().into()),
                    ],
                )
                .map(|_| ())
            }
        }
    }
}

/// The version upwiz keeps for `product`; None when the table or the row is missing.
pub fn read(db: &mut dyn Database, product: &str) -> Result<Option<String>, DbError> {
    if !db.table_exists(TABLE)? {
        return Ok(None);
    }
    let r = db.query_with(
        "SELECT version FROM upwiz_versions WHERE product = ?",
        &[Value::Text(product.to_string())],
    )?;
    Ok(r.rows
        .first()
        .and_then(|row| row.first())
        .and_then(Value::as_text)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty()))
}
