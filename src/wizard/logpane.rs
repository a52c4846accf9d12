//! The live log: a bounded ring of sanitised lines. UPGRADE.LOG keeps every line;
//! the screen keeps the last few thousand, so a step that prints millions of lines
//! costs neither memory nor time here.

use std::cell::Cell;
use std::collections::VecDeque;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};
use ratatui::Frame;

use super::text::{clip, sanitize};
use super::theme::Theme;
use crate::engine::Level;

pub const MAX_LINES: usize = 2_000;
/// Longer lines are cut, so memory stays bounded; shorter ones are wrapped to the
/// pane, so a report path or an error is never cut at its edge.
pub const MAX_LINE_CHARS: usize = 400;

#[derive(Debug, Clone)]
pub struct LogPane {
    lines: VecDeque<(Level, String)>,
    /// Lines scrolled back from the end; 0 follows the end.
    back: usize,
    /// How many lines the last drawing showed, for paging.
    page: Cell<usize>,
    /// Lines ever pushed, so the pane can say how many it no longer holds.
    total: u64,
}

impl Default for LogPane {
    fn default() -> Self {
        LogPane {
            lines: VecDeque::with_capacity(256),
            back: 0,
            page: Cell::new(10),
            total: 0,
        }
    }
}

impl LogPane {
    pub fn push(&mut self, level: Level, message: &str) {
        for raw in message.lines() {
            if self.lines.len() == MAX_LINES {
                self.lines.pop_front();
            }
            self.lines
                .push_back((level, sanitize(&clip(raw, MAX_LINE_CHARS))));
            self.total += 1;
            // Someone reading back keeps their place while new lines arrive.
            if self.back > 0 {
                self.back = (self.back + 1).min(self.max_back());
            }
        }
    }

    #[cfg(test)]
    pub fn held_lines(&self) -> usize {
        self.lines.len()
    }

    /// Bytes of text held: what the memory cap is about.
    #[cfg(test)]
    pub fn held_bytes(&self) -> usize {
        self.lines.iter().map(|(_, l)| l.len()).sum()
    }

    #[cfg(test)]
    pub fn follows_end(&self) -> bool {
        self.back == 0
    }

    fn max_back(&self) -> usize {
        self.lines.len().saturating_sub(self.page.get().max(1))
    }

    pub fn page_up(&mut self) {
        self.back = (self.back + self.page.get().max(1)).min(self.max_back());
    }

    pub fn page_down(&mut self) {
        self.back = self.back.saturating_sub(self.page.get().max(1));
    }

    pub fn home(&mut self) {
        self.back = self.max_back();
    }

    pub fn end(&mut self) {
        self.back = 0;
    }

    /// Draws the pane; `page` is remembered so paging matches what is on screen.
    pub fn draw(&self, f: &mut Frame, area: Rect, title: &str, theme: &Theme) {
        let block = Block::bordered()
            .padding(Padding::left(1))
            .title(Span::styled(format!(" {title} "), theme.heading()));
        let inner = block.inner(area);
        self.page.set(inner.height as usize);
        let end = self.lines.len() - self.back.min(self.lines.len());
        let height = inner.height as usize;
        // From the last line shown upwards, until the pane is full of wrapped rows.
        let mut rows: Vec<Line> = Vec::new();
        for (level, text) in self.lines.range(..end).rev() {
            if rows.len() >= height {
                break;
            }
            let style = match level {
                Level::Info => ratatui::style::Style::new(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            let parts = chunks(text, inner.width as usize);
            rows.extend(parts.into_iter().rev().map(|p| Line::styled(p, style)));
        }
        rows.truncate(height);
        rows.reverse();
        let lines = rows;
        let block = if self.back > 0 {
            block.title_bottom(Span::styled(
                format!(" {} lines back - End follows the log ", self.back),
                theme.key(),
            ))
        } else {
            block
        };
        f.render_widget(Paragraph::new(lines).block(block), area);
    }
}

/// `s` cut into rows of `width` characters, a continuation indented by two so it
/// reads as one line; rows are cut at a space when there is one near the end.
pub fn chunks(s: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut rest: Vec<char> = s.chars().collect();
    let mut first = true;
    loop {
        let room = if first { width } else { width - 2 };
        let lead = if first { "" } else { "  " };
        if rest.len() <= room {
            out.push(format!("{lead}{}", rest.iter().collect::<String>()));
            return out;
        }
        let cut = rest[..room]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|i| *i > room / 2)
            .map_or(room, |i| i + 1);
        let head: String = rest.drain(..cut).collect();
        out.push(format!("{lead}{}", head.trim_end()));
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_instead_of_being_cut_at_the_edge() {
        let path = "Report: /var/log/upwiz/violations-20261129T101010Z-9.0-before.txt";
        let rows = chunks(path, 30);
        assert!(rows.iter().all(|r| r.chars().count() <= 30), "{rows:?}");
        let joined: String = rows.iter().map(|r| r.trim()).collect::<Vec<_>>().join("");
        assert_eq!(joined.replace(' ', ""), path.replace(' ', ""));
    }

    #[test]
    fn memory_is_capped_when_fed_100_000_lines() {
        let mut pane = LogPane::default();
        let long = "x".repeat(1_000);
        for i in 0..100_000 {
            pane.push(Level::Info, &format!("line {i} {long}"));
        }
        assert_eq!(pane.held_lines(), MAX_LINES);
        assert!(pane.held_bytes() <= MAX_LINES * MAX_LINE_CHARS);
        assert_eq!(pane.total, 100_000);
        assert!(pane.lines.back().unwrap().1.starts_with("line 99999 "));
    }

    #[test]
    fn scrolling_back_keeps_its_place_and_end_follows() {
        let mut pane = LogPane {
            page: Cell::new(5),
            ..LogPane::default()
        };
        for i in 0..50 {
            pane.push(Level::Info, &format!("{i}"));
        }
        pane.page_up();
        assert_eq!(pane.back, 5);
        pane.push(Level::Info, "new");
        assert_eq!(pane.back, 6);
        pane.home();
        assert_eq!(pane.back, 46);
        pane.end();
        assert!(pane.follows_end());
    }
}
