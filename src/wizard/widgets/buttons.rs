//! A row of dialog buttons: "[ Back ]  [ Next ]", the focused one reversed and marked.

use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::wizard::theme::Theme;

pub struct Button<'a> {
    pub label: &'a str,
    pub focused: bool,
}

pub fn label(b: &Button) -> String {
    if b.focused {
        format!(">[ {} ]<", b.label)
    } else {
        format!(" [ {} ] ", b.label)
    }
}

pub fn draw(f: &mut Frame, area: Rect, buttons: &[Button], theme: &Theme) {
    let mut spans = Vec::new();
    for (i, b) in buttons.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        let style = if b.focused {
            theme.focus()
        } else {
            theme.heading()
        };
        spans.push(Span::styled(label(b), style));
    }
    spans.push(Span::raw(" "));
    f.render_widget(
        Paragraph::new(Line::from(spans)).alignment(Alignment::Right),
        area,
    );
}

/// The Back and Next (or Finish) row at the foot of a wizard screen.
pub fn back_next(
    f: &mut Frame,
    area: Rect,
    back_focused: bool,
    next: &str,
    next_focused: bool,
    theme: &Theme,
) {
    draw(
        f,
        area,
        &[
            Button {
                label: "Back",
                focused: back_focused,
            },
            Button {
                label: next,
                focused: next_focused,
            },
        ],
        theme,
    );
}
