//! Screen 1: the product, the package and the database found; and, when an upgrade
//! of that database did not finish, 'Continue where it left off' as the default.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{choice, kv, para, Action, Screen};
use crate::rdbms::Rdbms;
use crate::wizard::logpane::chunks;
use crate::wizard::model::{Detected, PackageInfo, Unfinished};
use crate::wizard::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detection {
    Pending,
    /// Not tried, and why (no connect string yet, a password is needed).
    NotTried(String),
    Found(Box<Detected>),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Continue,
    Start,
    ResetDemo,
    Rehearse,
    History,
}

/// 'Rehearse first': running, or what it found, in lines made safe for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rehearsal {
    Running,
    Finished { ok: bool, lines: Vec<String> },
}

impl Rehearsal {
    pub fn of(r: Result<Box<crate::engine::rehearse::Rehearsal>, String>) -> Rehearsal {
        use crate::engine::Outcome;
        let clean = |s: &str| crate::wizard::text::sanitize(s);
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                return Rehearsal::Finished {
                    ok: false,
                    lines: vec![clean(&format!("The rehearsal could not run: {e}"))],
                }
            }
        };
        let ok = r.exit_code() == 0;
        let how = match &r.run.outcome {
            Outcome::Completed => "completed".to_string(),
            Outcome::NothingToDo => "nothing to do".to_string(),
            Outcome::CompletedWithFailedItems { failed } => {
                format!("completed, {} item(s) failed", failed.len())
            }
            Outcome::Failed { step, error } => format!("failed at \"{step}\": {error}"),
            Outcome::Interrupted { .. } => "interrupted".to_string(),
            Outcome::Locked { owner } => format!("failed: the copy was locked ({owner})"),
            Outcome::Busy { reason } => format!("failed: {reason}"),
            Outcome::BadInput { error } => format!("failed: {error}"),
        };
        let mut lines = vec![format!("Rehearsal on a copy: {how}.")];
        if !r.steps.is_empty() {
            lines.push(format!(
                "Expected downtime: {:.1} s over {} step(s) ({}); copying took {:.1} s.",
                r.downtime.as_secs_f64(),
                r.steps.len(),
                r.downtime_legs.join(", "),
                r.copy_time.as_secs_f64()
            ));
        }
        if !r.violations.is_empty() {
            lines.push(format!(
                "Violations after the upgrade: {}.",
                r.violations.len()
            ));
        }
        if let Some(e) = &r.drop_error {
            lines.push(e.clone());
        }
        if !r.dir.as_os_str().is_empty() {
            lines.push(format!("Log and report: {}", r.dir.display()));
        }
        Rehearsal::Finished {
            ok,
            lines: lines.iter().map(|l| clean(l)).collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Welcome {
    pub package: PackageInfo,
    pub rdbms: Rdbms,
    /// The connect string, redacted.
    pub database: String,
    pub is_demo: bool,
    pub detection: Detection,
    /// The journal's mirror, readable before connecting.
    pub state_file: Option<Unfinished>,
    /// Something the operator should know first, e.g. the demo could not be made.
    pub notice: Option<String>,
    /// The end of UPGRADE.LOG while a run elsewhere is followed; sanitised.
    pub follow_log: Vec<String>,
    /// A run that completed while nobody watched, said once.
    pub away: Option<String>,
    /// 'Rehearse first', once chosen.
    pub rehearsal: Option<Rehearsal>,
    pub focus: usize,
}

/// Log lines read for the follow view: what fits at 80x24 under the rest.
pub const FOLLOW_LINES: usize = 6;

impl Welcome {
    pub fn new(package: PackageInfo, rdbms: Rdbms, database: String, is_demo: bool) -> Self {
        Welcome {
            package,
            rdbms,
            database,
            is_demo,
            detection: Detection::Pending,
            state_file: None,
            notice: None,
            follow_log: Vec::new(),
            away: None,
            rehearsal: None,
            focus: 0,
        }
    }

    /// The unfinished upgrade: the journal decides once it has been read, the state
    /// file until then (it also knows how many steps are done).
    pub fn unfinished(&self) -> Option<Unfinished> {
        let mut u = self.unfinished_recorded()?;
        // The mirror is written at safe points; the log says where the run is now.
        if let Some((n, total, title)) = self
            .running_elsewhere()
            .and_then(|_| step_from_log(&self.follow_log))
        {
            u.steps = Some((n.saturating_sub(1), total));
            u.current = Some(title);
        }
        Some(u)
    }

    fn unfinished_recorded(&self) -> Option<Unfinished> {
        match &self.detection {
            Detection::Found(d) if !d.busy => {
                // A run elsewhere whose journal could not be read: its mirror tells.
                let Some(u) = d.unfinished.as_ref() else {
                    return d.running_elsewhere.as_ref().and(self.state_file.clone());
                };
                match &self.state_file {
                    Some(s) if s.from == u.from && s.to == u.to => Some(Unfinished {
                        state: u.state,
                        error: u.error.clone().or_else(|| s.error.clone()),
                        ..s.clone()
                    }),
                    _ => Some(u.clone()),
                }
            }
            _ => self.state_file.clone(),
        }
    }

    /// Who runs an upgrade of this database now, if anyone does.
    pub fn running_elsewhere(&self) -> Option<String> {
        match &self.detection {
            Detection::Found(d) if d.busy => {
                Some("another process, which is writing to the database now".into())
            }
            Detection::Found(d) => d.running_elsewhere.clone(),
            _ => None,
        }
    }

    fn liveness(&self) -> Liveness {
        match &self.detection {
            Detection::Found(_) if self.running_elsewhere().is_some() => Liveness::Running,
            Detection::Found(_) => Liveness::Gone,
            _ => Liveness::Unknown,
        }
    }

    fn demo_at_newest(&self) -> bool {
        matches!(&self.detection, Detection::Found(d)
            if self.is_demo && d.installed.as_deref() == Some(self.package.newest()))
    }

    fn choices(&self) -> Vec<Choice> {
        // Another process is at it: continuing here would only find it locked.
        let mut out = if self.running_elsewhere().is_some() {
            vec![Choice::Start]
        } else if self.unfinished().is_some() {
            vec![Choice::Continue, Choice::Start]
        } else if self.demo_at_newest() {
            vec![Choice::Start, Choice::ResetDemo]
        } else if self.can_rehearse() {
            vec![Choice::Start, Choice::Rehearse]
        } else {
            vec![Choice::Start]
        };
        // The journal can be read once the database could be looked at.
        if self.running_elsewhere().is_none()
            && matches!(&self.detection, Detection::Found(d) if !d.busy)
        {
            out.push(Choice::History);
        }
        out
    }

    /// An installed database with an upgrade ahead, not being rehearsed already.
    fn can_rehearse(&self) -> bool {
        let pending = matches!(&self.detection, Detection::Found(d)
            if !d.busy && d.installed.as_deref().is_some_and(|v| v != self.package.newest()));
        pending && self.rehearsal != Some(Rehearsal::Running)
    }

    fn label(&self, c: Choice) -> &'static str {
        match c {
            Choice::Continue => "Continue where it left off",
            // It cannot be continued here until the run elsewhere lets go of it.
            Choice::Start if self.running_elsewhere().is_some() => {
                "Review the connection settings meanwhile"
            }
            Choice::Start if self.unfinished().is_some() => "Review the connection settings first",
            Choice::Start => "Set up the upgrade",
            Choice::ResetDemo => "Recreate the demo database at its first release",
            Choice::Rehearse => "Rehearse first: the whole upgrade on a copy of the database",
            Choice::History => "History: the upgrades of this database",
        }
    }

    fn detected_line(&self, theme: &Theme) -> (String, Style) {
        let product = &self.package.product;
        match &self.detection {
            Detection::Pending => ("Looking at the database...".into(), Style::new()),
            Detection::NotTried(why) => (why.clone(), Style::new()),
            Detection::Failed(e) => (format!("Cannot connect: {}", e), theme.error()),
            Detection::Found(d) if d.busy => (
                "In use: another process is writing to it, so it cannot be read now".into(),
                theme.warn(),
            ),
            Detection::Found(d) => match &d.installed {
                Some(v) => (
                    format!("{product} {} ({})", v, d.server_version),
                    Style::new(),
                ),
                None => (
                    format!(
                        "No {product} installation found ({})",
                        d.detect_error.as_deref().unwrap_or("unknown")
                    ),
                    theme.warn(),
                ),
            },
        }
    }
}

