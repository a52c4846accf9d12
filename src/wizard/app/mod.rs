//! The wizard as a state machine: events in, effects out, no terminal and no I/O,
//! so every path through it can be driven by a test.

mod answers;

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::{AppEvent, Done, Effect, Remember};
use super::model::{PackageInfo, Unfinished};
use super::screens::credentials::{Credentials, Stored};
use super::screens::database::{DatabaseScreen, Status};
use super::screens::plan::PlanScreen;
use super::screens::progress::{Phase, ProgressScreen};
use super::screens::rdbms::RdbmsScreen;
use super::screens::result::{exit_code, ResultScreen};
use super::screens::welcome::{Detection, Welcome};
use super::screens::{Action, ScreenId};
use super::theme::Theme;
use crate::db::ConnectSpec;
use crate::engine::{Event, Level, StateFile};
use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// The exit code when the operator leaves before an upgrade ran.
pub const QUIT_CODE: i32 = 130;

/// Everything the wizard starts from, already read from the settings and disk.
pub struct Init {
    pub package: PackageInfo,
    pub rdbms: Rdbms,
    pub connect: String,
    pub user: String,
    pub is_demo: bool,
    pub keyring: bool,
    pub env_password: Option<Secret>,
    pub log_path: String,
    pub state_file: Option<StateFile>,
    pub notice: Option<String>,
    pub theme: Theme,
    pub size: (u16, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit { stop_focused: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    NotStarted,
    Running,
    Finished(i32),
}

pub struct App {
    pub theme: Theme,
    pub screen: ScreenId,
    pub size: (u16, u16),
    pub package: PackageInfo,
    pub welcome: Welcome,
    pub credentials: Credentials,
    pub rdbms: RdbmsScreen,
    pub database: DatabaseScreen,
    pub plan: Option<PlanScreen>,
    pub progress: Option<ProgressScreen>,
    pub result: Option<ResultScreen>,
    pub overlay: Option<Overlay>,
    pub run: Run,
    /// Set when the wizard should end, with the exit code.
    pub exit: Option<i32>,
    pub hung_up: bool,
    /// Something on screen changed since the last drawing.
    pub dirty: bool,
    /// Leave as soon as the run finishes (quit confirmed, signal, hang-up).
    exit_when_finished: bool,
    seq: u64,
    inspect_seq: u64,
    keyring: bool,
    log_path: String,
    run_started: Option<Instant>,
    step_started: Option<Instant>,
}

impl App {
    pub fn new(init: Init) -> Self {
        let mut welcome = Welcome::new(
            init.package.clone(),
            init.rdbms,
            crate::db::redact(&init.connect),
            init.is_demo,
        );
        welcome.state_file = init
            .state_file
            .as_ref()
            .and_then(Unfinished::from_state_file);
        welcome.notice = init.notice;
        let mut credentials = Credentials::new(&init.user, init.rdbms);
        if let Some(p) = init.env_password {
            credentials.set_env_password(p);
        }
        App {
            theme: init.theme,
            screen: ScreenId::Welcome,
            size: init.size,
            database: DatabaseScreen::new(&init.connect, init.rdbms, &init.package.product),
            package: init.package,
            welcome,
            credentials,
            rdbms: RdbmsScreen::new(init.rdbms),
            plan: None,
            progress: None,
            result: None,
            overlay: None,
            run: Run::NotStarted,
            exit: None,
            hung_up: false,
            dirty: true,
            exit_when_finished: false,
            seq: 0,
            inspect_seq: 0,
            keyring: init.keyring,
            log_path: init.log_path,
            run_started: None,
            step_started: None,
        }
    }

    /// The first effects: look at the configured database and the keyring.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        if self.keyring {
            out.push(Effect::ProbeKeyring {
                user: self.credentials.user.value().to_string(),
                target: self.database.connect.value().to_string(),
            });
        }
        out.extend(self.inspect());
        out
    }

    fn inspect(&mut self) -> Option<Effect> {
        let spec = self.spec();
        if spec.target.is_empty() {
            self.welcome.detection =
                Detection::NotTried("not looked at yet: no database is configured".into());
            return None;
        }
        if spec.rdbms != Rdbms::Sqlite && spec.password.is_none() {
            self.welcome.detection =
                Detection::NotTried("not looked at yet: it needs the password".into());
            return None;
        }
        self.seq += 1;
        self.inspect_seq = self.seq;
        self.welcome.detection = Detection::Pending;
        Some(Effect::Inspect {
            seq: self.seq,
            spec,
        })
    }

