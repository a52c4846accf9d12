//! Whether the objects a DDL statement creates or drops are in the catalog now: how a
//! resumed run settles the statement its predecessor was running when it died.

use super::ddl::{effects, Effect, Name, Object};
use crate::db::{Database, DbError, Value};
use crate::rdbms::Rdbms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Present,
    Absent,
    /// A PostgreSQL index whose concurrent build failed or was cut short: it exists
    /// but is not used, and must be dropped before it can be built again.
    Invalid,
}

/// What the catalog says of a statement that may or may not have run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Applied,
    NotApplied,
    /// Its objects cannot be read from its text, or the catalog shows only part of them.
    Unknown,
}

/// Settles `sql` by its effects. Invalid indexes count as not there.
pub fn settle(db: &mut dyn Database, sql: &str) -> Result<Settled, DbError> {
    let effects = effects(sql);
    if effects.is_empty() {
        return Ok(Settled::Unknown);
    }
    let (mut done, mut undone) = (0, 0);
    for e in &effects {
        let Some(p) = presence(db, &e.object)? else {
            return Ok(Settled::Unknown);
        };
        if (p == Presence::Present) == e.exists {
            done += 1;
        } else {
            undone += 1;
        }
    }
    Ok(match (done, undone) {
        (_, 0) => Settled::Applied,
        (0, _) => Settled::NotApplied,
        _ => Settled::Unknown,
    })
}

/// Invalid indexes `sql` would create, left by a concurrent build that failed or was
/// cut short: the index name, schema-qualified as written.
pub fn invalid_indexes(db: &mut dyn Database, sql: &str) -> Result<Vec<String>, DbError> {
    if db.rdbms() != Rdbms::Postgres {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for Effect { object, exists } in effects(sql) {
        if let (Object::Index { name, .. }, true) = (&object, exists) {
            if presence(db, &object)? == Some(Presence::Invalid) {
                out.push(match &name.schema {
                    Some(s) => format!("{}.{}", pg_ident(s), pg_ident(&name.name)),
                    None => pg_ident(&name.name),
                });
            }
        }
    }
    Ok(out)
}

fn pg_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The name as the catalog stores it: PostgreSQL folds bare names to lower case.
fn stored(rdbms: Rdbms, n: &Name) -> String {
    if rdbms == Rdbms::Postgres && !n.quoted {
        n.name.to_lowercase()
    } else {
        n.name.clone()
    }
}

fn text(s: String) -> Value {
    Value::Text(s)
}

/// Whether `object` is there; None where this RDBMS cannot say (named constraints on
/// SQLite).
pub fn presence(db: &mut dyn Database, object: &Object) -> Result<Option<Presence>, DbError> {
    let rdbms = db.rdbms();
    let name = |n: &Name| text(stored(rdbms, n));
    // The schema as written, or the connection's own.
    let schema = |n: &Name| {
        n.schema
            .as_ref()
            .map_or(Value::Null, |s| text(stored(rdbms, &plain(s))))
    };
    let (sql, params): (&str, Vec<Value>) = match (rdbms, object) {
        (Rdbms::Sqlite, Object::Table(n)) => (
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
            vec![name(n)],
        ),
        (Rdbms::Sqlite, Object::View(n)) => (
            "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ? COLLATE NOCASE",
            vec![name(n)],
        ),
        (Rdbms::Sqlite, Object::Trigger(n)) => (
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ? COLLATE NOCASE",
            vec![name(n)],
        ),
        (Rdbms::Sqlite, Object::Index { name: n, .. }) => (
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ? COLLATE NOCASE",
            vec![name(n)],
        ),
        (Rdbms::Sqlite, Object::Column { table, column }) => (
            "SELECT 1 FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE",
            vec![name(table), name(column)],
        ),
        (Rdbms::Sqlite, Object::Constraint { .. } | Object::Routine(_)) => return Ok(None),

        (Rdbms::Postgres, Object::Table(n)) => (
            "SELECT 1 FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND c.relname = ? AND s.nspname = COALESCE(?, current_schema())",
            vec![name(n), schema(n)],
        ),
        (Rdbms::Postgres, Object::View(n)) => (
            "SELECT 1 FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND c.relname = ? AND s.nspname = COALESCE(?, current_schema())",
            vec![name(n), schema(n)],
        ),
        (Rdbms::Postgres, Object::Trigger(n)) => (
            "SELECT 1 FROM pg_trigger t WHERE t.tgname = ? AND NOT t.tgisinternal",
            vec![name(n)],
        ),
        (Rdbms::Postgres, Object::Routine(n)) => (
            "SELECT 1 FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace WHERE p.proname = ? AND s.nspname = COALESCE(?, current_schema())",
            vec![name(n), schema(n)],
        ),
        (Rdbms::Postgres, Object::Index { name: n, .. }) => {
            let r = db.query_with(
                "SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ? AND s.nspname = COALESCE(?, current_schema())",
                &[name(n), schema(n)],
            )?;
            return Ok(Some(match r.scalar().as_deref() {
                None => Presence::Absent,
                Some("valid") => Presence::Present,
                Some(_) => Presence::Invalid,
            }));
        }
        (Rdbms::Postgres, Object::Column { table, column }) => (
            "SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relname = ? AND s.nspname = COALESCE(?, current_schema()) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped",
            vec![name(table), schema(table), name(column)],
        ),
        (Rdbms::Postgres, Object::Constraint { table, name: n }) => (
            "SELECT 1 FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace s ON s.oid = c.relnamespace WHERE c.relname = ? AND s.nspname = COALESCE(?, current_schema()) AND k.conname = ?",
            vec![name(table), schema(table), name(n)],
        ),

        (Rdbms::Mysql, Object::Table(n)) => (
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND TABLE_TYPE <> 'VIEW'",
            vec![schema(n), name(n)],
        ),
        (Rdbms::Mysql, Object::View(n)) => (
            "SELECT 1 FROM information_schema.VIEWS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?",
            vec![schema(n), name(n)],
        ),
        (Rdbms::Mysql, Object::Trigger(n)) => (
            "SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = COALESCE(?, DATABASE()) AND TRIGGER_NAME = ?",
            vec![schema(n), name(n)],
        ),
        (Rdbms::Mysql, Object::Routine(n)) => (
            "SELECT 1 FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = COALESCE(?, DATABASE()) AND ROUTINE_NAME = ?",
            vec![schema(n), name(n)],
        ),
        (Rdbms::Mysql, Object::Index { table: Some(t), name: n }) => (
            "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND INDEX_NAME = ?",
            vec![schema(t), name(t), name(n)],
        ),
        (Rdbms::Mysql, Object::Index { table: None, .. }) => return Ok(None),
        (Rdbms::Mysql, Object::Column { table, column }) => (
            "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?",
            vec![schema(table), name(table), name(column)],
        ),
        // Foreign keys are in both views; after a kill MariaDB may know a key in
        // REFERENTIAL_CONSTRAINTS that re-running reports as a duplicate (errno 121).
        (Rdbms::Mysql, Object::Constraint { table, name: n }) => (
            "SELECT 1 FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = ? \
             UNION ALL SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?",
            vec![schema(table), name(table), name(n), schema(table), name(table), name(n)],
        ),
    };
    let found = !db.query_with(sql, &params)?.rows.is_empty();
    Ok(Some(if found {
        Presence::Present
    } else {
        Presence::Absent
    }))
}

fn plain(s: &str) -> Name {
    Name {
        schema: None,
        name: s.to_string(),
        quoted: false,
    }
}
