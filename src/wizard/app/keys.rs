//! Keys: the global ones (help, quit), the overlays, and the transitions that the
//! screens' actions ask for.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, HistoryView, Overlay, Run, Stage, QUIT_CODE};
use crate::engine::{ConfirmedPlan, Level};
use crate::wizard::event::{Effect, Remember};
use crate::wizard::screens::credentials::Stored;
use crate::wizard::screens::database::Status;
use crate::wizard::screens::progress::{Phase, ProgressScreen};
use crate::wizard::screens::result::{Restore, ResultScreen};
use crate::wizard::screens::welcome::Detection;
use crate::wizard::screens::{Action, ScreenId};

impl App {
    pub(super) fn stop(&mut self) {
        self.exit_when_finished = true;
        self.overlay = None;
        if let Some(p) = self.stage.progress_mut() {
            p.phase = Phase::Stopping;
            p.push_note(Level::Warn, "Stopping at the next safe point...");
        }
    }

    pub(super) fn request_quit(&mut self) -> Vec<Effect> {
        match self.run {
            Run::Running if self.exit_when_finished => {}
            Run::Running => {
                self.overlay = Some(Overlay::ConfirmQuit {
                    stop_focused: false,
                })
            }
            // A restore in flight is not left half-done.
            Run::Finished(_) if self.stage.result().is_some_and(|r| r.restoring()) => {}
            Run::Finished(code) => self.exit = Some(code),
            Run::NotStarted => self.exit = Some(QUIT_CODE),
        }
        Vec::new()
    }

    pub(super) fn editing_text(&self) -> bool {
        self.current().is_some_and(|s| s.editing_text())
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, now: Instant) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.too_small() {
            return match key.code {
                KeyCode::Char('c') if ctrl => self.request_quit(),
                KeyCode::Char('q') if !self.editing_text() => self.request_quit(),
                _ => Vec::new(),
            };
        }
        if let Some(o) = self.overlay {
            return self.on_overlay_key(o, key, now);
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
        let action = self
            .current_mut()
            .map_or(Action::Ignored, |s| s.on_key(key));
        self.act(action)
    }

    /// Shows `screen` with its focus where a first visit puts it, so coming back to
    /// a screen never leaves Enter on its Back button.
    pub(super) fn go(&mut self, screen: ScreenId) {
        self.screen = screen;
        if let Some(s) = self.current_mut() {
            s.reset_focus();
        }
    }

