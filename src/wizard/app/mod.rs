//! The wizard as a state machine: events in, effects out, no terminal and no I/O,
//! so every path through it can be driven by a test.

mod answers;
mod keys;

use std::time::Instant;

use super::event::{AppEvent, Effect};
use super::model::{PackageInfo, Unfinished};
use super::screens::credentials::Credentials;
use super::screens::database::DatabaseScreen;
use super::screens::plan::PlanScreen;
use super::screens::progress::ProgressScreen;
use super::screens::rdbms::RdbmsScreen;
use super::screens::result::ResultScreen;
use super::screens::welcome::{Detection, Welcome};
use super::screens::ScreenId;
use super::theme::Theme;
use crate::db::ConnectSpec;
use crate::engine::StateFile;
use crate::rdbms::Rdbms;
use crate::secret::Secret;

/// The exit code when the operator leaves before an upgrade ran: nothing failed.
pub const QUIT_CODE: i32 = 0;

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
        if spec.is_empty() {
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
        ConnectSpec::from_input(
            self.rdbms.selected(),
            self.database.connect.value(),
            (!user.is_empty()).then(|| user.to_string()),
            self.credentials.password(),
        )
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
}
