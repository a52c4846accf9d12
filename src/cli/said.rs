//! What the ways-out commands (restore, repair, unlock) say: lines for the operator, or
//! with `--json` one object when the command ends.

use serde_json::{Map, Value};

use super::print;

pub struct Said {
    json: bool,
    lines: Vec<String>,
    fields: Map<String, Value>,
}

impl Said {
    pub fn new(json: bool) -> Said {
        Said {
            json,
            lines: Vec::new(),
            fields: Map::new(),
        }
    }

    /// A line of text; with --json, one of the object's `messages`.
    pub fn line(&mut self, text: String) {
        if !self.json {
            print::out(&text);
        }
        self.lines.push(text);
    }

    /// A field of the JSON object.
    pub fn set(&mut self, key: &str, value: impl serde::Serialize) {
        self.fields.insert(
            key.to_string(),
            serde_json::to_value(value).unwrap_or(Value::Null),
        );
    }

    /// A failure or refusal: one line on stderr, and the object's `error`.
    pub fn error(&mut self, message: String) {
        print::error_line(&message);
        self.fields.insert("error".into(), Value::String(message));
    }

    /// Ends the command with exit `code`, printing the object with --json.
    pub fn finish(mut self, code: i32) -> i32 {
        if self.json {
            self.fields.insert("exit".into(), code.into());
            self.fields.insert("messages".into(), self.lines.into());
            print::out_object(Value::Object(self.fields));
        }
        code
    }
}
