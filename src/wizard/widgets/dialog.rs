//! A box drawn over the screen: the help text and the confirmations.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph};
use ratatui::Frame;

use super::centered;
use crate::wizard::text::wrap;
use crate::wizard::theme::Theme;

/// Draws `lines` in a bordered box of at most `width` columns, centred on `area`.
/// Lines are wrapped here, before the box is sized, so its height is exactly what
/// the text needs and no last line falls off the bottom.
pub fn draw(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, width: u16, theme: &Theme) {
    let width = width.min(area.width);
    let inner_w = width.saturating_sub(4).max(1) as usize;
    let mut wrapped: Vec<Line> = Vec::new();
    for line in lines {
        if line.width() <= inner_w {
            wrapped.push(line);
            continue;
        }
        // A long line is plain text in one style: wrap it on words.
        let style = line
            .spans
            .first()
            .map_or(Style::new(), |s| line.style.patch(s.style));
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        wrapped.extend(
            wrap(&text, inner_w)
                .into_iter()
                .map(|l| Line::styled(l, style)),
        );
    }
    let rect = centered(area, width, wrapped.len() as u16 + 2);
    f.render_widget(Clear, rect);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.heading()));
    f.render_widget(Paragraph::new(wrapped).block(block), rect);
}
