//! SQLite: the table_info, index_list, index_info and foreign_key_list pragmas; check
//! constraints from the CREATE TABLE text, which is the only place SQLite keeps them.

use super::{cell, default_of, opt};
use crate::db::{Database, DbError, Value};
use crate::verify::schema::{squeeze, Column, ForeignKey, Index, Schema, Table};

pub fn read(db: &mut dyn Database) -> Result<Schema, DbError> {
    let mut schema = Schema::default();
    let tables = db.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    for row in &tables.rows {
        let name = cell(row, 0);
        let sql = cell(row, 1);
        let mut table = Table {
            checks: checks_in(&sql),
            ..Table::default()
        };
        let p = [Value::Text(name.clone())];
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in db
            .query_with(
                "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid",
                &p,
            )?
            .rows
        {
            let col = cell(&c, 0);
            let pk_pos: i64 = cell(&c, 4).parse().unwrap_or(0);
            if pk_pos > 0 {
                pk.push((pk_pos, col.clone()));
            }
            table.columns.push(Column {
                name: col,
                ty: squeeze(&cell(&c, 1)).to_ascii_uppercase(),
                nullable: cell(&c, 2) == "0",
                default: default_of(opt(&c, 3)),
            });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let list = db.query_with(
            "SELECT l.name, l.\"unique\", l.origin, l.partial, m.sql FROM pragma_index_list(?) l LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name",
            &p,
        )?;
        for ix in &list.rows {
            if cell(ix, 2) == "pk" {
                continue;
            }
            let ix_name = cell(ix, 0);
            let columns = db
                .query_with(
                    "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                    &[Value::Text(ix_name.clone())],
                )?
                .rows
                .iter()
                .map(|r| opt(r, 0).unwrap_or_else(|| "(expression)".into()))
                .collect();
            let partial = (cell(ix, 3) == "1")
                .then(|| where_clause(&cell(ix, 4)))
                .flatten();
            table.indexes.push(Index {
                name: ix_name,
                columns,
                unique: cell(ix, 1) == "1",
                partial,
            });
        }
        let mut fks: Vec<(String, ForeignKey)> = Vec::new();
        for f in db
            .query_with(
                "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
                &p,
            )?
            .rows
        {
            let id = cell(&f, 0);
            if fks.last().map(|(i, _)| i) != Some(&id) {
                fks.push((
                    id.clone(),
                    ForeignKey {
                        columns: Vec::new(),
                        ref_table: cell(&f, 1),
                        ref_columns: Vec::new(),
                        on_update: cell(&f, 4).to_ascii_uppercase(),
                        on_delete: cell(&f, 5).to_ascii_uppercase(),
                    },
                ));
            }
            let fk = &mut fks.last_mut().expect("pushed above").1;
            fk.columns.push(cell(&f, 2));
            if let Some(to) = opt(&f, 3) {
                fk.ref_columns.push(to);
            }
        }
        table.foreign_keys = fks.into_iter().map(|(_, f)| f).collect();
        schema.tables.insert(name, table);
    }
    Ok(schema)
}

/// The condition after the last WHERE of a partial index's CREATE INDEX text.
fn where_clause(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let at = upper.rfind("WHERE")?;
    Some(squeeze(&sql[at + 5..]))
}

/// The conditions of every CHECK in a CREATE TABLE statement, in order; quoted text
/// and identifiers are skipped so that a column named "check" is not one.
pub fn checks_in(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '\'' | '"' | '`' | '[') {
            let close = if c == '[' { ']' } else { c };
            i += 1;
            while i < chars.len() && chars[i] != close {
                i += 1;
            }
            i += 1;
            continue;
        }
        let word_start = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let is_check = word_start
            && chars.len() >= i + 5
            && chars[i..i + 5]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("check")
            && chars
                .get(i + 5)
                .is_none_or(|n| !(n.is_alphanumeric() || *n == '_'));
        if !is_check {
            i += 1;
            continue;
        }
        let mut j = i + 5;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if chars.get(j) != Some(&'(') {
            i += 5;
            continue;
        }
        let (start, mut depth, mut k) = (j + 1, 1, j + 1);
        let mut quote: Option<char> = None;
        while k < chars.len() && depth > 0 {
            match (quote, chars[k]) {
                (Some(q), ch) if ch == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"' | '`') => quote = Some(chars[k]),
                (None, '(') => depth += 1,
                (None, ')') => depth -= 1,
                _ => {}
            }
            k += 1;
        }
        let end = if depth == 0 { k - 1 } else { k };
        found.push(squeeze(&chars[start..end].iter().collect::<String>()));
        i = k;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_found_in_create_table_text() {
        let sql = "CREATE TABLE t (a INTEGER CHECK (a > 0), \"check\" TEXT, b TEXT DEFAULT 'check(x)', CONSTRAINT c CHECK(length(b) < 10 AND b <> ')'))";
        assert_eq!(checks_in(sql), vec!["a > 0", "length(b) < 10 AND b <> ')'"]);
        assert!(checks_in("CREATE TABLE checks (checked INTEGER)").is_empty());
    }
}
