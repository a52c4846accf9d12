//! Screen 3: the RDBMS, chosen from a list (the classic wizard's dropdown).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{choice, para, Action, Screen};
use crate::rdbms::Rdbms;
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons;
use crate::wizard::widgets::focus::FocusRing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    List,
    Back,
    Next,
}

#[derive(Debug, Clone)]
pub struct RdbmsScreen {
    selected: usize,
    focus: FocusRing<Focus>,
}

const ORDER: [Focus; 3] = [Focus::List, Focus::Back, Focus::Next];

impl RdbmsScreen {
    pub fn new(rdbms: Rdbms) -> Self {
        RdbmsScreen {
            selected: Rdbms::ALL.iter().position(|r| *r == rdbms).unwrap_or(0),
            focus: FocusRing::new(Focus::List),
        }
    }

    pub fn selected(&self) -> Rdbms {
        Rdbms::ALL[self.selected]
    }

    /// Chosen elsewhere (an environment picked on the Database screen).
    pub fn select(&mut self, rdbms: Rdbms) {
        self.selected = Rdbms::ALL.iter().position(|r| *r == rdbms).unwrap_or(0);
    }
}

impl Screen for RdbmsScreen {
    fn reset_focus(&mut self) {
        self.focus.reset();
    }

    fn on_key(&mut self, key: KeyEvent) -> Action {
        let n = Rdbms::ALL.len();
        match (key.code, self.focus.get()) {
            (KeyCode::Down, Focus::List) => self.selected = (self.selected + 1).min(n - 1),
            (KeyCode::Up, Focus::List) => self.selected = self.selected.saturating_sub(1),
            (KeyCode::Home, Focus::List) => self.selected = 0,
            (KeyCode::End, Focus::List) => self.selected = n - 1,
            (KeyCode::Tab, _) => self.focus.step(&ORDER, 1),
            (KeyCode::BackTab, _) => self.focus.step(&ORDER, -1),
            (KeyCode::Esc, _) | (KeyCode::Enter, Focus::Back) => return Action::Back,
            (KeyCode::Enter, _) => return Action::Next,
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("Enter", "Next"),
            ("Esc", "Back"),
            ("Up/Down", "Choose"),
            ("Tab", "Field"),
            ("F1", "Help"),
            ("q", "Quit"),
        ]
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
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
            let focused = self.focus.is(Focus::List) && i == self.selected;
            lines.push(choice(
                r.display_name(),
                focused,
                Some(i == self.selected),
                theme,
            ));
        }
        f.render_widget(Paragraph::new(lines), body);
        buttons::back_next(
            f,
            row,
            self.focus.is(Focus::Back),
            "Next",
            self.focus.is(Focus::Next),
            theme,
        );
    }
}
