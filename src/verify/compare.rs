//! Comparing the schema an upgrade left with the reference (a fresh install), in words
//! an operator can act on. Index names are compared apart: a fresh install and an
//! upgrade often name the same index differently, which is a note, not a failure.

use std::collections::BTreeMap;

use super::schema::{Column, Index, Schema, Table};

/// What differs (failures) and what is only named differently (notes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    pub differences: Vec<String>,
    pub notes: Vec<String>,
}

/// `reference` says where the expected schema comes from, as it reads after a
/// comparison: "in a fresh 11.0 install".
pub fn compare(got: &Schema, want: &Schema, reference: &str) -> Comparison {
    let mut out = Comparison::default();
    for (name, w) in &want.tables {
        match got.tables.get(name) {
            None => out.differences.push(format!(
                "table {name} is missing after the upgrade; it is there {reference}"
            )),
            Some(g) => table(name, g, w, reference, &mut out),
        }
    }
    for name in got.tables.keys().filter(|n| !want.tables.contains_key(*n)) {
        out.differences.push(format!(
            "table {name} is there after the upgrade, not {reference}"
        ));
    }
    out
}

fn table(name: &str, got: &Table, want: &Table, reference: &str, out: &mut Comparison) {
    for w in &want.columns {
        match got.column(&w.name) {
            None => out.differences.push(format!(
                "column {name}.{} is missing after the upgrade; {reference} it is {}",
                w.name,
                w.describe()
            )),
            Some(g) if g != w => out.differences.push(column_differs(name, g, w, reference)),
            Some(_) => {}
        }
    }
    for g in got
        .columns
        .iter()
        .filter(|g| want.column(&g.name).is_none())
    {
        out.differences.push(format!(
            "column {name}.{} ({}) is there after the upgrade, not {reference}",
            g.name,
            g.describe()
        ));
    }
    if got.primary_key != want.primary_key {
        let pk = |cols: &[String]| match cols.is_empty() {
            true => "none".to_string(),
            false => format!("({})", cols.join(", ")),
        };
        out.differences.push(format!(
            "the primary key of {name} is {} after the upgrade, {} {reference}",
            pk(&got.primary_key),
            pk(&want.primary_key)
        ));
    }
    indexes(name, &got.indexes, &want.indexes, reference, out);
    for w in want
        .foreign_keys
        .iter()
        .filter(|w| !got.foreign_keys.contains(w))
    {
        out.differences.push(format!(
            "{} is missing after the upgrade; it is there {reference}",
            w.describe(name)
        ));
    }
    for g in got
        .foreign_keys
        .iter()
        .filter(|g| !want.foreign_keys.contains(g))
    {
        out.differences.push(format!(
            "{} is there after the upgrade, not {reference}",
            g.describe(name)
        ));
    }
    for w in want.checks.iter().filter(|w| !got.checks.contains(w)) {
        out.differences.push(format!(
            "check constraint CHECK ({w}) on {name} is missing after the upgrade; it is there {reference}"
        ));
    }
    for g in got.checks.iter().filter(|g| !want.checks.contains(g)) {
        out.differences.push(format!(
            "check constraint CHECK ({g}) on {name} is there after the upgrade, not {reference}"
        ));
    }
}

fn column_differs(table: &str, got: &Column, want: &Column, reference: &str) -> String {
    format!(
        "column {table}.{} is {} after the upgrade, {} {reference}",
        got.name,
        got.describe(),
        want.describe()
    )
}

type IndexKey = (Vec<String>, bool, Option<String>);

