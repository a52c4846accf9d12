//! Screen 4: the connect string, with examples for the chosen RDBMS, and Test
//! connection: the server and product versions, or why not in one plain sentence.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{kv, para, Action, Screen};
use crate::rdbms::Rdbms;
use crate::stages::Environment;
use crate::wizard::model::Detected;
use crate::wizard::text::sanitize;
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons::{self, Button};
use crate::wizard::widgets::focus::FocusRing;
use crate::wizard::widgets::textfield::{Show, TextField};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Idle,
    Testing,
    /// Next was pressed: connecting and planning.
    Planning,
    Connected(Box<Detected>),
    /// A whole sentence, such as "Cannot connect: ...".
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    /// The configured environments, when there are any.
    Environments,
    Connect,
    Test,
    Back,
    Next,
}

#[derive(Debug, Clone)]
pub struct DatabaseScreen {
    pub connect: TextField,
    pub rdbms: Rdbms,
    pub product: String,
    pub status: Status,
    /// The User field of the Credentials screen, to compare with the connect string's.
    pub user: String,
    /// What was typed for each RDBMS, so switching back and forth loses nothing and
    /// a SQLite path is never offered as a PostgreSQL connect string.
    typed: Vec<(Rdbms, String)>,
    focus: FocusRing<Focus>,
    /// The config file's `[[environment]]`s, in stage order, offered to pick from.
    environments: Vec<Environment>,
    /// The one highlighted in the list.
    highlighted: usize,
    /// The one picked: its connect string is in the field until it is edited.
    pub picked: Option<Environment>,
}

const ORDER: [Focus; 4] = [Focus::Connect, Focus::Test, Focus::Back, Focus::Next];
const WITH_ENVIRONMENTS: [Focus; 5] = [
    Focus::Environments,
    Focus::Connect,
    Focus::Test,
    Focus::Back,
    Focus::Next,
];

impl DatabaseScreen {
    pub fn new(connect: &str, rdbms: Rdbms, product: &str) -> Self {
        DatabaseScreen {
            connect: TextField::new(connect),
            rdbms,
            product: product.to_string(),
            status: Status::Idle,
            user: String::new(),
            typed: Vec::new(),
            focus: FocusRing::new(Focus::Connect),
            environments: Vec::new(),
            highlighted: 0,
            picked: None,
        }
    }

    /// Offers `envs` as a list above the connect string, focused first; typing a
    /// connect string by hand stays possible. The one whose database is already in the
    /// field is highlighted.
    pub fn offer_environments(&mut self, envs: Vec<Environment>) {
        if envs.is_empty() {
            return;
        }
        let current = envs
            .iter()
            .position(|e| e.connect == self.connect.value() && e.rdbms == self.rdbms);
        self.highlighted = current.unwrap_or(0);
        self.picked = current.map(|i| envs[i].clone());
        self.environments = envs;
        self.focus = FocusRing::new(Focus::Environments);
    }

