//! Screen 6: the run. Steps with their state and duration, an overall and a step
//! gauge, elapsed time and an estimate, and the live log (bounded; UPGRADE.LOG has all).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{Action, Screen};
use crate::engine::{Event, Level, StepInfo, StepStatus};
use crate::wizard::logpane::LogPane;
use crate::wizard::text::{clip, clip_left, duration, sanitize, short_duration};
use crate::wizard::theme::Theme;
use crate::wizard::widgets::gauge;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Running,
    Done,
    Skipped,
    Warned,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub title: String,
    pub state: StepState,
    pub elapsed: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Running,
    /// The operator or a signal asked to stop at the next safe point.
    Stopping,
    /// With how it ended, for the header: "completed", "failed", ...
    Finished(&'static str),
}

#[derive(Debug, Clone)]
pub struct ProgressScreen {
    pub product: String,
    pub route: String,
    pub resumed: bool,
    pub steps: Vec<StepRow>,
    pub current: Option<usize>,
    pub step_progress: Option<(u64, u64)>,
    pub log: LogPane,
    pub log_path: String,
    /// Since the run started and since the current step started; the app sets
    /// these from its clock, so drawing never reads the time.
    pub elapsed: Duration,
    pub step_elapsed: Duration,
    pub phase: Phase,
}

fn rows(steps: &[StepInfo]) -> Vec<StepRow> {
    steps
        .iter()
        .map(|s| StepRow {
            title: sanitize(&s.title),
            state: if s.done {
                StepState::Skipped
            } else {
                StepState::Pending
            },
            elapsed: None,
        })
        .collect()
}

/// The log pane's height when the steps want all the room: its border and 4 lines.
const LOG_MIN: u16 = 6;

/// How a run ended, as the Progress header says it.
fn ended(outcome: &crate::engine::Outcome) -> &'static str {
    use crate::engine::Outcome;
    match outcome {
        Outcome::Completed => " - completed",
        Outcome::NothingToDo => " - nothing to do",
        Outcome::CompletedWithFailedItems { .. } => " - completed, some items FAILED",
        Outcome::Failed { .. } => " - FAILED",
        Outcome::Interrupted { .. } => " - stopped at a safe point",
        _ => " - did not run",
    }
}

impl ProgressScreen {
    pub fn new(product: &str, route: &str, steps: &[StepInfo], log_path: &str) -> Self {
        ProgressScreen {
            product: sanitize(product),
            route: sanitize(route),
            resumed: steps.iter().any(|s| s.done),
            steps: rows(steps),
            current: None,
            step_progress: None,
            log: LogPane::default(),
            log_path: sanitize(log_path),
            elapsed: Duration::ZERO,
            step_elapsed: Duration::ZERO,
            phase: Phase::Running,
        }
    }

    pub fn apply(&mut self, ev: &Event) {
        match ev {
            Event::Planned {
                route,
                steps,
                resumed,
                log_path,
                ..
            } => {
                self.route = sanitize(route);
                self.steps = rows(steps);
                self.resumed = *resumed;
                self.log_path = sanitize(&log_path.display().to_string());
            }
            Event::StepStarted { index, .. } => {
                if let Some(s) = self.steps.get_mut(*index) {
                    s.state = StepState::Running;
                }
                self.current = Some(*index);
                self.step_progress = None;
                self.step_elapsed = Duration::ZERO;
            }
            Event::Progress { index, done, total } if Some(*index) == self.current => {
                self.step_progress = Some((*done, *total));
            }
            Event::Progress { .. } => {}
            Event::Log { level, message } => self.log.push(*level, message),
            Event::StepFinished {
                index,
                status,
                elapsed,
                ..
            } => {
                if let Some(s) = self.steps.get_mut(*index) {
                    s.state = match status {
                        StepStatus::Done => StepState::Done,
                        StepStatus::Skipped => StepState::Skipped,
                        StepStatus::Warned => StepState::Warned,
                        StepStatus::Failed => StepState::Failed,
                    };
                    s.elapsed = (*status != StepStatus::Skipped).then_some(*elapsed);
                }
                self.step_progress = None;
            }
            // The wizard takes the lock without waiting: it never hears this.
            Event::LockWait(info) => self.log.push(crate::engine::Level::Info, &info.describe()),
            Event::Finished(report) => {
                self.phase = Phase::Finished(ended(&report.outcome));
                // A step still marked running when the run ends did not complete.
                let failed = matches!(report.outcome, crate::engine::Outcome::Failed { .. });
                for st in self
                    .steps
                    .iter_mut()
                    .filter(|st| st.state == StepState::Running)
                {
                    st.state = if failed {
                        StepState::Failed
                    } else {
                        StepState::Pending
                    };
                }
                self.current = None;
            }
        }
    }

    pub fn push_note(&mut self, level: Level, message: &str) {
        self.log.push(level, message);
    }