    /// Where and as whom to connect, from what the screens hold now.
    pub fn spec(&self) -> ConnectSpec {
        let user = self.credentials.user.value().trim();
        ConnectSpec {
            rdbms: self.rdbms.selected(),
            target: self.database.connect.value().trim().to_string(),
            user: (!user.is_empty()).then(|| user.to_string()),
            password: self.credentials.password(),
        }
    }

    pub fn wants_tick(&self) -> bool {
        self.run == Run::Running || self.welcome.running_elsewhere().is_some()
    }

    pub fn running(&self) -> bool {
        self.run == Run::Running
    }

    pub fn handle(&mut self, ev: AppEvent, now: Instant) -> Vec<Effect> {
        match ev {
            AppEvent::Key(k) => {
                self.dirty = true;
                self.on_key(k, now)
            }
            AppEvent::Resize(w, h) => {
                self.size = (w, h);
                self.dirty = true;
                Vec::new()
            }
            AppEvent::Engine(e) => {
                self.on_engine(e, now);
                Vec::new()
            }
            AppEvent::Tick => self.on_tick(now),
            AppEvent::Hangup => {
                self.hung_up = true;
                if self.running() {
                    // The upgrade must not be left half-done: it carries on unattended.
                    self.exit_when_finished = true;
                } else {
                    self.exit = Some(128 + 1);
                }
                Vec::new()
            }
            AppEvent::Signal(n) => {
                self.dirty = true;
                if self.running() {
                    self.stop();
                    vec![Effect::Cancel { signal: Some(n) }]
                } else {
                    self.exit = Some(128 + n);
                    Vec::new()
                }
            }
            AppEvent::Worker(done) => {
                self.dirty = true;
                self.on_done(done)
            }
        }
    }

    fn stop(&mut self) {
        self.exit_when_finished = true;
        self.overlay = None;
        if let Some(p) = self.progress.as_mut() {
            p.phase = Phase::Stopping;
            p.push_note(Level::Warn, "Stopping at the next safe point...");
        }
    }

    fn request_quit(&mut self) -> Vec<Effect> {
        match self.run {
            Run::Running if self.exit_when_finished => {}
            Run::Running => {
                self.overlay = Some(Overlay::ConfirmQuit {
                    stop_focused: false,
                })
            }
            Run::Finished(code) => self.exit = Some(code),
            Run::NotStarted => self.exit = Some(QUIT_CODE),
        }
        Vec::new()
    }

    fn editing_text(&self) -> bool {
        match self.screen {
            ScreenId::Credentials => self.credentials.editing_text(),
            ScreenId::Database => self.database.editing_text(),
            _ => false,
        }
    }

