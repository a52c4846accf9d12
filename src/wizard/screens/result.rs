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
const RESTORE_OFFER: &str =
    "Or put the database back as it was before the upgrade: Restore the pre-upgrade backup (r).";
const AFTER_RESTORE: &str =
    "Fix the cause, then run upwiz again: it upgrades the restored database afresh.";

/// Restoring the pre-upgrade backup from this screen, offered after a failed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restore {
    /// Not for this outcome, or no backup was made.
    NotOffered,
    Offered,
    Running,
    Done(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct ResultScreen {
    pub report: RunReport,
    /// The package's advice for the violations the plan found, shown when the
    /// violation report is what stopped the run.
    pub hints: Vec<String>,
    /// The package's steps for once the upgrade has completed.
    pub after: Vec<String>,
    pub restore: Restore,
    /// The backup taken before the run changed anything, as the engine named it (not
    /// sanitised: it is opened, not only shown).
    pub pre_upgrade: Option<PathBuf>,
    /// The Restore button has the focus rather than Exit.
    restore_focused: bool,
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
        let from = report.summary.from.clone();
        let backups = &report.summary.backups;
        // The backup of the version the run started from; the first one otherwise.
        let pre_upgrade = backups
            .iter()
            .find(|b| {
                crate::engine::ways_out::parse_name(b, None)
                    .is_some_and(|n| Some(&n.version) == from.as_ref())
            })
            .or(backups.first())
            .cloned();
        let restore = match (&report.outcome, &pre_upgrade) {
            (Outcome::Failed { .. }, Some(_)) => Restore::Offered,
            _ => Restore::NotOffered,
        };
        ResultScreen {
            report: sanitized(report),
            hints: Vec::new(),
            after: Vec::new(),
            restore,
            pre_upgrade,
            restore_focused: false,
            scroll: 0,
            page: Cell::new(10),
        }
    }

    /// Whether Restore may be asked for now: offered, or tried and failed.
    pub fn can_restore(&self) -> bool {
        matches!(self.restore, Restore::Offered | Restore::Failed(_))
    }

    pub fn restoring(&self) -> bool {
        self.restore == Restore::Running
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
        let completed = matches!(
            self.report.outcome,
            Outcome::Completed | Outcome::CompletedWithFailedItems { .. }
        );
        if completed && !self.after.is_empty() {
            out.push(Line::raw(""));
            out.push(Line::styled("  After the upgrade:", theme.heading()));
            for (i, a) in self.after.iter().enumerate() {
                out.extend(para(&format!("{}. {a}", i + 1), w, 4, plain));
            }
        }
        match &self.restore {
            Restore::NotOffered => {
                if again {
                    out.push(Line::raw(""));
                    out.extend(para(AGAIN, w, 2, theme.heading()));
                }
            }
            Restore::Offered => {
                out.push(Line::raw(""));
                out.extend(para(AGAIN, w, 2, theme.heading()));
                out.extend(para(RESTORE_OFFER, w, 2, theme.heading()));
            }
            Restore::Running => {
                out.push(Line::raw(""));
                out.extend(para(
                    "Restoring the pre-upgrade backup...",
                    w,
                    2,
                    theme.warn(),
                ));
            }
            Restore::Done(m) => {
                out.push(Line::raw(""));
                out.extend(para(m, w, 2, theme.ok()));
                out.extend(para(AFTER_RESTORE, w, 2, theme.heading()));
            }
            Restore::Failed(e) => {
                out.push(Line::raw(""));
                out.extend(kv("Restore", e, w, theme, theme.error()));
            }
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
        let restorable = self.can_restore();
        match key.code {
            KeyCode::Enter if restorable && self.restore_focused => return Action::Restore,
            KeyCode::Enter => return Action::Exit,
            KeyCode::Char('r') if restorable => return Action::Restore,
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right if restorable => {
                self.restore_focused = !self.restore_focused
            }
            KeyCode::Esc | KeyCode::Char('l') => return Action::ShowLog,
            KeyCode::Down => self.scroll += 1,
            KeyCode::Up => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll += self.page.get(),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(self.page.get()),
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn reset_focus(&mut self) {
        self.restore_focused = false;
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = vec![("Enter", "Exit")];
        if self.can_restore() {
            h = vec![("Enter", "Choose"), ("r", "Restore")];
        }
        h.extend([
            ("Esc", "Steps and log"),
            ("PgUp/PgDn", "Scroll"),
            ("F1", "Help"),
            ("q", "Quit"),
        ]);
        h
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
        let exit = Button {
            label: "Exit",
            focused: !(self.can_restore() && self.restore_focused),
        };
        if self.can_restore() {
            let restore = Button {
                label: "Restore the pre-upgrade backup",
                focused: self.restore_focused,
            };
            buttons::draw(f, row, &[restore, exit], theme);
        } else {
            buttons::draw(f, row, &[exit], theme);
        }
    }
}
