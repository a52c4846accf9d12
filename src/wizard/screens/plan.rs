//! Screen 5: what will happen. Current version -> target, the route and its required
//! stops, every step, the warnings, and the checklist the operator confirms.
//!
//! Enter-only and still safe: the default button is labelled with the confirmation
//! itself ("I have done these - Finish"), the checklist is always on screen above it
//! (the step list scrolls instead), and nothing is pre-ticked. Violations found in the
//! source block Finish until the operator ticks "accept" on purpose.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};
use ratatui::Frame;

use super::{kv, para, Action, Screen};
use crate::wizard::model::{PackageInfo, PlanInfo};
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons;
use crate::wizard::widgets::focus::FocusRing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    Accept,
    Back,
    Finish,
}

#[derive(Debug, Clone)]
pub struct PlanScreen {
    pub info: PlanInfo,
    pub package: PackageInfo,
    /// The database the run changes, redacted and sanitised: on production the
    /// operator must see which one it is before Finish.
    pub database: String,
    pub accept_violations: bool,
    /// Shown above the buttons after a refused Finish.
    pub notice: Option<String>,
    focus: FocusRing<Focus>,
    scroll: usize,
    page: Cell<usize>,
}

impl PlanScreen {
    pub fn new(info: PlanInfo, package: PackageInfo, database: String) -> Self {
        PlanScreen {
            info,
            package,
            database,
            accept_violations: false,
            notice: None,
            focus: FocusRing::new(Focus::Finish),
            scroll: 0,
            page: Cell::new(5),
        }
    }

    fn has_violations(&self) -> bool {
        self.info.violation_count() > 0
    }

    fn confirm_label(&self) -> &'static str {
        if self.info.nothing_to_do
            || self.package.checklist.is_empty()
            || self.info.stage_refused.is_some()
        {
            "Finish"
        } else {
            "I have done these - Finish"
        }
    }

    fn header(&self, w: u16, theme: &Theme) -> Vec<Line<'static>> {
        let i = &self.info;
        let p = &self.package.product;
        let mut out = kv(
            "Upgrade",
            &format!("{p} {} -> {} ({})", i.from, i.to, i.server_version),
            w,
            theme,
            theme.heading(),
        );
        out.extend(kv("Database", &self.database, w, theme, theme.heading()));
        if i.nothing_to_do {
            out.extend(para(
                &format!(
                    "The database is already at {}: there is nothing to upgrade.",
                    i.installed
                ),
                w,
                2,
                theme.ok(),
            ));
            return out;
        }
        let mut route = format!("{}, {} steps", i.route, i.steps.len());
        if !i.stops.is_empty() {
            route = format!(
                "{} (required stop: {}), {} steps",
                i.route,
                i.stops.join(", "),
                i.steps.len()
            );
        }
        out.extend(kv("Route", &route, w, theme, Style::new()));
        if i.resumed {
            out.extend(kv(
                "Continuing",
                &format!(
                    "the unfinished upgrade: {} of {} steps are done, {} remain",
                    i.done_count(),
                    i.steps.len(),
                    i.steps.len() - i.done_count()
                ),
                w,
                theme,
                theme.warn(),
            ));
        }
        out
    }

    fn warnings(&self, w: u16, theme: &Theme) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        if self.info.nothing_to_do {
            return out;
        }
        if let Some(d) = &self.package.downtime {
            out.extend(kv("Downtime", d, w, theme, theme.warn()));
        }
        if let Some(n) = &self.info.keyring_note {
            out.extend(kv("Password", n, w, theme, theme.dim()));
        }
        match (&self.info.backup_skip, &self.info.backup) {
            // The operator's own way back replaces upwiz's: said in words, with why.
            (Some(reason), _) => out.extend(kv(
                "No backup",
                &format!(
                    "upwiz will not back up the database before upgrading; reason given: {reason}"
                ),
                w,
                theme,
                theme.warn(),
            )),
            (None, Ok(dir)) => out.extend(kv(
                "Backups",
                &dir.display().to_string(),
                w,
                theme,
                Style::new(),
            )),
            (None, Err(e)) => out.extend(kv("NO BACKUP", e, w, theme, theme.error())),
        }
        match &self.info.violations {
            Some(Ok(v)) if !v.is_empty() => {
                let first = &v[0];
                out.extend(kv(
                    "VIOLATIONS",
                    &format!("{} in the source database, e.g. {first}", v.len()),
                    w,
                    theme,
                    theme.error(),
                ));
                for h in self.info.violation_hints.iter().take(2) {
                    out.extend(kv("Hint", h, w, theme, Style::new()));
                }
                let focused = self.focus.is(Focus::Accept);
                let mark = if self.accept_violations { "[x]" } else { "[ ]" };
                out.push(Line::from(vec![
                    Span::raw(if focused { "> " } else { "  " }),
                    Span::raw(" ".repeat(super::KEY_WIDTH)),
                    Span::styled(
                        format!("{mark} Go on anyway (accept them)"),
                        if focused { theme.focus() } else { Style::new() },
                    ),
                ]));
            }
            Some(Err(e)) => out.extend(kv(
                "Violations",
                &format!("not checked now ({}); the report runs as a step", e),
                w,
                theme,
                theme.warn(),
            )),
            _ => {}
        }
        out
    }

    fn checklist(&self, w: u16, theme: &Theme) -> Vec<Line<'static>> {
        if self.info.nothing_to_do || self.package.checklist.is_empty() {
            return Vec::new();
        }
        let mut out = vec![Line::styled(
            "  Before you press Finish, make sure you have done these:",
            theme.heading(),
        )];
        for (n, item) in self.package.checklist.iter().enumerate() {
            let lines = para(item, w.saturating_sub(5), 0, Style::new());
            for (i, l) in lines.into_iter().enumerate() {
                let lead = if i == 0 {
                    format!("  {}. ", n + 1)
                } else {
                    "     ".to_string()
                };
                let mut spans = vec![Span::raw(lead)];
                spans.extend(l.spans);
                out.push(Line::from(spans));
            }
        }
        out
    }

    fn step_lines(&self) -> Vec<Line<'static>> {
        let legs: Vec<&str> = self.info.route.split(" -> ").collect();
        let mut out = Vec::new();
        let mut leg = usize::MAX;
        for (n, s) in self.info.steps.iter().enumerate() {
            if s.leg != leg && legs.len() > 2 {
                leg = s.leg;
                let (a, b) = (
                    legs.get(leg).unwrap_or(&"?"),
                    legs.get(leg + 1).unwrap_or(&"?"),
                );
                out.push(Line::styled(
                    format!("Leg {}: {} -> {}", leg + 1, a, b),
                    Style::new(),
                ));
            }
            let done = if s.done { "done " } else { "     " };
            out.push(Line::raw(format!("{done}{:>3}. {}", n + 1, s.title)));
        }
        out
    }
}