    fn on_key(&mut self, key: KeyEvent, now: Instant) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Some(o) = self.overlay {
            return self.on_overlay_key(o, key);
        }
        match key.code {
            KeyCode::Char('c') if ctrl => return self.request_quit(),
            KeyCode::F(1) => {
                self.overlay = Some(Overlay::Help);
                return Vec::new();
            }
            KeyCode::Char('?') if !self.editing_text() => {
                self.overlay = Some(Overlay::Help);
                return Vec::new();
            }
            KeyCode::Char('q') if !self.editing_text() => return self.request_quit(),
            _ => {}
        }
        let action = match self.screen {
            ScreenId::Welcome => self.welcome.on_key(key),
            ScreenId::Credentials => self.credentials.on_key(key),
            ScreenId::Rdbms => self.rdbms.on_key(key),
            ScreenId::Database => self.database.on_key(key),
            ScreenId::Plan => self.plan.as_mut().map_or(Action::Back, |p| p.on_key(key)),
            ScreenId::Progress => self
                .progress
                .as_mut()
                .map_or(Action::Ignored, |p| p.on_key(key)),
            ScreenId::Result => self.result.as_mut().map_or(Action::Exit, |r| r.on_key(key)),
        };
        self.act(action, now)
    }

    fn on_overlay_key(&mut self, o: Overlay, key: KeyEvent) -> Vec<Effect> {
        match o {
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Enter | KeyCode::F(1) | KeyCode::Char('?' | 'q')
                ) {
                    self.overlay = None;
                }
            }
            Overlay::ConfirmQuit { stop_focused } => match key.code {
                KeyCode::Char('y' | 'Y') => return self.confirm_stop(),
                KeyCode::Enter if stop_focused => return self.confirm_stop(),
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => {
                    self.overlay = None
                }
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                    self.overlay = Some(Overlay::ConfirmQuit {
                        stop_focused: !stop_focused,
                    })
                }
                _ => {}
            },
        }
        Vec::new()
    }

    fn confirm_stop(&mut self) -> Vec<Effect> {
        if !self.running() {
            self.overlay = None;
            return Vec::new();
        }
        self.stop();
        vec![Effect::Cancel { signal: None }]
    }

    fn act(&mut self, action: Action, now: Instant) -> Vec<Effect> {
        use ScreenId::*;
        match (self.screen, action) {
            (Welcome, Action::Next) => self.screen = Credentials,
            (Welcome, Action::Continue) => {
                let spec = self.spec();
                if spec.rdbms != crate::rdbms::Rdbms::Sqlite && spec.password.is_none() {
                    self.screen = Credentials;
                } else {
                    return self.start_plan();
                }
            }
            (Welcome, Action::ResetDemo) => {
                self.welcome.detection = Detection::Pending;
                return vec![Effect::ResetDemo];
            }
            (Credentials, Action::Next) => self.screen = Rdbms,
            (Credentials, Action::Back) => self.screen = Welcome,
            (Rdbms, Action::Next) => {
                let chosen = self.rdbms.selected();
                if chosen != self.database.rdbms {
                    self.database.rdbms = chosen;
                    self.database.status = Status::Idle;
                }
                self.credentials.rdbms = chosen;
                self.screen = Database;
            }
            (Rdbms, Action::Back) => self.screen = Credentials,
            (Database, Action::Test) => {
                self.seq += 1;
                self.database.status = Status::Testing;
                return vec![Effect::Test {
                    seq: self.seq,
                    spec: self.spec(),
                }];
            }
            (Database, Action::Next) => return self.start_plan(),
            (Database, Action::Back) => {
                self.seq += 1;
                self.database.status = Status::Idle;
                self.screen = Rdbms;
            }
            (Plan, Action::Finish { accept_violations }) => {
                return self.start_run(accept_violations, now)
            }
            (Plan, Action::Back) => {
                self.database.status = Status::Idle;
                self.screen = Database;
            }
            (Progress, Action::ShowResult) if self.result.is_some() => self.screen = Result,
            (Result, Action::ShowLog) if self.progress.is_some() => self.screen = Progress,
            (Result, Action::Exit) => {
                self.exit = Some(self.result.as_ref().map_or(0, ResultScreen::exit_code));
            }
            _ => {}
        }
        Vec::new()
    }

    /// Connects and plans on a worker; the Database screen shows it happening and
    /// any error, the Plan screen the result.
    fn start_plan(&mut self) -> Vec<Effect> {
        self.screen = ScreenId::Database;
        let spec = self.spec();
        if spec.target.is_empty() {
            self.database.status =
                Status::Failed("Type the connect string of the database first.".into());
            return Vec::new();
        }
        self.seq += 1;
        self.database.status = Status::Planning;
        let c = &self.credentials;
        let remember = match (
            self.keyring && c.keyring == Some(true),
            c.remember,
            c.typed_password(),
        ) {
            (false, _, _) => Remember::Leave,
            (true, true, true) => Remember::Store,
            (true, false, _) if matches!(c.stored, Stored::Keyring(_)) => Remember::Forget,
            _ => Remember::Leave,
        };
        vec![Effect::Plan {
            seq: self.seq,
            spec,
            remember,
        }]
    }

    fn start_run(&mut self, accept_violations: bool, now: Instant) -> Vec<Effect> {
        let Some(plan) = &self.plan else {
            return Vec::new();
        };
        let log = plan.info.log_path.display().to_string();
        let log = if log.is_empty() {
            self.log_path.clone()
        } else {
            log
        };
        self.progress = Some(ProgressScreen::new(
            &self.package.product,
            &plan.info.route,
            &plan.info.steps,
            &log,
        ));
        self.result = None;
        self.run = Run::Running;
        self.run_started = Some(now);
        self.screen = ScreenId::Progress;
        vec![Effect::Start {
            spec: self.spec(),
            accept_violations,
        }]
    }
}