/// Indexes matched by what they are (columns, uniqueness, condition); the names of
/// matched ones compared for notes.
fn indexes(table: &str, got: &[Index], want: &[Index], reference: &str, out: &mut Comparison) {
    let group = |list: &[Index]| {
        let mut by: BTreeMap<IndexKey, Vec<String>> = BTreeMap::new();
        for ix in list {
            by.entry(ix.key()).or_default().push(ix.name.clone());
        }
        by
    };
    let (mut g, mut w) = (group(got), group(want));
    let keys: Vec<IndexKey> = g.keys().chain(w.keys()).cloned().collect();
    let mut seen: Vec<&IndexKey> = Vec::new();
    for key in &keys {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let mut gn = g.remove(key).unwrap_or_default();
        let mut wn = w.remove(key).unwrap_or_default();
        // Same names pair first: only the rest can be named differently.
        let common: Vec<String> = gn.iter().filter(|n| wn.contains(n)).cloned().collect();
        for n in &common {
            gn.retain(|x| x != n);
            wn.retain(|x| x != n);
        }
        let sample = Index {
            name: String::new(),
            columns: key.0.clone(),
            unique: key.1,
            partial: key.2.clone(),
        };
        let what = sample.describe(table);
        let paired = gn.len().min(wn.len());
        for (a, b) in gn.iter().zip(&wn).take(paired) {
            if !is_automatic(a) || !is_automatic(b) {
                out.notes.push(format!(
                    "{what} is named {a} after the upgrade, {b} {reference}"
                ));
            }
        }
        for n in wn.iter().skip(paired) {
            out.differences.push(format!(
                "{what} ({n}) is missing after the upgrade; it is there {reference}"
            ));
        }
        for n in gn.iter().skip(paired) {
            out.differences.push(format!(
                "{what} ({n}) is there after the upgrade, not {reference}"
            ));
        }
    }
}

/// Names the RDBMS made up itself: never worth a note.
fn is_automatic(name: &str) -> bool {
    name.starts_with("sqlite_autoindex_")
}