impl Screen for PlanScreen {
    fn on_key(&mut self, key: KeyEvent) -> Action {
        let order: &[Focus] = if self.has_violations() {
            &[Focus::Accept, Focus::Back, Focus::Finish]
        } else {
            &[Focus::Back, Focus::Finish]
        };
        let steps = self.info.steps.len();
        match key.code {
            KeyCode::Tab => self.focus.step(order, 1),
            KeyCode::BackTab => self.focus.step(order, -1),
            KeyCode::Down => self.scroll = (self.scroll + 1).min(steps.saturating_sub(1)),
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => {
                self.scroll = (self.scroll + self.page.get()).min(steps.saturating_sub(1))
            }
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(self.page.get()),
            KeyCode::Char(' ') if self.focus.is(Focus::Accept) => {
                self.accept_violations = !self.accept_violations;
                self.notice = None;
            }
            KeyCode::Esc => return Action::Back,
            KeyCode::Enter => match self.focus.get() {
                Focus::Back => return Action::Back,
                Focus::Accept => {
                    self.accept_violations = !self.accept_violations;
                    self.notice = None;
                }
                // The stage gate's refusal is on screen; the wizard has no override.
                Focus::Finish if self.info.stage_refused.is_some() => self.focus.set(Focus::Back),
                Focus::Finish if self.has_violations() && !self.accept_violations => {
                    self.notice = Some(format!(
                        "The source database has {} violation(s). Fix them and run upwiz again, or tick 'Go on anyway' (Space) to accept them.",
                        self.info.violation_count()
                    ));
                    self.focus.set(Focus::Accept);
                }
                Focus::Finish => {
                    return Action::Finish {
                        accept_violations: self.accept_violations,
                    }
                }
            },
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let enter = match self.focus.get() {
            Focus::Back => "Back",
            Focus::Accept => "Toggle",
            Focus::Finish => "Finish",
        };
        vec![
            ("Enter", enter),
            ("Esc", "Back"),
            ("Tab", "Button"),
            ("PgUp/PgDn", "Steps"),
            ("F1", "Help"),
            ("q", "Quit"),
        ]
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width;
        let mut top = vec![Line::raw("")];
        top.extend(self.header(w, theme));
        top.extend(self.warnings(w, theme));
        let mut bottom = match &self.info.stage_refused {
            Some(why) => para(why, w, 2, theme.error()),
            None => self.checklist(w, theme),
        };
        if let Some(n) = &self.notice {
            bottom.extend(para(n, w, 2, theme.error()));
        }
        let [top_a, steps_a, bottom_a, row] = Layout::vertical([
            Constraint::Length(top.len() as u16),
            Constraint::Min(3),
            Constraint::Length(bottom.len() as u16),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(Paragraph::new(top), top_a);
        if !self.info.nothing_to_do {
            let steps = self.step_lines();
            let title = format!(" Steps ({}) ", self.info.steps.len());
            let block = Block::bordered()
                .padding(Padding::left(1))
                .title(Span::styled(title, theme.heading()));
            let inner = block.inner(steps_a);
            self.page.set(inner.height.max(1) as usize);
            let max = steps.len().saturating_sub(inner.height as usize);
            let block = if max > 0 {
                block.title_bottom(Span::styled(" Up/Down/PgUp/PgDn scroll ", theme.dim()))
            } else {
                block
            };
            let scroll = self.scroll.min(max) as u16;
            f.render_widget(
                Paragraph::new(steps).block(block).scroll((scroll, 0)),
                steps_a,
            );
        }
        f.render_widget(Paragraph::new(bottom), bottom_a);
        buttons::back_next(
            f,
            row,
            self.focus.is(Focus::Back),
            self.confirm_label(),
            self.focus.is(Focus::Finish),
            theme,
        );
    }
}