/// The last "Step N/M: title" in the log lines: the step a run is on now.
fn step_from_log(lines: &[String]) -> Option<(usize, usize, String)> {
    lines.iter().rev().find_map(|l| {
        let rest = &l[l.find("Step ")? + 5..];
        let (n, rest) = rest.split_once('/')?;
        let (total, title) = rest.split_once(": ")?;
        Some((
            n.parse().ok()?,
            total.parse().ok()?,
            title.trim().to_string(),
        ))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Liveness {
    Running,
    Gone,
    /// Not known until the database has been looked at.
    Unknown,
}

fn unfinished_lines(
    u: &Unfinished,
    liveness: Liveness,
    w: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let current = u.current.as_deref();
    let live = liveness == Liveness::Running;
    use crate::engine::RunState as S;
    let how = match (u.state, &current) {
        (S::Running, Some(c)) if liveness == Liveness::Unknown => format!("it was last at \"{c}\""),
        (S::Running, None) if liveness == Liveness::Unknown => "it was last running".to_string(),
        (S::Running, Some(c)) if live => format!("it is at \"{c}\""),
        (S::Running, _) if live => "it is running".to_string(),
        (S::Running, Some(c)) => format!("it stopped unexpectedly during \"{c}\""),
        (S::Running, None) => "it stopped unexpectedly".to_string(),
        (S::Failed, Some(c)) => format!("it failed at \"{c}\""),
        (S::Failed, None) => "it failed".to_string(),
        (S::Interrupted, _) => "it was stopped at a safe point".to_string(),
        (S::CompletedWithFailedItems, _) => "it completed, but some items failed".to_string(),
        (S::Installing, _) => "its install did not finish".to_string(),
        (S::Completed, _) => "it completed".to_string(),
        (S::Abandoned | S::Restored, _) => "the operator closed it".to_string(),
    };
    let head = if live {
        format!("Upgrade {} -> {} in progress: {how}.", u.from, u.to)
    } else {
        format!(
            "An upgrade from {} to {} did not finish: {how}.",
            u.from, u.to
        )
    };
    let mut out = para(&head, w, 2, theme.warn());
    if let Some((done, total)) = u.steps {
        out.extend(kv(
            "Done",
            &format!(
                "{done} of {total} steps; {} remain",
                total.saturating_sub(done)
            ),
            w,
            theme,
            Style::new(),
        ));
    }
    if let Some(e) = &u.error {
        out.extend(kv("Error", e, w, theme, theme.error()));
    }
    if let Some(l) = &u.log_path {
        out.extend(kv("Log", l, w, theme, Style::new()));
    }
    out
}

impl Screen for Welcome {
    fn reset_focus(&mut self) {
        self.focus = 0;
    }

    fn on_key(&mut self, key: KeyEvent) -> Action {
        let n = self.choices().len();
        match key.code {
            KeyCode::Down | KeyCode::Tab => self.focus = (self.focus + 1) % n,
            KeyCode::Up | KeyCode::BackTab => self.focus = (self.focus + n - 1) % n,
            KeyCode::Enter => {
                return match self.choices().get(self.focus.min(n - 1)) {
                    Some(Choice::Continue) => Action::Continue,
                    Some(Choice::ResetDemo) => Action::ResetDemo,
                    Some(Choice::Rehearse) => Action::Rehearse,
                    Some(Choice::History) => Action::History,
                    _ => Action::Next,
                }
            }
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = vec![("Enter", "Choose")];
        if self.choices().len() > 1 {
            h.push(("Up/Down", "Select"));
        }
        h.extend([("F1", "Help"), ("q", "Quit")]);
        h
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width;
        let p = &self.package;
        // Following a run elsewhere, its progress needs the room the introduction has.
        let following = self.running_elsewhere().is_some();
        let mut lines: Vec<Line> = vec![Line::raw("")];
        let intro = if following {
            Vec::new()
        } else {
            para(
            &format!(
                "Welcome to the upgrade wizard for {}. It backs the database up, checks it, upgrades it release by release and tests it; if anything stops it, it continues where it left off.",
                p.product
            ),
            w,
            2,
            Style::new(),
        )
        };
        if !intro.is_empty() {
            lines.extend(intro);
            lines.push(Line::raw(""));
        }
        let product = match &p.vendor {
            Some(v) => format!("{} ({})", p.product, v),
            None => p.product.clone(),
        };
        lines.extend(kv("Product", &product, w, theme, Style::new()));
        if !following {
            lines.extend(kv("Package", &p.dir, w, theme, Style::new()));
        }
        let mut releases = p.releases.join(", ");
        if !p.required_stops.is_empty() {
            releases.push_str(&format!(
                " (required stop: {})",
                p.required_stops.join(", ")
            ));
        }
        if !following {
            lines.extend(kv("Releases", &releases, w, theme, Style::new()));
        }
        let demo = if self.is_demo {
            " (the demo database)"
        } else {
            ""
        };
        let db = if self.database.is_empty() {
            "not set yet".to_string()
        } else {
            self.database.clone()
        };
        lines.extend(kv(
            "Database",
            &format!("{} {db}{demo}", self.rdbms),
            w,
            theme,
            Style::new(),
        ));
        let (detected, style) = self.detected_line(theme);
        lines.extend(kv("Detected", &detected, w, theme, style));
        if let Some(n) = &self.notice {
            lines.push(Line::raw(""));
            lines.extend(para(n, w, 2, theme.warn()));
        }
        if let Some(owner) = self.running_elsewhere() {
            lines.push(Line::raw(""));
            lines.extend(para(
                &format!(
                    "An upgrade of this database is running now, in {}. This screen follows its progress.",
                    owner
                ),
                w,
                2,
                theme.warn(),
            ));
        }
        if let Some(a) = &self.away {
            lines.push(Line::raw(""));
            lines.extend(para(a, w, 2, theme.ok()));
        }
        match &self.rehearsal {
            None => {}
            Some(Rehearsal::Running) => {
                lines.push(Line::raw(""));
                lines.extend(para(
                    "Rehearsing on a copy of the database (the database itself is only read)...",
                    w,
                    2,
                    theme.warn(),
                ));
            }
            Some(Rehearsal::Finished { ok, lines: said }) => {
                lines.push(Line::raw(""));
                let style = if *ok { theme.ok() } else { theme.error() };
                for (i, l) in said.iter().enumerate() {
                    lines.extend(para(l, w, 2, if i == 0 { style } else { Style::new() }));
                }
            }
        }
        if let Some(u) = self.unfinished() {
            lines.push(Line::raw(""));
            lines.extend(unfinished_lines(&u, self.liveness(), w, theme));
        }
        if self.running_elsewhere().is_some() && !self.follow_log.is_empty() {
            let room = (area.height as usize)
                .saturating_sub(lines.len() + 3 + self.choices().len())
                .min(FOLLOW_LINES);
            if room > 0 {
                lines.push(Line::styled("  UPGRADE.LOG, live:", theme.heading()));
                // Wrapped, not cut: the end of a report path is what tells it apart.
                let rows: Vec<String> = self
                    .follow_log
                    .iter()
                    .flat_map(|l| chunks(l, (w as usize).saturating_sub(5)))
                    .collect();
                let skip = rows.len().saturating_sub(room);
                for r in &rows[skip..] {
                    lines.push(Line::styled(format!("  | {r}"), theme.dim()));
                }
            }
        }
        lines.push(Line::raw(""));
        for (i, c) in self.choices().into_iter().enumerate() {
            lines.push(choice(self.label(c), i == self.focus, None, theme));
        }
        // Keep the choices in view on a short terminal: drop the top instead.
        let skip = lines.len().saturating_sub(area.height as usize);
        f.render_widget(Paragraph::new(lines.split_off(skip)), area);
    }
}
