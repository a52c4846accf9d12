//! A one-line text input. It keeps the raw value; what it shows depends on `Show`,
//! so a password is never drawn and a connect string is drawn redacted.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::wizard::text::sanitize;
use crate::wizard::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Plain,
    /// One '*' per character.
    Masked,
    /// With any password inside a connect string replaced by ***.
    Redacted,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    value: String,
    /// In characters, not bytes.
    cursor: usize,
}

/// Width of the label column in front of every field.
pub const LABEL_WIDTH: u16 = 16;

impl TextField {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        TextField { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    /// Edits the value; true when the key was an editing key.
    pub fn handle(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.value.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                let at = self.byte_at(self.cursor);
                self.value.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < self.value.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.value.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.value.chars().count(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    fn shown(&self, show: Show) -> (String, usize) {
        match show {
            Show::Plain => (sanitize(&self.value), self.cursor),
            Show::Masked => ("*".repeat(self.value.chars().count()), self.cursor),
            Show::Redacted => {
                let r = sanitize(&crate::db::redact(&self.value));
                let n = r.chars().count();
                (
                    r,
                    if self.cursor == self.value.chars().count() {
                        n
                    } else {
                        self.cursor.min(n)
                    },
                )
            }
        }
    }

    /// Draws "label  [value]" on one line; `placeholder` shows, dimmed, while it is empty.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        label: &str,
        focused: bool,
        show: Show,
        placeholder: Option<&str>,
        theme: &Theme,
    ) {
        let marker = if focused { "> " } else { "  " };
        let label_text = format!("{marker}{label}");
        // Brackets mark the field where reverse video does not show (NO_COLOR, logs).
        let field_w = area.width.saturating_sub(LABEL_WIDTH + 2).max(1) as usize;
        let (shown, cursor) = self.shown(show);
        // Scroll so the cursor stays inside the field.
        let skip = (cursor + 1).saturating_sub(field_w);
        let visible: String = shown.chars().skip(skip).take(field_w).collect();
        let style = if focused {
            theme.focus()
        } else {
            theme.field()
        };
        let mut spans = vec![
            Span::styled(
                format!("{label_text:<w$}", w = LABEL_WIDTH as usize),
                theme.heading(),
            ),
            Span::raw("["),
        ];
        match placeholder {
            Some(p) if self.value.is_empty() => {
                let p: String = p.chars().take(field_w).collect();
                let pad = field_w.saturating_sub(p.chars().count());
                spans.push(Span::styled(p, style.patch(theme.dim())));
                spans.push(Span::styled(" ".repeat(pad), style));
            }
            _ => {
                let pad = field_w.saturating_sub(visible.chars().count());
                spans.push(Span::styled(format!("{visible}{}", " ".repeat(pad)), style));
            }
        }
        spans.push(Span::raw("]"));
        f.render_widget(Paragraph::new(Line::from(spans)), area);
        if focused {
            let x =
                area.x + LABEL_WIDTH + 1 + (cursor - skip).min(field_w.saturating_sub(1)) as u16;
            f.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_at_the_cursor() {
        let mut t = TextField::new("acd");
        t.handle(&key(KeyCode::Left));
        t.handle(&key(KeyCode::Left));
        t.handle(&key(KeyCode::Char('b')));
        assert_eq!(t.value(), "abcd");
        t.handle(&key(KeyCode::End));
        t.handle(&key(KeyCode::Backspace));
        assert_eq!(t.value(), "abc");
        t.handle(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert!(t.is_empty());
    }

    #[test]
    fn masked_and_redacted_never_show_the_secret() {
        let t = TextField::new("hunter2");
        assert_eq!(t.shown(Show::Masked).0, "*******");
        let c = TextField::new("postgres://app:hunter2@db/x");
        assert!(!c.shown(Show::Redacted).0.contains("hunter2"));
    }
}
