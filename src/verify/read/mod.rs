//! Reading a database's schema from its catalog, one reader per RDBMS; upwiz's own
//! tables are left out.

mod mysql;
mod postgres;
mod sqlite;

use super::schema::{is_engine_table, Schema};
use crate::db::{Database, DbError, Value};
use crate::rdbms::Rdbms;

pub fn read(db: &mut dyn Database) -> Result<Schema, DbError> {
    let mut schema = match db.rdbms() {
        Rdbms::Sqlite => sqlite::read(db)?,
        Rdbms::Postgres => postgres::read(db)?,
        Rdbms::Mysql => mysql::read(db)?,
    };
    schema.tables.retain(|name, _| !is_engine_table(name));
    for t in schema.tables.values_mut() {
        t.indexes
            .sort_by(|a, b| (a.key(), &a.name).cmp(&(b.key(), &b.name)));
        t.foreign_keys.sort();
        t.checks.sort();
    }
    Ok(schema)
}

fn text(v: &Value) -> String {
    v.as_text().unwrap_or_default()
}

fn cell(row: &[Value], i: usize) -> String {
    row.get(i).map(text).unwrap_or_default()
}

fn opt(row: &[Value], i: usize) -> Option<String> {
    row.get(i).and_then(|v| v.as_text())
}

/// A default as the catalog gives it, with NULL (no default) as None.
fn default_of(raw: Option<String>) -> Option<String> {
    raw.map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("null"))
}