    fn finished_steps(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| !matches!(s.state, StepState::Pending | StepState::Running))
            .count()
    }

    fn step_fraction(&self) -> f64 {
        match self.step_progress {
            Some((d, t)) if t > 0 => d as f64 / t as f64,
            _ => 0.0,
        }
    }

    /// "Elapsed 0:05   about 0:12 left": the only text that changes with time alone.
    pub fn clock_text(&self) -> String {
        let elapsed = format!("Elapsed {}", duration(self.elapsed));
        if matches!(self.phase, Phase::Finished(_)) {
            return elapsed;
        }
        let skipped = self
            .steps
            .iter()
            .filter(|s| s.state == StepState::Skipped)
            .count();
        let work = self.steps.len().saturating_sub(skipped).max(1) as f64;
        let done = (self.finished_steps() - skipped) as f64 + self.step_fraction();
        let fraction = done / work;
        if fraction < 0.05 || self.elapsed < Duration::from_secs(2) {
            return format!("{elapsed}   estimating the time left...");
        }
        let left = self.elapsed.as_secs_f64() * (1.0 - fraction) / fraction;
        format!(
            "{elapsed}   about {} left",
            duration(Duration::from_secs_f64(left))
        )
    }

    fn step_line(&self, i: usize, theme: &Theme) -> Line<'static> {
        let s = &self.steps[i];
        let (word, style) = match s.state {
            StepState::Pending => ("     ", Style::new()),
            StepState::Running => ("run  ", theme.focus()),
            StepState::Done => ("done ", theme.ok()),
            StepState::Skipped => ("skip ", theme.dim()),
            StepState::Warned => ("warn ", theme.warn()),
            StepState::Failed => ("FAIL ", theme.error()),
        };
        let time = match (s.state, s.elapsed) {
            (StepState::Running, _) => short_duration(self.step_elapsed),
            (_, Some(e)) => short_duration(e),
            _ => String::new(),
        };
        let marker = if self.current == Some(i) { ">" } else { " " };
        Line::from(vec![
            Span::raw(format!(" {marker}")),
            Span::styled(word, style),
            Span::raw(format!("{time:>6} {:>3}. ", i + 1)),
            Span::styled(
                s.title.clone(),
                if s.state == StepState::Running {
                    theme.heading()
                } else {
                    Style::new()
                },
            ),
        ])
    }
}

impl Screen for ProgressScreen {
    fn on_engine(&mut self, ev: &Event) {
        self.apply(ev);
    }

    fn on_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::PageUp => self.log.page_up(),
            KeyCode::PageDown => self.log.page_down(),
            KeyCode::Home => self.log.home(),
            KeyCode::End => self.log.end(),
            KeyCode::Enter | KeyCode::Esc if matches!(self.phase, Phase::Finished(_)) => {
                return Action::ShowResult
            }
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = Vec::new();
        if matches!(self.phase, Phase::Finished(_)) {
            h.push(("Enter", "Result"));
        }
        h.extend([
            ("PgUp/PgDn", "Scroll log"),
            ("Home/End", "Top/Follow"),
            ("F1", "Help"),
        ]);
        match self.phase {
            Phase::Finished(_) => h.push(("q", "Quit")),
            Phase::Running => h.push(("q", "Stop")),
            Phase::Stopping => {}
        }
        h
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        // The steps take what the log can spare: the log keeps at least four lines
        // (UPGRADE.LOG has them all), the steps show as many as fit.
        let avail = area.height.saturating_sub(5);
        let steps_h = (self.steps.len() as u16)
            .min(avail.saturating_sub(LOG_MIN))
            .max(3);
        let [head, steps_a, g1, g2, clock, log_a, path] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(steps_h),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let state = match self.phase {
            Phase::Running if self.resumed => " - continuing where it left off",
            Phase::Running => "",
            Phase::Stopping => " - stopping at the next safe point...",
            Phase::Finished(how) => how,
        };
        let title = clip(
            &format!(" {} {}{state}", self.product, self.route),
            area.width as usize,
        );
        f.render_widget(Paragraph::new(Line::styled(title, theme.heading())), head);

        // Keep the running step in view with two finished ones above it.
        let h = steps_h as usize;
        let focus = self.current.unwrap_or_else(|| {
            self.finished_steps()
                .min(self.steps.len().saturating_sub(1))
        });
        let first = focus
            .saturating_sub(2)
            .min(self.steps.len().saturating_sub(h));
        let lines: Vec<Line> = (first..self.steps.len().min(first + h))
            .map(|i| self.step_line(i, theme))
            .collect();
        f.render_widget(Paragraph::new(lines), steps_a);

        let total = self.steps.len().max(1);
        let done = self.finished_steps();
        let gw = area.width.saturating_sub(11);
        let overall = gauge::line(
            gw,
            done as f64 / total as f64,
            format!("{done}/{} steps", self.steps.len()),
            theme,
        );
        let mut l1 = vec![Span::styled("  Overall  ", theme.heading())];
        l1.extend(overall.spans);
        f.render_widget(Paragraph::new(Line::from(l1)), g1);
        let mut l2 = vec![Span::styled("  Step     ", theme.heading())];
        match (self.current, self.step_progress) {
            (Some(_), Some((d, t))) if t > 0 => {
                l2.extend(gauge::line(gw, d as f64 / t as f64, format!("{d}/{t}"), theme).spans)
            }
            (Some(_), _) => l2.push(Span::raw("working...")),
            (None, _) => {}
        }
        f.render_widget(Paragraph::new(Line::from(l2)), g2);
        f.render_widget(Paragraph::new(format!("  {}", self.clock_text())), clock);
        self.log.draw(f, log_a, "Log", theme);
        let p = clip_left(&self.log_path, (area.width as usize).saturating_sub(16));
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("  UPGRADE.LOG  ", theme.heading()),
                Span::raw(p),
            ])),
            path,
        );
    }
}
