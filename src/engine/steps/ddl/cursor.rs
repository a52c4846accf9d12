//! The words of a DDL statement, and a cursor that walks them: enough of SQL's lexical
//! rules (quoted names, strings, comments) to find the objects a statement names.

use super::Name;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    Quoted(String),
    Punct(char),
}

impl Tok {
    pub(super) fn is(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

pub(super) fn tokens(sql: &str) -> Vec<Tok> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if (c == '-' && next == Some('-')) || c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let mut s = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == close {
                    if chars.get(i + 1) == Some(&close) && close != ']' {
                        s.push(close);
                        i += 2;
                        continue;
                    }
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Tok::Quoted(s));
        } else if c == '\'' {
            // String literals say nothing about names: skipped, with both escapes.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\\' {
                    i += 2;
                    continue;
                }
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Punct('\''));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

pub(super) struct Cursor<'a> {
    pub(super) t: &'a [Tok],
    pub(super) i: usize,
}

impl Cursor<'_> {
    pub(super) fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    pub(super) fn eat(&mut self, kw: &str) -> bool {
        if self.peek().is_some_and(|t| t.is(kw)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    pub(super) fn eat_all(&mut self, kws: &[&str]) -> bool {
        let save = self.i;
        for kw in kws {
            if !self.eat(kw) {
                self.i = save;
                return false;
            }
        }
        true
    }
    pub(super) fn skip_if_exists(&mut self) {
        if !self.eat_all(&["IF", "NOT", "EXISTS"]) {
            self.eat_all(&["IF", "EXISTS"]);
        }
    }
    /// One identifier part.
    pub(super) fn ident(&mut self) -> Option<(String, bool)> {
        let r = match self.peek()? {
            Tok::Word(w) => (w.clone(), false),
            Tok::Quoted(q) => (q.clone(), true),
            Tok::Punct(_) => return None,
        };
        self.i += 1;
        Some(r)
    }
    /// A possibly schema-qualified name.
    pub(super) fn name(&mut self) -> Option<Name> {
        let (first, q1) = self.ident()?;
        if self.peek() == Some(&Tok::Punct('.')) {
            self.i += 1;
            let (second, q2) = self.ident()?;
            return Some(Name {
                schema: Some(first),
                name: second,
                quoted: q2,
            });
        }
        Some(Name {
            schema: None,
            name: first,
            quoted: q1,
        })
    }
}
