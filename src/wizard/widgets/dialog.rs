//! A box drawn over the screen: the help text and the quit confirmation.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Wrap};
use ratatui::Frame;

use super::centered;
use crate::wizard::theme::Theme;

/// Draws `lines` in a bordered box of at most `width` columns, centred on `area`.
pub fn draw(f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, width: u16, theme: &Theme) {
    let inner_w = width.min(area.width).saturating_sub(4).max(1);
    // Wrapped height: what the text needs at this width, plus the border.
    let needed: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).max(1).div_ceil(inner_w))
        .sum::<u16>()
        + 2;
    let rect = centered(area, width, needed);
    f.render_widget(Clear, rect);
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .title(Span::styled(format!(" {title} "), theme.heading()));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}
