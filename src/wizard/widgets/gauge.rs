//! A text gauge, "[#######.......]  45%": it reads the same with or without colour
//! and on any terminal font.

use ratatui::text::{Line, Span};

use crate::wizard::theme::Theme;

pub fn line<'a>(width: u16, ratio: f64, label: String, theme: &Theme) -> Line<'a> {
    let ratio = ratio.clamp(0.0, 1.0);
    let label = format!(" {label}");
    let bar_w = (width as usize)
        .saturating_sub(label.chars().count() + 2)
        .max(4);
    let filled = ((bar_w as f64) * ratio).round() as usize;
    Line::from(vec![
        Span::raw("["),
        Span::styled("#".repeat(filled), theme.gauge()),
        Span::raw(".".repeat(bar_w - filled)),
        Span::raw("]"),
        Span::raw(label),
    ])
}
