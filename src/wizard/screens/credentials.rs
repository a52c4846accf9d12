//! Screen 2: user name and password, masked; optionally remembered in the keyring.
//! A remembered password is offered (used unless another is typed), never shown.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{para, Action, Screen};
use crate::rdbms::Rdbms;
use crate::secret::Secret;
use crate::wizard::theme::Theme;
use crate::wizard::widgets::buttons;
use crate::wizard::widgets::focus::FocusRing;
use crate::wizard::widgets::textfield::{Show, TextField};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Focus {
    User,
    Password,
    Remember,
    Back,
    Next,
}

/// Where a password comes from when none is typed. Deliberately no Debug.
#[derive(Clone, Default)]
pub enum Stored {
    #[default]
    None,
    Keyring(Secret),
    Env(Secret),
}

#[derive(Clone)]
pub struct Credentials {
    pub user: TextField,
    password: TextField,
    pub remember: bool,
    /// None until the keyring has been probed.
    pub keyring: Option<bool>,
    pub stored: Stored,
    /// Where the keyring keeps a password and for how long, in words.
    pub keyring_place: &'static str,
    pub rdbms: Rdbms,
    focus: FocusRing<Focus>,
}

impl Credentials {
    pub fn new(user: &str, rdbms: Rdbms) -> Self {
        Credentials {
            user: TextField::new(user),
            password: TextField::default(),
            remember: false,
            keyring: None,
            stored: Stored::None,
            keyring_place: "in the keyring",
            rdbms,
            focus: FocusRing::new(Focus::User),
        }
    }

    /// The password to connect with: typed, else remembered, else from the environment.
    pub fn password(&self) -> Option<Secret> {
        if !self.password.is_empty() {
            return Some(Secret::new(self.password.value()));
        }
        match &self.stored {
            Stored::Keyring(s) | Stored::Env(s) => Some(s.clone()),
            Stored::None => None,
        }
    }

    pub fn typed_password(&self) -> bool {
        !self.password.is_empty()
    }

    pub fn set_remembered(&mut self, secret: Option<Secret>) {
        if let Some(s) = secret {
            if matches!(self.stored, Stored::None) {
                self.stored = Stored::Keyring(s);
                self.remember = true;
            }
        }
    }

    pub fn set_env_password(&mut self, secret: Secret) {
        self.stored = Stored::Env(secret);
    }

    /// SQLite has no password to remember.
    fn offers_remember(&self) -> bool {
        self.keyring == Some(true) && self.rdbms != Rdbms::Sqlite
    }

    fn focusables(&self) -> Vec<Focus> {
        let mut v = vec![Focus::User, Focus::Password];
        if self.offers_remember() {
            v.push(Focus::Remember);
        }
        v.extend([Focus::Back, Focus::Next]);
        v
    }

    fn move_focus(&mut self, by: isize) {
        let order = self.focusables();
        self.focus.step(&order, by);
    }
}

impl Screen for Credentials {
    fn reset_focus(&mut self) {
        self.focus.reset();
    }

    fn editing_text(&self) -> bool {
        matches!(self.focus.get(), Focus::User | Focus::Password)
    }

    fn on_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(-1),
            KeyCode::Esc => return Action::Back,
            KeyCode::Enter if self.focus.is(Focus::Back) => return Action::Back,
            // The password comes after the user; SQLite needs neither.
            KeyCode::Enter if self.focus.is(Focus::User) && self.rdbms != Rdbms::Sqlite => {
                self.focus.set(Focus::Password)
            }
            KeyCode::Enter => return Action::Next,
            KeyCode::Char(' ') if self.focus.is(Focus::Remember) => self.remember = !self.remember,
            _ => {
                let handled = match self.focus.get() {
                    Focus::User => self.user.handle(&key),
                    Focus::Password => self.password.handle(&key),
                    _ => false,
                };
                if !handled {
                    return Action::Ignored;
                }
            }
        }
        Action::None
    }

    fn hints(&self) -> Vec<(&'static str, &'static str)> {
        let mut h = vec![("Enter", "Next"), ("Esc", "Back"), ("Tab", "Field")];
        if self.focus.is(Focus::Remember) {
            h.push(("Space", "Toggle"));
        }
        h.extend([("F1", "Help"), ("Ctrl-C", "Quit")]);
        h
    }

    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme) {
        let w = area.width;
        let [intro, user, pass, remember, note, _, row] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut text = vec![Line::raw("")];
        text.extend(para(
            "Type the user name and password you use when connecting to the database.",
            w,
            2,
            Style::new(),
        ));
        if self.rdbms == Rdbms::Sqlite {
            text.extend(para(
                "SQLite needs neither: press Enter to go on.",
                w,
                2,
                theme.dim(),
            ));
        }
        f.render_widget(Paragraph::new(text), intro);
        self.user.draw(
            f,
            user,
            "User name",
            self.focus.is(Focus::User),
            Show::Plain,
            None,
            theme,
        );
        let placeholder = match self.stored {
            Stored::Keyring(_) => Some("(remembered in the keyring)"),
            Stored::Env(_) => Some("(from UPWIZ_PASSWORD)"),
            Stored::None => None,
        };
        self.password.draw(
            f,
            pass,
            "Password",
            self.focus.is(Focus::Password),
            Show::Masked,
            placeholder,
            theme,
        );
        if self.offers_remember() {
            let focused = self.focus.is(Focus::Remember);
            let mark = if self.remember { "[x]" } else { "[ ]" };
            let style = if focused { theme.focus() } else { Style::new() };
            let line = Line::from(vec![
                Span::raw(if focused { "> " } else { "  " }),
                Span::styled(
                    format!("{mark} Remember the password in the keyring"),
                    style,
                ),
            ]);
            f.render_widget(Paragraph::new(vec![Line::raw(""), line]), remember);
        }
        let mut notes = vec![Line::raw("")];
        if matches!(self.stored, Stored::Keyring(_)) {
            notes.extend(para(
                &format!(
                    "A password for this user and database is remembered {}; it is used unless you type another.",
                    self.keyring_place
                ),
                w,
                2,
                theme.dim(),
            ));
        } else if self.offers_remember() && self.remember {
            notes.extend(para(
                &format!(
                    "Once the connection works, the password is stored {}.",
                    self.keyring_place
                ),
                w,
                2,
                theme.dim(),
            ));
        }
        if self.keyring == Some(false) && self.rdbms != Rdbms::Sqlite {
            notes.extend(para(
                "No keyring is available here, so the password cannot be remembered; set UPWIZ_PASSWORD to avoid typing it.",
                w,
                2,
                theme.dim(),
            ));
        }
        f.render_widget(Paragraph::new(notes), note);
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
