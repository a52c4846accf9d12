//! MySQL and MariaDB: information_schema for the connection's current database.

use super::{cell, default_of, opt};
use crate::db::{Database, DbError};
use crate::verify::schema::{Column, ForeignKey, Index, Schema};

const TABLES: &str = "SELECT TABLE_NAME FROM information_schema.TABLES \
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";

const COLUMNS: &str =
    "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA \
    FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
    ORDER BY TABLE_NAME, ORDINAL_POSITION";

const INDEXES: &str = "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART \
    FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
    ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
    k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE \
    FROM information_schema.KEY_COLUMN_USAGE k \
    JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
      AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
    WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
    ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

/// MariaDB keeps the table's name in CHECK_CONSTRAINTS; MySQL 8 only in TABLE_CONSTRAINTS.
const CHECKS_MARIADB: &str =
    "SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
    WHERE CONSTRAINT_SCHEMA = DATABASE()";
const CHECKS_MYSQL: &str =
    "SELECT t.TABLE_NAME, c.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS t \
    JOIN information_schema.CHECK_CONSTRAINTS c ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA \
      AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME \
    WHERE t.TABLE_SCHEMA = DATABASE() AND t.CONSTRAINT_TYPE = 'CHECK'";

pub fn read(db: &mut dyn Database) -> Result<Schema, DbError> {
    let mut schema = Schema::default();
    for row in db.query(TABLES)?.rows {
        schema.tables.insert(cell(&row, 0), Default::default());
    }
    for row in db.query(COLUMNS)?.rows {
        let Some(t) = schema.tables.get_mut(&cell(&row, 0)) else {
            continue;
        };
        let extra = cell(&row, 5).to_ascii_uppercase();
        let mut default = if extra.contains("AUTO_INCREMENT") {
            Some("AUTO_INCREMENT".to_string())
        } else {
            default_of(opt(&row, 4))
        };
        if let Some(at) = extra.find("ON UPDATE") {
            let on_update = extra[at..].trim().to_string();
            default = Some(match default {
                Some(d) => format!("{d} {on_update}"),
                None => on_update,
            });
        }
        t.columns.push(Column {
            name: cell(&row, 1),
            ty: normal_type(&cell(&row, 2)),
            nullable: cell(&row, 3).eq_ignore_ascii_case("YES"),
            default,
        });
    }
    for row in db.query(INDEXES)?.rows {
        let Some(t) = schema.tables.get_mut(&cell(&row, 0)) else {
            continue;
        };
        let name = cell(&row, 1);
        let column = match (opt(&row, 3), opt(&row, 4)) {
            (Some(c), Some(len)) => format!("{c}({len})"),
            (Some(c), None) => c,
            (None, _) => "(expression)".into(),
        };
        if name == "PRIMARY" {
            t.primary_key.push(column);
            continue;
        }
        match t.indexes.last_mut() {
            Some(ix) if ix.name == name => ix.columns.push(column),
            _ => t.indexes.push(Index {
                name,
                columns: vec![column],
                unique: cell(&row, 2) == "0",
                partial: None,
            }),
        }
    }
    let mut last: Option<(String, String)> = None;
    for row in db.query(FOREIGN_KEYS)?.rows {
        let (table, name) = (cell(&row, 0), cell(&row, 1));
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        let same = last.as_ref() == Some(&(table.clone(), name.clone()));
        if !same {
            t.foreign_keys.push(ForeignKey {
                columns: Vec::new(),
                ref_table: cell(&row, 3),
                ref_columns: Vec::new(),
                on_update: cell(&row, 5).to_ascii_uppercase(),
                on_delete: cell(&row, 6).to_ascii_uppercase(),
            });
            last = Some((table, name));
        }
        let fk = t.foreign_keys.last_mut().expect("pushed above");
        fk.columns.push(cell(&row, 2));
        fk.ref_columns.push(cell(&row, 4));
    }
    // Servers before MariaDB 10.2 and MySQL 8.0.16 have no check constraints.
    let checks = db
        .query(CHECKS_MARIADB)
        .or_else(|_| db.query(CHECKS_MYSQL))
        .map(|r| r.rows)
        .unwrap_or_default();
    for row in checks {
        if let Some(t) = schema.tables.get_mut(&cell(&row, 0)) {
            t.checks.push(cell(&row, 1));
        }
    }
    Ok(schema)
}

/// Upper case, without integer display widths: MySQL 8 drops them, MariaDB prints them,
/// and they never change what a column holds.
pub fn normal_type(t: &str) -> String {
    let upper = t.trim().to_ascii_uppercase();
    for int in ["TINYINT", "SMALLINT", "MEDIUMINT", "BIGINT", "INT"] {
        if let Some(rest) = upper.strip_prefix(int) {
            if let Some(close) = rest
                .strip_prefix('(')
                .and_then(|r| r.find(')').map(|i| &r[i + 1..]))
            {
                return format!("{int}{close}");
            }
        }
    }
    upper
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_display_widths_are_dropped() {
        assert_eq!(normal_type("int(11)"), "INT");
        assert_eq!(normal_type("bigint(20) unsigned"), "BIGINT UNSIGNED");
        assert_eq!(normal_type("varchar(120)"), "VARCHAR(120)");
        assert_eq!(normal_type("int"), "INT");
    }
}