    fn order(&self) -> &'static [Focus] {
        if self.environments.is_empty() {
            &ORDER
        } else {
            &WITH_ENVIRONMENTS
        }
    }

    /// The highlighted environment's RDBMS and connect string become the field's.
    fn pick(&mut self) {
        let Some(env) = self.environments.get(self.highlighted).cloned() else {
            return;
        };
        if env.rdbms != self.rdbms {
            self.switch_rdbms(env.rdbms);
        }
        self.connect = TextField::new(env.connect.clone());
        self.status = Status::Idle;
        self.picked = Some(env);
        self.focus.set(Focus::Test);
    }

    fn environment_line(&self, theme: &Theme) -> Line<'static> {
        let focused = self.focus.is(Focus::Environments);
        let marker = if focused { ">" } else { " " };
        let mut spans = vec![Span::raw(format!("{marker} {:<14}", "Environment"))];
        for (i, e) in self.environments.iter().enumerate() {
            let picked = self.picked.as_ref().is_some_and(|p| p.name == e.name);
            let here = focused && i == self.highlighted;
            // Marked in the text too, for terminals without colour.
            let label = match (here, picked) {
                (true, _) => format!("[{}]", sanitize(&e.name)),
                (false, true) => format!("({})", sanitize(&e.name)),
                (false, false) => format!(" {} ", sanitize(&e.name)),
            };
            let style = if here {
                theme.focus()
            } else if picked {
                theme.heading()
            } else {
                Style::new()
            };
            spans.push(Span::styled(label, style));
            spans.push(Span::raw(" "));
        }
        Line::from(spans)
    }

    /// Keeps what was typed for the old RDBMS and brings back what was typed for the
    /// new one, or nothing.
    pub fn switch_rdbms(&mut self, to: Rdbms) {
        let old = std::mem::take(&mut self.connect);
        self.typed.retain(|(r, _)| *r != self.rdbms);
        self.typed.push((self.rdbms, old.value().to_string()));
        let back = self
            .typed
            .iter()
            .find(|(r, _)| *r == to)
            .map_or(String::new(), |(_, v)| v.clone());
        self.connect = TextField::new(back);
        self.rdbms = to;
        self.status = Status::Idle;
    }

    /// Said under the field when the connect string names a user other than the
    /// one typed: the typed one is used.
    fn user_note(&self) -> Option<String> {
        let named = crate::wizard::connect::url_user(self.connect.value())?;
        let typed = self.user.trim();
        (!typed.is_empty() && typed != named).then(|| {
            format!(
                "The connect string names the user '{}'; the user typed on the Credentials screen, '{}', is used instead.",
                sanitize(&named),
                sanitize(typed)
            )
        })
    }

    pub fn busy(&self) -> bool {
        matches!(self.status, Status::Testing | Status::Planning)
    }

    fn status_lines(&self, w: u16, theme: &Theme) -> Vec<Line<'static>> {
        let mut out = vec![Line::raw("")];
        let stage = self
            .picked
            .as_ref()
            .and_then(|e| Some((sanitize(&e.name), sanitize(e.follows.as_deref()?))));
        if let Some((name, prev)) = stage {
            // Said before the plan, so the refusal on the Plan screen is no surprise.
            out.extend(para(
                &format!(
                    "{name} follows {prev}: the plan is refused unless {prev} completed this upgrade with this package first ('upwiz stages' shows each stage)."
                ),
                w,
                2,
                theme.warn(),
            ));
        }
        if let Some(n) = self.user_note() {
            out.extend(para(&n, w, 2, theme.warn()));
        }
        match &self.status {
            Status::Idle => {}
            Status::Testing => out.push(Line::raw("  Testing the connection...")),
            Status::Planning => out.push(Line::raw("  Connecting and planning the upgrade...")),
            Status::Connected(d) if d.busy => out.extend(para(
                "The database is in use: another process is writing to it, most likely an upgrade. Try again when it has finished.",
                w,
                2,
                theme.warn(),
            )),
            Status::Connected(d) => {
                out.extend(kv(
                    "Connected",
                    &d.server_version,
                    w,
                    theme,
                    theme.ok(),
                ));
                let product = &self.product;
                let found = match (&d.installed, &d.detect_error) {
                    (Some(v), _) => format!("{product} {}", v),
                    (None, e) => format!(
                        "no {product} installation found ({})",
                        e.as_deref().unwrap_or("unknown")
                    ),
                };
                let style = if d.installed.is_some() {
                    Style::new()
                } else {
                    theme.warn()
                };
                out.extend(kv("Installed", &found, w, theme, style));
            }
            Status::Failed(e) => {
                out.extend(para(e, w, 2, theme.error()));
            }
        }
        out
    }
}

impl Screen for DatabaseScreen {
    fn reset_focus(&mut self) {
        self.focus.reset();
    }

