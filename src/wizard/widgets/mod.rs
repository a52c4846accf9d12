//! Small widgets shared by the screens.

pub mod buttons;
pub mod dialog;
pub mod focus;
pub mod gauge;
pub mod hints;
pub mod textfield;

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// A `w` x `h` rectangle in the middle of `area`, shrunk to fit.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(r);
    r
}
