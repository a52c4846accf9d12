//! Screen 7: success with a summary, or the failure: which step, the error, the log,
//! and that running upwiz again continues where it left off.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{kv, para, Action, Screen};
use crate::engine::{Outcome, RunReport};
use crate::wizard::text::{duration, sanitize};
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons::{self, Button};

pub const SUCCESS: &str = "The upgrade procedure completed successfully.";
const AGAIN: &str = "Fix the cause and run upwiz again: it continues where it left off.";

#[derive(Debug, Clone)]
pub struct ResultScreen {
    pub report: RunReport,
    /// The package's advice for the violations the plan found, shown when the
    /// violation report is what stopped the run.
    pub hints: Vec<String>,
    scroll: usize,
    page: Cell<usize>,
}

/// The report with every text made safe for the terminal, once, as it arrives.
fn sanitized(mut r: RunReport) -> RunReport {
    let path = |p: &PathBuf| PathBuf::from(sanitize(&p.display().to_string()));
    r.outcome = match r.outcome {
        Outcome::CompletedWithFailedItems { failed } => Outcome::CompletedWithFailedItems {
            failed: failed
                .into_iter()
                .map(|mut i| {
                    i.id = sanitize(&i.id);
                    i.name = sanitize(&i.name);
                    i.step = sanitize(&i.step);
                    i.error = sanitize(&i.error);
                    i
                })
                .collect(),
        },
        Outcome::Failed { step, error } => Outcome::Failed {
            step: sanitize(&step),
            error: sanitize(&error),
        },
        Outcome::Locked { owner } => Outcome::Locked {
            owner: sanitize(&owner),
        },
        Outcome::BadInput { error } => Outcome::BadInput {
            error: sanitize(&error),
        },
        other => other,
    };
    let s = &mut r.summary;
    s.product = sanitize(&s.product);
    for v in [&mut s.from, &mut s.to, &mut s.reached]
        .into_iter()
        .flatten()
    {
        *v = sanitize(v);
    }
    s.backups = s.backups.iter().map(path).collect();
    s.reports = s.reports.iter().map(path).collect();
    s.warnings = s.warnings.iter().map(|w| sanitize(w)).collect();
    s.log_path = s.log_path.as_ref().map(path);
    r
}

/// The process exit code for an outcome: the same contract as the headless commands.
pub fn exit_code(outcome: &Outcome) -> i32 {
    outcome.exit_code()
}

impl ResultScreen {
    pub fn new(report: RunReport) -> Self {
        ResultScreen {
            report: sanitized(report),
            hints: Vec::new(),
            scroll: 0,
            page: Cell::new(10),
        }
    }

    pub fn exit_code(&self) -> i32 {
        exit_code(&self.report.outcome)
    }

