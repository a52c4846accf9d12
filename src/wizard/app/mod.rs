//! The wizard as a state machine: events in, effects out, no terminal and no I/O,
//! so every path through it can be driven by a test.

mod answers;
mod draw;
mod keys;
mod overlays;
mod stage;

pub use stage::Stage;

use std::time::Instant;

use super::event::{AppEvent, Effect};
use super::model::{PackageInfo, Unfinished};
use super::screens::credentials::Credentials;
use super::screens::database::DatabaseScreen;
use super::screens::rdbms::RdbmsScreen;
use super::screens::welcome::{Detection, Welcome};
use super::screens::{Screen, ScreenId};
use super::theme::Theme;
use crate::db::ConnectSpec;
use crate::engine::StateFile;
use crate::rdbms::Rdbms;
use crate::secret::Secret;
use crate::wizard::text::sanitize;

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
    /// This machine's name: a SQLite path alone does not say which host it is on.
    pub host: String,
    pub theme: Theme,
    pub size: (u16, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit {
        stop_focused: bool,
    },
    /// The last word before the database is changed: it names the database.
    ConfirmFinish {
        accept_violations: bool,
        start_focused: bool,
    },
    /// The runs of this database on record, over Welcome.
    History,
    /// Restoring the pre-upgrade backup after a failed run: it names the database.
    ConfirmRestore {
        restore_focused: bool,
    },
}

/// What the History overlay shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryView {
    Reading,
    Runs(Vec<String>),
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    NotStarted,
    Running,
    Finished(i32),
}

pub struct App {
    theme: Theme,
    screen: ScreenId,
    size: (u16, u16),
    package: PackageInfo,
    welcome: Welcome,
    credentials: Credentials,
    rdbms: RdbmsScreen,
    database: DatabaseScreen,
    /// Plan, Progress and Result: whichever the wizard has reached.
    stage: Stage,
    overlay: Option<Overlay>,
    run: Run,
    /// Set when the wizard should end, with the exit code.
    exit: Option<i32>,
    hung_up: bool,
    /// Something on screen changed since the last drawing.
    dirty: bool,
    /// Leave as soon as the run finishes (quit confirmed, signal, hang-up).
    exit_when_finished: bool,
    seq: u64,
    inspect_seq: u64,
    inspect_without_password: bool,
    /// Ticks spent following a run elsewhere, to look at its lock now and then.
    follow_ticks: u64,
    keyring: bool,
    log_path: String,
    host: String,
    /// The plan's advice for violations, for the Result screen if they stop the run.
    violation_hints: Vec<String>,
    run_started: Option<Instant>,
    step_started: Option<Instant>,
    history: HistoryView,
}