    fn editing_text(&self) -> bool {
        self.focus.is(Focus::Connect)
    }

    fn on_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus.step(self.order(), 1),
            KeyCode::BackTab | KeyCode::Up => self.focus.step(self.order(), -1),
            KeyCode::Esc => return Action::Back,
            KeyCode::Left if self.focus.is(Focus::Environments) => {
                self.highlighted = self.highlighted.saturating_sub(1);
            }
            KeyCode::Right if self.focus.is(Focus::Environments) => {
                self.highlighted = (self.highlighted + 1).min(self.environments.len() - 1);
            }
            // While a test runs, picking another database drops its result; while
            // planning, the database is no longer open to choice.
            KeyCode::Enter
                if self.focus.is(Focus::Environments) && self.status != Status::Planning =>
            {
                self.pick();
                return Action::PickedEnvironment;
            }
            KeyCode::Enter if self.busy() => {}
            KeyCode::Enter => {
                return match self.focus.get() {
                    Focus::Test => Action::Test,
                    Focus::Back => Action::Back,
                    _ => Action::Next,
                }
            }
            _ if self.focus.is(Focus::Connect) => {
                if !self.connect.handle(&key) {
                    return Action::Ignored;
                }
                // Edited by hand: no longer the environment's database.
                if self
                    .picked
                    .as_ref()
                    .is_some_and(|p| p.connect != self.connect.value())
                {
                    self.picked = None;
                }
                // A result for the old connect string would mislead.
                if !self.busy() {
                    self.status = Status::Idle;
                }
            }
            _ => return Action::Ignored,
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.focus.is(Focus::Environments) {
            return vec![
                ("Left/Right", "Choose"),
                ("Enter", "Pick"),
                ("Tab", "Field"),
                ("F1", "Help"),
                ("Ctrl-C", "Quit"),
            ];
        }
        let enter = match self.focus.get() {
            Focus::Test => "Test",
            Focus::Back => "Back",
            _ => "Next",
        };
        vec![
            ("Enter", enter),
            ("Esc", "Back"),
            ("Tab", "Field"),
            ("F1", "Help"),
            ("Ctrl-C", "Quit"),
        ]
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width;
        let examples = self.rdbms.connect_examples();
        let envs = if self.environments.is_empty() { 0 } else { 2 };
        let [intro, env_row, field, ex, test, status, row] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(envs),
            Constraint::Length(1),
            Constraint::Length(examples.len() as u16 + 1),
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut text = vec![Line::raw("")];
        text.extend(para(
            &format!(
                "Specify the connect string of the {} database to upgrade.",
                self.rdbms
            ),
            w,
            2,
            Style::new(),
        ));
        f.render_widget(Paragraph::new(text), intro);
        if envs > 0 {
            f.render_widget(Paragraph::new(self.environment_line(theme)), env_row);
        }
        self.connect.draw(
            f,
            field,
            "Database",
            self.focus.is(Focus::Connect),
            Show::Redacted,
            None,
            theme,
        );
        let mut ex_lines = Vec::new();
        for (i, e) in examples.iter().enumerate() {
            let label = if i == 0 { "Examples" } else { "" };
            ex_lines.push(Line::from(vec![
                Span::styled(format!("  {label:<14}"), theme.dim()),
                Span::styled(e.to_string(), theme.dim()),
            ]));
        }
        f.render_widget(Paragraph::new(ex_lines), ex);
        let focused = self.focus.is(Focus::Test);
        let b = Button {
            label: "Test connection",
            focused,
        };
        let line = Line::from(vec![
            Span::raw("  "),
            Span::styled(
                buttons::label(&b),
                if focused {
                    theme.focus()
                } else {
                    theme.heading()
                },
            ),
        ]);
        f.render_widget(Paragraph::new(vec![Line::raw(""), line]), test);
        f.render_widget(Paragraph::new(self.status_lines(w, theme)), status);
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