    pub(super) fn on_overlay_key(
        &mut self,
        o: Overlay,
        key: KeyEvent,
        now: Instant,
    ) -> Vec<Effect> {
        match o {
            Overlay::Help => {
                if matches!(
                    key.code,
                    KeyCode::Esc | KeyCode::Enter | KeyCode::F(1) | KeyCode::Char('?' | 'q')
                ) {
                    self.overlay = None;
                }
            }
            Overlay::ConfirmFinish {
                accept_violations,
                start_focused,
            } => match key.code {
                KeyCode::Char('y' | 'Y') => {
                    self.overlay = None;
                    return self.start_run(accept_violations, now);
                }
                KeyCode::Enter if start_focused => {
                    self.overlay = None;
                    return self.start_run(accept_violations, now);
                }
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => {
                    self.overlay = None
                }
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                    self.overlay = Some(Overlay::ConfirmFinish {
                        accept_violations,
                        start_focused: !start_focused,
                    })
                }
                _ => {}
            },
            Overlay::History => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    self.overlay = None;
                }
            }
            Overlay::ConfirmRestore { restore_focused } => match key.code {
                KeyCode::Char('y' | 'Y') => return self.start_restore(),
                KeyCode::Enter if restore_focused => return self.start_restore(),
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc | KeyCode::Enter => {
                    self.overlay = None
                }
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => {
                    self.overlay = Some(Overlay::ConfirmRestore {
                        restore_focused: !restore_focused,
                    })
                }
                _ => {}
            },
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

    pub(super) fn confirm_stop(&mut self) -> Vec<Effect> {
        if !self.running() {
            self.overlay = None;
            return Vec::new();
        }
        self.stop();
        vec![Effect::Cancel { signal: None }]
    }

    pub(super) fn act(&mut self, action: Action) -> Vec<Effect> {
        use ScreenId::*;
        match (self.screen, action) {
            (Welcome, Action::Next) => self.go(Credentials),
            (Welcome, Action::Continue) => {
                // Only when looking at it showed that a password is needed.
                if matches!(self.welcome.detection, Detection::NotTried(_))
                    && self.spec().password.is_none()
                {
                    self.go(Credentials);
                } else {
                    return self.start_plan();
                }
            }
            (Welcome, Action::Rehearse) => {
                self.welcome.rehearsal = Some(crate::wizard::screens::welcome::Rehearsal::Running);
                self.welcome.focus = 0;
                return vec![Effect::Rehearse { spec: self.spec() }];
            }
            (Welcome, Action::History) => {
                self.history = HistoryView::Reading;
                self.overlay = Some(Overlay::History);
                return vec![Effect::History { spec: self.spec() }];
            }
            (Result, Action::Restore) if self.stage.result().is_some_and(|r| r.can_restore()) => {
                self.overlay = Some(Overlay::ConfirmRestore {
                    restore_focused: false,
                });
            }
            (Welcome, Action::ResetDemo) => {
                self.welcome.detection = Detection::Pending;
                return vec![Effect::ResetDemo];
            }
            (Credentials, Action::Next) => {
                self.database.user = self.credentials.user.value().trim().to_string();
                self.go(Rdbms);
            }
            (Credentials, Action::Back) => self.go(Welcome),
            (Rdbms, Action::Next) => {
                let chosen = self.rdbms.selected();
                if chosen != self.database.rdbms {
                    self.database.switch_rdbms(chosen);
                }
                self.credentials.rdbms = chosen;
                self.go(Database);
            }
            (Rdbms, Action::Back) => self.go(Credentials),
            (Database, Action::Test) => {
                self.seq += 1;
                self.database.status = Status::Testing;
                return vec![Effect::Test {
                    seq: self.seq,
                    spec: self.spec(),
                }];
            }
            (Database, Action::PickedEnvironment) => {
                self.seq += 1;
                let rdbms = self.database.rdbms;
                self.rdbms.select(rdbms);
                self.credentials.rdbms = rdbms;
                // The environment's user; none typed when its connect string names one.
                let user = self.database.picked.as_ref().and_then(|e| {
                    e.user.clone().or_else(|| {
                        crate::wizard::connect::url_user(&e.connect).map(|_| String::new())
                    })
                });
                if let Some(user) = user {
                    self.credentials.user =
                        crate::wizard::widgets::textfield::TextField::new(user.clone());
                    self.database.user = user;
                }
            }
            (Database, Action::Next) => return self.start_plan(),
            (Database, Action::Back) => {
                self.seq += 1;
                self.database.status = Status::Idle;
                self.go(Rdbms);
            }
            (Plan, Action::Finish { accept_violations }) => {
                self.overlay = Some(Overlay::ConfirmFinish {
                    accept_violations,
                    start_focused: true,
                });
            }
            (Plan, Action::Back) => {
                self.database.status = Status::Idle;
                self.go(Database);
            }
            (Progress, Action::ShowResult) if self.stage.result().is_some() => self.screen = Result,
            (Result, Action::ShowLog) if self.stage.progress().is_some() => self.screen = Progress,
            (Result, Action::Exit) if self.stage.result().is_some_and(|r| r.restoring()) => {}
            (Result, Action::Exit) => {
                self.exit = Some(self.stage.result().map_or(0, ResultScreen::exit_code));
            }
            _ => {}
        }
        Vec::new()
    }

    /// The operator confirmed: the pre-upgrade backup goes back in, on a worker.
    pub(super) fn start_restore(&mut self) -> Vec<Effect> {
        self.overlay = None;
        let spec = self.spec();
        let Some(r) = self.stage.result_mut().filter(|r| r.can_restore()) else {
            return Vec::new();
        };
        r.restore = Restore::Running;
        vec![Effect::Restore {
            spec,
            backup: r.pre_upgrade.clone(),
        }]
    }

    /// Connects and plans on a worker; the Database screen shows it happening and
    /// any error, the Plan screen the result.
    pub(super) fn start_plan(&mut self) -> Vec<Effect> {
        if self.screen != ScreenId::Database {
            self.go(ScreenId::Database);
        }
        let spec = self.spec();
        if spec.is_empty() {
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

    pub(super) fn start_run(&mut self, accept_violations: bool, now: Instant) -> Vec<Effect> {
        let Some(plan) = self.stage.plan() else {
            return Vec::new();
        };
        let log = plan.info.log_path.display().to_string();
        let log = if log.is_empty() {
            self.log_path.clone()
        } else {
            log
        };
        self.violation_hints = plan.info.violation_hints.clone();
        let confirmed = ConfirmedPlan {
            installed: plan.info.installed.clone(),
            from: plan.info.from.clone(),
            to: plan.info.to.clone(),
            resumed: plan.info.resumed,
        };
        let gate_context = plan.info.stage.clone();
        let progress = ProgressScreen::new(
            &self.package.product,
            &plan.info.route,
            &plan.info.steps,
            &log,
        );
        self.stage = Stage::Running(progress);
        self.run = Run::Running;
        self.run_started = Some(now);
        self.screen = ScreenId::Progress;
        vec![Effect::Start {
            spec: self.spec(),
            accept_violations,
            confirmed,
            stage: gate_context,
        }]
    }
}
