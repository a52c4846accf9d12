//! The query behind the built-in foreign-key report on servers.

/// Counts rows of `child` whose non-null key columns `child_cols` (comma-separated, already
/// quoted) match no row of `parent` on `parent_cols`; table names come already quoted.
pub fn orphan_count_sql(child: &str, parent: &str, child_cols: &str, parent_cols: &str) -> String {
    let cc: Vec<&str> = child_cols.split(',').collect();
    let pc: Vec<&str> = parent_cols.split(',').collect();
    let not_null = cc
        .iter()
        .map(|c| format!("c.{c} IS NOT NULL"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let join = cc
        .iter()
        .zip(&pc)
        .map(|(c, p)| format!("p.{p} = c.{c}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    format!("SELECT COUNT(*) FROM {child} c WHERE {not_null} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {join})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn joins_every_key_column() {
        assert_eq!(
            super::orphan_count_sql("o", "c", "a,b", "x,y"),
            "SELECT COUNT(*) FROM o c WHERE c.a IS NOT NULL AND c.b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM c p WHERE p.x = c.a AND p.y = c.b)"
        );
    }
}
