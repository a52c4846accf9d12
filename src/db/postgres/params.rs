//! Bind parameters: `?` placeholders numbered as PostgreSQL wants them, values sent as
//! text, and rows read back as the simple protocol shows them.

use postgres::types::{Format, IsNull, ToSql, Type};

use crate::db::Value;

/// A parameter sent in PostgreSQL's text format: the server parses it as whatever type
/// the statement gives it there, as it would a literal, but it is never SQL.
#[derive(Debug)]
pub(super) struct TextParam<'a>(pub(super) &'a Value);

impl ToSql for TextParam<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let text = match self.0 {
            Value::Null => return Ok(IsNull::Yes),
            Value::Blob(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                format!("\\x{hex}")
            }
            other => other.render(),
        };
        if text.contains('\0') {
            return Err("a text value holds a NUL character, which PostgreSQL cannot store".into());
        }
        out.extend_from_slice(text.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    postgres::types::to_sql_checked!();
}

/// A column of a row read with the extended protocol (binary), as the simple protocol
/// would have shown it.
pub(super) fn typed_value(row: &postgres::Row, i: usize) -> Value {
    fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Option<T> {
        row.try_get::<_, Option<T>>(i).ok().flatten()
    }
    let ty = row.columns()[i].type_().clone();
    let v = match ty {
        Type::INT2 => get::<i16>(row, i).map(|v| Value::Int(v.into())),
        Type::INT4 => get::<i32>(row, i).map(|v| Value::Int(v.into())),
        Type::INT8 => get::<i64>(row, i).map(Value::Int),
        Type::OID => get::<u32>(row, i).map(|v| Value::Int(v.into())),
        Type::FLOAT4 => get::<f32>(row, i).map(|v| Value::Real(v.into())),
        Type::FLOAT8 => get::<f64>(row, i).map(Value::Real),
        Type::BOOL => get::<bool>(row, i).map(|b| Value::Text(if b { "t" } else { "f" }.into())),
        Type::BYTEA => get::<Vec<u8>>(row, i).map(Value::Blob),
        _ => get::<String>(row, i).map(Value::Text),
    };
    v.unwrap_or(Value::Null)
}

/// `?` placeholders numbered `$1`, `$2`, ... as PostgreSQL wants them; a `?` inside a
/// string, a quoted name or a comment is left alone.
pub(super) fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                n += 1;
                out.push_str(&format!("${n}"));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod placeholder_tests {
    use super::number_placeholders;

    #[test]
    fn numbers_placeholders_outside_strings_and_names() {
        assert_eq!(
            number_placeholders("UPDATE t SET a = ?, \"b?\" = '?' WHERE c = ? -- ?\n AND d = ?"),
            "UPDATE t SET a = $1, \"b?\" = '?' WHERE c = $2 -- ?\n AND d = $3"
        );
    }
}
