//! `{{name}}` placeholders in package SQL, replaced by bind parameters.

use crate::db::Value;

/// `template` with each `{{name}}` replaced by a `?` placeholder, and the values for
/// them in order; an unknown name is an error naming it. The values are sent apart from
/// the SQL, so no value and no server setting can make them executable.
pub fn bind(
    template: &str,
    lookup: impl Fn(&str) -> Option<Value>,
) -> Result<(String, Vec<Value>), String> {
    let mut params = Vec::new();
    let sql = fill(template, |name| {
        let v = lookup(name)?;
        params.push(v);
        Some("?".to_string())
    })?;
    Ok((sql, params))
}

/// Replaces each `{{name}}` with `lookup(name)`; an unknown name is an error naming it.
pub fn fill(
    template: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("a '{{' placeholder is never closed with '}}'".into());
        };
        let name = after[..end].trim();
        match lookup(name) {
            Some(v) => out.push_str(&v),
            None => return Err(format!("unknown placeholder {{{{{name}}}}}")),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{bind, fill};
    use crate::db::Value;

    #[test]
    fn binds_values_instead_of_writing_them_into_the_sql() {
        let evil = "x\\' ; DELETE FROM settings; COMMIT; --";
        let (sql, params) = bind("UPDATE t SET n = {{name}} WHERE id = {{id}}", |n| match n {
            "name" => Some(Value::Text(evil.into())),
            "id" => Some(Value::Int(7)),
            _ => None,
        })
        .unwrap();
        assert_eq!(sql, "UPDATE t SET n = ? WHERE id = ?");
        assert_eq!(params, vec![Value::Text(evil.into()), Value::Int(7)]);
        assert!(bind("{{nope}}", |_| None).is_err());
    }

    #[test]
    fn replaces_known_and_rejects_unknown() {
        let f = |n: &str| (n == "id").then(|| "42".to_string());
        assert_eq!(
            fill("UPDATE t SET x = {{ id }};", f).unwrap(),
            "UPDATE t SET x = 42;"
        );
        assert!(fill("{{nope}}", f).unwrap_err().contains("{{nope}}"));
        assert!(fill("{{id", f).is_err());
        assert_eq!(fill("no placeholders", f).unwrap(), "no placeholders");
    }
}
