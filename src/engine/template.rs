//! `{{name}}` placeholders in package SQL, replaced by SQL literals.

/// Replaces each `{{name}}` with `lookup(name)`; an unknown name is an error naming it.
pub fn fill(template: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
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
    use super::fill;

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