    fn lines(&self, w: u16, theme: &Theme) -> Vec<Line<'static>> {
        let s = &self.report.summary;
        let plain = Style::new();
        let mut out = vec![Line::raw("")];
        let mut again = false;
        match &self.report.outcome {
            Outcome::Completed => out.extend(para(SUCCESS, w, 2, theme.ok())),
            Outcome::NothingToDo => out.extend(para(
                &format!(
                    "There was nothing to do: the database is already at {}.",
                    s.reached.as_deref().unwrap_or("the target")
                ),
                w,
                2,
                theme.ok(),
            )),
            Outcome::CompletedWithFailedItems { failed } => {
                out.extend(para(
                    &format!(
                        "The upgrade completed, but {} item(s) failed.",
                        failed.len()
                    ),
                    w,
                    2,
                    theme.warn(),
                ));
                out.push(Line::raw(""));
                for item in failed {
                    let what = format!(
                        "{} '{}' ({}): {}",
                        item.id, item.name, item.step, item.error
                    );
                    out.extend(kv("Failed", &what, w, theme, theme.error()));
                }
                out.push(Line::raw(""));
                out.extend(para(
                    "Fix them and run upwiz again: it retries only the failed items.",
                    w,
                    2,
                    theme.heading(),
                ));
            }
            Outcome::Failed { step, error } => {
                out.extend(para("The upgrade failed.", w, 2, theme.error()));
                out.push(Line::raw(""));
                out.extend(kv("Step", step, w, theme, theme.heading()));
                out.extend(kv("Error", error, w, theme, theme.error()));
                if step.contains("iolation") {
                    for h in &self.hints {
                        out.extend(kv("Hint", h, w, theme, Style::new()));
                    }
                }
                again = true;
            }
            Outcome::Interrupted { .. } => {
                out.extend(para(
                    "The upgrade was stopped at a safe point.",
                    w,
                    2,
                    theme.warn(),
                ));
                out.extend(para(
                    "Run upwiz again: it continues where it left off.",
                    w,
                    2,
                    theme.heading(),
                ));
            }
            Outcome::Busy { reason } => out.extend(para(
                &format!(
                    "The upgrade did not start: {}. Nothing was changed.",
                    sanitize(reason)
                ),
                w,
                2,
                theme.error(),
            )),
            Outcome::Locked { owner } => out.extend(para(
                &format!(
                    "The upgrade did not start: another upgrade of this database is running ({}).",
                    owner
                ),
                w,
                2,
                theme.error(),
            )),
            Outcome::BadInput { error } => {
                out.extend(para(
                    "The upgrade could not start; nothing was changed.",
                    w,
                    2,
                    theme.error(),
                ));
                out.push(Line::raw(""));
                out.extend(kv("Error", error, w, theme, theme.error()));
            }
        }
        out.push(Line::raw(""));
        out.extend(kv("Product", &s.product, w, theme, plain));
        if let (Some(from), Some(to)) = (&s.from, &s.to) {
            let now = s
                .reached
                .as_deref()
                .map(|r| format!(" (the database is at {})", r))
                .unwrap_or_default();
            out.extend(kv(
                "Versions",
                &format!("{} -> {}{now}", from, to),
                w,
                theme,
                plain,
            ));
        }
        out.extend(kv("Duration", &duration(s.duration), w, theme, plain));
        out.extend(paths("Backups", &s.backups, w, theme));
        out.extend(paths("Reports", &s.reports, w, theme));
        for (i, warning) in s.warnings.iter().enumerate() {
            out.extend(kv(
                if i == 0 { "Warnings" } else { "" },
                warning,
                w,
                theme,
                theme.warn(),
            ));
        }
        if let Some(l) = &s.log_path {
            out.extend(kv(
                "Log",
                &l.display().to_string(),
                w,
                theme,
                theme.heading(),
            ));
        }
        if again {
            out.push(Line::raw(""));
            out.extend(para(AGAIN, w, 2, theme.heading()));
        }
        out
    }
}

/// Files under one label; when they share a directory it is named once, above them,
/// so long names are not broken across lines.
fn paths(label: &str, files: &[PathBuf], w: u16, theme: &Theme) -> Vec<Line<'static>> {
    let show = |p: &Path| p.display().to_string();
    let parent = files.first().and_then(|f| f.parent());
    let shared =
        files.len() > 1 && parent.is_some_and(|d| files.iter().all(|f| f.parent() == Some(d)));
    let mut out = Vec::new();
    match parent {
        Some(dir) if shared => {
            out.extend(kv(
                label,
                &format!("{}{}", show(dir), std::path::MAIN_SEPARATOR),
                w,
                theme,
                Style::new(),
            ));
            for f in files {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.extend(kv("", &format!("  {name}"), w, theme, Style::new()));
            }
        }
        _ => {
            for (i, f) in files.iter().enumerate() {
                out.extend(kv(
                    if i == 0 { label } else { "" },
                    &show(f),
                    w,
                    theme,
                    Style::new(),
                ));
            }
        }
    }
    out
}

impl Screen for ResultScreen {
    fn on_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::Enter => return Action::Exit,
            KeyCode::Esc | KeyCode::Char('l') => return Action::ShowLog,
            KeyCode::Down => self.scroll += 1,
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll += self.page.get(),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(self.page.get()),
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("Enter", "Exit"),
            ("Esc", "Steps and log"),
            ("PgUp/PgDn", "Scroll"),
            ("F1", "Help"),
            ("q", "Quit"),
        ]
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let [body, row] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
        let lines = self.lines(body.width, theme);
        self.page.set(body.height.max(1) as usize);
        let max = lines.len().saturating_sub(body.height as usize);
        f.render_widget(
            Paragraph::new(lines).scroll((self.scroll.min(max) as u16, 0)),
            body,
        );
        let more = if max > self.scroll {
            "More below: PgDn"
        } else {
            ""
        };
        f.render_widget(Paragraph::new(format!("  {more}")).style(theme.dim()), row);
        buttons::draw(
            f,
            row,
            &[Button {
                label: "Exit",
                focused: true,
            }],
            theme,
        );
    }
}