impl App {
    pub fn new(mut init: Init) -> Self {
        // Text from the package, the settings and the disk enters the model here,
        // made safe for the terminal once.
        init.package = init.package.sanitized();
        init.notice = init.notice.map(|n| sanitize(&n));
        init.host = sanitize(&init.host);
        let mut welcome = Welcome::new(
            init.package.clone(),
            init.rdbms,
            sanitize(&crate::db::redact(&init.connect)),
            init.is_demo,
        );
        welcome.state_file = init
            .state_file
            .as_ref()
            .and_then(Unfinished::from_state_file);
        welcome.notice = init.notice;
        // A run that completed since the operator last looked, e.g. after a
        // dropped session: said once, on the first screen.
        welcome.away = init
            .state_file
            .as_ref()
            .filter(|s| s.state == crate::engine::RunState::Completed && recent(&s.updated_at))
            .map(answers::completed_away);
        // The connect string's own user is shown, so the operator sees who connects.
        let user = match init.user.trim() {
            "" => super::connect::url_user(&init.connect).unwrap_or_default(),
            u => u.to_string(),
        };
        let mut credentials = Credentials::new(&user, init.rdbms);
        if let Some(p) = init.env_password {
            credentials.set_env_password(p);
        }
        let mut database = DatabaseScreen::new(&init.connect, init.rdbms, &init.package.product);
        database.user = user;
        App {
            theme: init.theme,
            screen: ScreenId::Welcome,
            size: init.size,
            database,
            package: init.package,
            welcome,
            credentials,
            rdbms: RdbmsScreen::new(init.rdbms),
            stage: Stage::Setup,
            overlay: None,
            run: Run::NotStarted,
            exit: None,
            hung_up: false,
            dirty: true,
            exit_when_finished: false,
            seq: 0,
            inspect_seq: 0,
            inspect_without_password: false,
            follow_ticks: 0,
            keyring: init.keyring,
            log_path: init.log_path,
            host: init.host,
            violation_hints: Vec::new(),
            run_started: None,
            step_started: None,
            history: HistoryView::Reading,
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
        // A server may need no password (trust, peer, an empty one): try, and say
        // that it needs one only when it refuses.
        self.inspect_without_password = spec.rdbms != Rdbms::Sqlite && spec.password.is_none();
        self.seq += 1;
        self.inspect_seq = self.seq;
        self.welcome.detection = Detection::Pending;
        Some(Effect::Inspect {
            seq: self.seq,
            spec,
        })
    }

    /// Looks at the database again without blanking what Welcome shows meanwhile:
    /// for following a run elsewhere.
    fn look_again(&mut self) -> Option<Effect> {
        let before = self.welcome.detection.clone();
        let effect = self.inspect();
        if effect.is_some() && matches!(before, Detection::Found(_)) {
            self.welcome.detection = before;
        }
        effect
    }

    /// The config file's environments, offered on the Database screen.
    pub fn offer_environments(&mut self, envs: Vec<crate::stages::Environment>) {
        self.database.offer_environments(envs);
    }

    /// Where and as whom to connect, from what the screens hold now.
    pub fn spec(&self) -> ConnectSpec {
        super::connect::spec(
            self.rdbms.selected(),
            self.database.connect.value(),
            Some(self.credentials.user.value()),
            self.credentials.password(),
        )
    }

    /// The database a run would change, as the operator must see it before Finish:
    /// the RDBMS, the connect string redacted, and for a file the host it is on.
    pub fn database_label(&self) -> String {
        let rdbms = self.rdbms.selected();
        let target = sanitize(&crate::db::redact(self.database.connect.value().trim()));
        match rdbms {
            Rdbms::Sqlite if !self.host.is_empty() => {
                format!("{rdbms} {target} on host {}", sanitize(&self.host))
            }
            _ => format!("{rdbms} {target}"),
        }
    }

    /// Below the minimum size only a notice is drawn: keys must not act on the
    /// screen the operator cannot see.
    pub fn too_small(&self) -> bool {
        self.size.0 < draw::MIN_WIDTH || self.size.1 < draw::MIN_HEIGHT
    }

    /// The screen on show, as the one model all screens share; None only for a
    /// later screen whose state is not there (never reached by the transitions).
    pub fn current(&self) -> Option<&dyn Screen> {
        Some(match self.screen {
            ScreenId::Welcome => &self.welcome,
            ScreenId::Credentials => &self.credentials,
            ScreenId::Rdbms => &self.rdbms,
            ScreenId::Database => &self.database,
            ScreenId::Plan => self.stage.plan()?,
            ScreenId::Progress => self.stage.progress()?,
            ScreenId::Result => self.stage.result()?,
        })
    }

    pub fn current_mut(&mut self) -> Option<&mut dyn Screen> {
        Some(match self.screen {
            ScreenId::Welcome => &mut self.welcome,
            ScreenId::Credentials => &mut self.credentials,
            ScreenId::Rdbms => &mut self.rdbms,
            ScreenId::Database => &mut self.database,
            ScreenId::Plan => self.stage.plan_mut()?,
            ScreenId::Progress => self.stage.progress_mut()?,
            ScreenId::Result => self.stage.result_mut()?,
        })
    }

    /// What the terminal keeps once the wizard has closed: the run's outcome, paths
    /// and what to do next; nothing when no upgrade ran.
    pub fn farewell(&self) -> Vec<String> {
        let Some(r) = self.stage.result() else {
            return Vec::new();
        };
        let restored = match &r.restore {
            crate::wizard::screens::result::Restore::Done(m) => Some(m.as_str()),
            _ => None,
        };
        super::ways_back::farewell(&r.report, &self.package.after, restored)
    }

    /// An upgrade ran to its end here (so retention applies).
    pub fn ran(&self) -> bool {
        matches!(self.run, Run::Finished(_))
    }

    /// The exit code once the wizard should end.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit
    }

    /// Something on screen changed and there is a terminal to draw it on.
    pub fn needs_drawing(&self) -> bool {
        self.dirty && !self.hung_up
    }

    pub fn drawn(&mut self) {
        self.dirty = false;
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

/// Whether a state file's `updated_at` (RFC 3339) is within the last day: an older
/// completed run is history, not news.
fn recent(updated_at: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(updated_at)
        .map(|t| chrono::Utc::now().signed_duration_since(t) < chrono::Duration::hours(24))
        .unwrap_or(false)
}

/// What the tests look into and set up directly; the binary goes through `handle`.
#[cfg(test)]
impl App {
    pub fn screen(&self) -> ScreenId {
        self.screen
    }

    pub fn overlay(&self) -> Option<Overlay> {
        self.overlay
    }

    pub fn show(&mut self, screen: ScreenId) {
        self.screen = screen;
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn set_dirty(&mut self, dirty: bool) {
        self.dirty = dirty;
    }

    pub fn welcome_mut(&mut self) -> &mut Welcome {
        &mut self.welcome
    }

    pub fn credentials_mut(&mut self) -> &mut Credentials {
        &mut self.credentials
    }

    pub fn database_mut(&mut self) -> &mut DatabaseScreen {
        &mut self.database
    }

    pub fn stage_mut(&mut self) -> &mut Stage {
        &mut self.stage
    }
}
