//! Screen 3: the RDBMS, chosen from a list (the classic wizard's dropdown).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{choice, para, Action};
use crate::rdbms::Rdbms;
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons::{self, Button};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    List,
    Back,
    Next,
}

#[derive(Debug, Clone)]
pub struct RdbmsScreen {
    selected: usize,
    focus: Focus,
}

impl RdbmsScreen {
    pub fn new(rdbms: Rdbms) -> Self {
        RdbmsScreen {
            selected: Rdbms::ALL.iter().position(|r| *r == rdbms).unwrap_or(0),
            focus: Focus::List,
        }
    }

    pub fn selected(&self) -> Rdbms {
        Rdbms::ALL[self.selected]
    }

    pub fn reset_focus(&mut self) {
        self.focus = Focus::List;
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        let n = Rdbms::ALL.len();
        match (key.code, self.focus) {
            (KeyCode::Down, Focus::List) => self.selected = (self.selected + 1).min(n - 1),
            (KeyCode::Up, Focus::List) => self.selected = self.selected.saturating_sub(1),
            (KeyCode::Home, Focus::List) => self.selected = 0,
            (KeyCode::End, Focus::List) => self.selected = n - 1,
            (KeyCode::Tab, _) => {
                self.focus = match self.focus {
                    Focus::List => Focus::Back,
                    Focus::Back => Focus::Next,
                    Focus::Next => Focus::List,
                }
            }
            (KeyCode::BackTab, _) => {
                self.focus = match self.focus {
                    Focus::List => Focus::Next,
                    Focus::Back => Focus::List,
                    Focus::Next => Focus::Back,
                }
            }
            (KeyCode::Esc, _) | (KeyCode::Enter, Focus::Back) => return Action::Back,
            (KeyCode::Enter, _) => return Action::Next,
            _ => return Action::Ignored,
        }
        Action::None
    }

    pub fn hints(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("Enter", "Next"),
            ("Esc", "Back"),
            ("Up/Down", "Choose"),
            ("Tab", "Field"),
            ("F1", "Help"),
            ("q", "Quit"),
        ]
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let [body, row] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let mut lines = vec![Line::raw("")];
        lines.extend(para(
            "Choose the RDBMS you are connecting to.",
            area.width,
            2,
            Style::new(),
        ));
        lines.push(Line::raw(""));
        for (i, r) in Rdbms::ALL.iter().enumerate() {
            let focused = self.focus == Focus::List && i == self.selected;
            lines.push(choice(
                r.display_name(),
                focused,
                Some(i == self.selected),
                theme,
            ));
        }
        f.render_widget(Paragraph::new(lines), body);
        buttons::draw(
            f,
            row,
            &[
                Button {
                    label: "Back",
                    focused: self.focus == Focus::Back,
                },
                Button {
                    label: "Next",
                    focused: self.focus == Focus::Next,
                },
            ],
            theme,
        );
    }
}