/// The declared columns (`[release.columns]` of `release`) that `schema` lacks.
pub fn declared_missing(
    schema: &Schema,
    declared: &BTreeMap<String, Vec<String>>,
    release: &str,
    place: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for (table, columns) in declared {
        let Some(t) = schema.tables.get(table) else {
            out.push(format!(
                "table {table}, declared in [release.columns] of {release}, is missing {place}"
            ));
            continue;
        };
        for c in columns.iter().filter(|c| t.column(c).is_none()) {
            out.push(format!(
                "column {table}.{c}, declared in [release.columns] of {release}, is missing {place}"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::schema::ForeignKey;

    fn col(name: &str, ty: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            ty: ty.into(),
            nullable,
            default: None,
        }
    }

    fn ix(name: &str, cols: &[&str], unique: bool) -> Index {
        Index {
            name: name.into(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            unique,
            partial: None,
        }
    }

    fn forms(slug: Column, indexes: Vec<Index>, fks: Vec<ForeignKey>) -> Schema {
        let mut s = Schema::default();
        s.tables.insert(
            "forms".into(),
            Table {
                columns: vec![col("id", "INTEGER", false), slug],
                primary_key: vec!["id".into()],
                indexes,
                foreign_keys: fks,
                checks: vec![],
            },
        );
        s
    }

    const FRESH: &str = "in a fresh 11.0 install";

    #[test]
    fn equal_schemas_have_no_differences() {
        let s = forms(col("slug", "VARCHAR(120)", false), vec![], vec![]);
        assert_eq!(compare(&s, &s.clone(), FRESH), Comparison::default());
    }

    #[test]
    fn a_column_type_and_nullability_difference_is_described() {
        let got = forms(col("slug", "VARCHAR(200)", true), vec![], vec![]);
        let want = forms(col("slug", "VARCHAR(120)", false), vec![], vec![]);
        let c = compare(&got, &want, FRESH);
        assert_eq!(
            c.differences,
            vec!["column forms.slug is VARCHAR(200) NULL after the upgrade, VARCHAR(120) NOT NULL in a fresh 11.0 install"]
        );
    }

    #[test]
    fn defaults_count() {
        let mut with = col("slug", "TEXT", true);
        with.default = Some("'x'".into());
        let c = compare(
            &forms(col("slug", "TEXT", true), vec![], vec![]),
            &forms(with, vec![], vec![]),
            FRESH,
        );
        assert_eq!(
            c.differences,
            vec!["column forms.slug is TEXT NULL after the upgrade, TEXT NULL DEFAULT 'x' in a fresh 11.0 install"]
        );
    }

    #[test]
    fn missing_and_extra_tables_and_columns_are_named() {
        let mut got = forms(col("slug", "TEXT", true), vec![], vec![]);
        let mut want = got.clone();
        got.tables.insert("old_stuff".into(), Table::default());
        want.tables.insert("users".into(), Table::default());
        want.tables
            .get_mut("forms")
            .unwrap()
            .columns
            .push(col("title", "TEXT", false));
        got.tables
            .get_mut("forms")
            .unwrap()
            .columns
            .push(col("legacy", "TEXT", true));
        let d = compare(&got, &want, FRESH).differences;
        assert!(
            d.contains(
                &"table users is missing after the upgrade; it is there in a fresh 11.0 install"
                    .to_string()
            ),
            "{d:?}"
        );
        assert!(
            d.contains(
                &"table old_stuff is there after the upgrade, not in a fresh 11.0 install"
                    .to_string()
            ),
            "{d:?}"
        );
        assert!(d.contains(&"column forms.title is missing after the upgrade; in a fresh 11.0 install it is TEXT NOT NULL".to_string()), "{d:?}");
        assert!(d.contains(&"column forms.legacy (TEXT NULL) is there after the upgrade, not in a fresh 11.0 install".to_string()), "{d:?}");
        assert_eq!(d.len(), 4);
    }

    #[test]
    fn index_names_are_notes_and_missing_indexes_differences() {
        let slug = col("slug", "TEXT", true);
        let got = forms(
            slug.clone(),
            vec![ix("forms_slug_idx", &["slug"], false)],
            vec![],
        );
        let want = forms(
            slug,
            vec![
                ix("ix_forms_slug", &["slug"], false),
                ix("forms_slug_key", &["id", "slug"], true),
            ],
            vec![],
        );
        let c = compare(&got, &want, FRESH);
        assert_eq!(
            c.notes,
            vec!["index on forms(slug) is named forms_slug_idx after the upgrade, ix_forms_slug in a fresh 11.0 install"]
        );
        assert_eq!(
            c.differences,
            vec!["unique index on forms(id, slug) (forms_slug_key) is missing after the upgrade; it is there in a fresh 11.0 install"]
        );
    }

    #[test]
    fn uniqueness_is_part_of_an_index() {
        let slug = col("slug", "TEXT", true);
        let got = forms(slug.clone(), vec![ix("s", &["slug"], false)], vec![]);
        let want = forms(slug, vec![ix("s", &["slug"], true)], vec![]);
        assert_eq!(compare(&got, &want, FRESH).differences.len(), 2);
    }

    #[test]
    fn foreign_keys_primary_keys_and_checks_are_compared_by_content() {
        let fk = ForeignKey {
            columns: vec!["owner_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_update: "NO ACTION".into(),
            on_delete: "CASCADE".into(),
        };
        let slug = col("slug", "TEXT", true);
        let got = forms(slug.clone(), vec![], vec![]);
        let mut want = forms(slug, vec![], vec![fk]);
        let t = want.tables.get_mut("forms").unwrap();
        t.checks.push("length(slug) > 0".into());
        t.primary_key = vec!["id".into(), "slug".into()];
        let d = compare(&got, &want, FRESH).differences;
        assert_eq!(
            d,
            vec![
                "the primary key of forms is (id) after the upgrade, (id, slug) in a fresh 11.0 install",
                "foreign key forms(owner_id) -> users(id) ON DELETE CASCADE is missing after the upgrade; it is there in a fresh 11.0 install",
                "check constraint CHECK (length(slug) > 0) on forms is missing after the upgrade; it is there in a fresh 11.0 install",
            ]
        );
    }

    #[test]
    fn declared_columns_must_be_there() {
        let s = forms(col("slug", "TEXT", true), vec![], vec![]);
        let mut declared = BTreeMap::new();
        declared.insert(
            "forms".to_string(),
            vec!["id".into(), "slug".into(), "title".into()],
        );
        declared.insert("users".to_string(), vec!["id".into()]);
        assert_eq!(
            declared_missing(&s, &declared, "11.0", "after the upgrade"),
            vec![
                "column forms.title, declared in [release.columns] of 11.0, is missing after the upgrade",
                "table users, declared in [release.columns] of 11.0, is missing after the upgrade",
            ]
        );
    }
}
