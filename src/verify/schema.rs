//! A database's schema as verify compares it: what a fresh install and an upgrade must
//! agree on, with types and defaults normalised so that equal ones compare equal.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    /// Empty when the table has none.
    pub primary_key: Vec<String>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints' conditions, as the server prints them.
    pub checks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    /// Upper case, as the RDBMS's catalog spells it (VARCHAR(120), INTEGER, ...).
    pub ty: String,
    pub nullable: bool,
    /// `AUTO_INCREMENT` for serial and auto-increment columns, whatever the sequence is called.
    pub default: Option<String>,
}

/// An index, or a unique constraint (which is one on every RDBMS); primary keys apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: String,
    /// Column names, or expressions for expression indexes.
    pub columns: Vec<String>,
    pub unique: bool,
    /// The condition of a partial index.
    pub partial: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty when the reference names no columns (SQLite: the referenced primary key).
    pub ref_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

impl Column {
    /// "VARCHAR(120) NOT NULL DEFAULT 'x'".
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} {}",
            self.ty,
            if self.nullable { "NULL" } else { "NOT NULL" }
        );
        if let Some(d) = &self.default {
            s.push_str(" DEFAULT ");
            s.push_str(d);
        }
        s
    }
}

impl Index {
    /// "unique index on forms(slug)", the name left out: names are compared apart.
    pub fn describe(&self, table: &str) -> String {
        let mut s = format!(
            "{}index on {table}({})",
            if self.unique { "unique " } else { "" },
            self.columns.join(", ")
        );
        if let Some(p) = &self.partial {
            s.push_str(" WHERE ");
            s.push_str(p);
        }
        s
    }

    /// What the index is, without its name: how a fresh install and an upgrade are
    /// matched when they name the same index differently.
    pub fn key(&self) -> (Vec<String>, bool, Option<String>) {
        (self.columns.clone(), self.unique, self.partial.clone())
    }
}

impl ForeignKey {
    /// "foreign key forms(owner_id) -> users(id) ON DELETE CASCADE".
    pub fn describe(&self, table: &str) -> String {
        let mut s = format!(
            "foreign key {table}({}) -> {}",
            self.columns.join(", "),
            self.ref_table
        );
        if !self.ref_columns.is_empty() {
            s.push_str(&format!("({})", self.ref_columns.join(", ")));
        }
        for (what, action) in [
            ("ON UPDATE", &self.on_update),
            ("ON DELETE", &self.on_delete),
        ] {
            if !action.is_empty() && action != "NO ACTION" {
                s.push_str(&format!(" {what} {action}"));
            }
        }
        s
    }
}

/// Whitespace collapsed to single spaces and none inside parentheses: `varchar ( 20 )`
/// and `VARCHAR(20)` are the same declared type.
pub fn squeeze(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut s = words.join(" ");
    for (from, to) in [
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        (", ", ","),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

/// Whether the table is one of upwiz's own (journal, lock, version) or the RDBMS's.
pub fn is_engine_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("upwiz_") || lower.starts_with("sqlite_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_are_squeezed() {
        assert_eq!(squeeze("varchar ( 20 )"), "varchar(20)");
        assert_eq!(squeeze("DECIMAL(10, 2)"), "DECIMAL(10,2)");
        assert_eq!(squeeze("  double   precision "), "double precision");
    }

    #[test]
    fn engine_tables_are_recognised() {
        assert!(is_engine_table("upwiz_journal"));
        assert!(is_engine_table("UPWIZ_LOCK"));
        assert!(is_engine_table("sqlite_sequence"));
        assert!(!is_engine_table("forms"));
    }
}
