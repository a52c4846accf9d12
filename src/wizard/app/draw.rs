//! What frames every screen: the title bar, the key hint bar, the overlays, and the
//! message shown instead when the terminal is too small.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{App, Overlay};
use crate::wizard::screens::{para, SCREENS};
use crate::wizard::widgets::{buttons, centered, dialog, hints};
use crate::wizard::{help, text};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

impl App {
    pub fn draw(&self, f: &mut Frame) {
        let area = f.area();
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return too_small(f, area, self);
        }
        let [top, body, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.title_bar(f, top);
        let t = &self.theme;
        if let Some(s) = self.current() {
            s.draw(f, body, t);
        }
        hints::draw(f, bottom, &self.hints(), t);
        match self.overlay {
            Some(Overlay::Help) => self.help(f, body),
            Some(Overlay::ConfirmQuit { stop_focused }) => self.confirm_quit(f, body, stop_focused),
            Some(Overlay::ConfirmFinish { start_focused, .. }) => {
                self.confirm_finish(f, body, start_focused)
            }
            Some(Overlay::History) => self.history_overlay(f, body),
            Some(Overlay::ConfirmRestore { restore_focused }) => {
                self.confirm_restore(f, body, restore_focused)
            }
            None => {}
        }
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match self.overlay {
            Some(Overlay::Help) => return vec![("Esc", "Close help")],
            Some(Overlay::ConfirmQuit { .. }) => {
                return vec![("y", "Stop and quit"), ("n/Esc", "Keep running")]
            }
            Some(Overlay::ConfirmFinish { .. }) => {
                return vec![("y", "Start the upgrade"), ("n/Esc", "Not now")]
            }
            Some(Overlay::History) => return vec![("Esc", "Back")],
            Some(Overlay::ConfirmRestore { .. }) => {
                return vec![("y", "Restore"), ("n/Esc", "Not now")]
            }
            None => {}
        }
        self.current().map(|s| s.hints()).unwrap_or_default()
    }

    fn title_bar(&self, f: &mut Frame, area: Rect) {
        let right = format!(
            "{}/{} {} ",
            self.screen.number(),
            SCREENS,
            self.screen.title()
        );
        let room = (area.width as usize).saturating_sub(right.len() + 1);
        let left = text::clip(
            &format!(" upwiz - {} upgrade wizard", self.package.product),
            room,
        );
        let pad = (area.width as usize).saturating_sub(left.chars().count() + right.len());
        let line = Line::from(vec![
            Span::styled(left, self.theme.bar().patch(self.theme.heading())),
            Span::raw(" ".repeat(pad)),
            Span::raw(right),
        ]);
        f.render_widget(Paragraph::new(line).style(self.theme.bar()), area);
    }

    fn help(&self, f: &mut Frame, area: Rect) {
        let w = area.width.saturating_sub(8).min(72);
        let mut lines = Vec::new();
        for (i, p) in help::text(self.screen).iter().enumerate() {
            if i > 0 {
                lines.push(Line::raw(""));
            }
            lines.push(Line::raw(*p));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(help::KEYS, self.theme.heading()));
        dialog::draw(
            f,
            area,
            &format!("Help: {}", self.screen.title()),
            lines,
            w,
            &self.theme,
        );
    }

    fn confirm_finish(&self, f: &mut Frame, area: Rect, start_focused: bool) {
        let t = &self.theme;
        let Some(plan) = self.stage.plan() else {
            return;
        };
        let i = &plan.info;
        let start = buttons::Button {
            label: "Start the upgrade",
            focused: start_focused,
        };
        let cancel = buttons::Button {
            label: "Not now",
            focused: !start_focused,
        };
        let backup = match &i.backup {
            Ok(_) => "Each leg backs it up first.",
            Err(_) => "NO BACKUP can be made first.",
        };
        let lines = vec![
            Line::raw(format!(
                "Upgrade {} {} -> {} on this database now?",
                self.package.product, i.from, i.to
            )),
            Line::raw(""),
            Line::styled(format!("  {}", plan.database), t.heading()),
            Line::raw(""),
            Line::raw(format!("This changes the database. {backup}")),
            Line::raw(""),
            Line::from(vec![
                Span::styled(
                    buttons::label(&start),
                    if start_focused {
                        t.focus()
                    } else {
                        t.heading()
                    },
                ),
                Span::raw("  "),
                Span::styled(
                    buttons::label(&cancel),
                    if start_focused {
                        t.heading()
                    } else {
                        t.focus()
                    },
                ),
            ]),
        ];
        dialog::draw(f, area, "Start the upgrade?", lines, 72, t);
    }

    fn confirm_quit(&self, f: &mut Frame, area: Rect, stop_focused: bool) {
        let t = &self.theme;
        let stop = buttons::Button {
            label: "Stop and quit",
            focused: stop_focused,
        };
        let keep = buttons::Button {
            label: "Keep running",
            focused: !stop_focused,
        };
        let lines = vec![
            Line::raw("An upgrade is running. Stop it at the next safe point and quit?"),
            Line::raw(""),
            Line::raw("Nothing is lost: run upwiz again and it continues where it left off."),
            Line::raw(""),
            Line::from(vec![
                Span::styled(
                    buttons::label(&stop),
                    if stop_focused { t.focus() } else { t.heading() },
                ),
                Span::raw("  "),
                Span::styled(
                    buttons::label(&keep),
                    if stop_focused { t.heading() } else { t.focus() },
                ),
            ]),
        ];
        dialog::draw(f, area, "Stop the upgrade?", lines, 60, t);
    }
}

fn too_small(f: &mut Frame, area: Rect, app: &App) {
    let msg = format!(
        "The terminal is too small ({}x{}). upwiz needs at least {MIN_WIDTH}x{MIN_HEIGHT}: make the window larger.{} No key but q acts until then.",
        area.width,
        area.height,
        if app.running() { " The upgrade goes on meanwhile." } else { "" }
    );
    let lines = para(&msg, area.width, 0, Style::new());
    let r = centered(area, area.width, lines.len() as u16);
    f.render_widget(Paragraph::new(lines), r);
}
