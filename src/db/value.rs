//! Values and results that every backend returns in the same shape.

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    /// Text for messages and reports.
    pub fn render(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Int(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(s) => s.clone(),
            Value::Blob(b) => format!("<{} bytes>", b.len()),
        }
    }

    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            other => Some(other.render()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
    /// The first column of the first row, as text.
    pub fn scalar(&self) -> Option<String> {
        self.rows.first()?.first()?.as_text()
    }

    /// The first column of every row, as text (NULLs left out).
    pub fn first_column(self) -> Vec<String> {
        self.rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().and_then(|v| v.as_text()))
            .collect()
    }

    /// A row as "col=value, col=value", for violation and preflight messages.
    pub fn describe_row(&self, i: usize) -> String {
        self.rows[i]
            .iter()
            .zip(&self.columns)
            .map(|(v, c)| format!("{c}={}", v.render()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A standard SQL string literal: single quotes doubled.
pub fn quote_standard(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Int(i) => i.to_string(),
        Value::Real(f) if f.is_finite() => format!("{f:?}"),
        Value::Real(_) => "NULL".into(),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02X}")).collect();
            format!("X'{hex}'")
        }
    }
}
