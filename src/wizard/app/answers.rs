//! The state machine's answers to what is not a key: engine events, the clock, and
//! the workers' results.

use crate::engine::RunState;
use std::time::Instant;

use super::{App, HistoryView, Run, Stage};
use crate::engine::Event;
use crate::engine::StateFile;
use crate::wizard::connect::is_auth_error;
use crate::wizard::event::{Done, Effect};
use crate::wizard::model::{Detected, PlanInfo, Unfinished};
use crate::wizard::screens::database::Status;
use crate::wizard::screens::plan::PlanScreen;
use crate::wizard::screens::result::{exit_code, Restore, ResultScreen};
use crate::wizard::screens::welcome::Detection;
use crate::wizard::screens::{Screen, ScreenId};
use crate::wizard::text::sanitize;

impl App {
    pub(super) fn on_engine(&mut self, e: Event, now: Instant) {
        let Some(p) = self.stage.progress_mut() else {
            return;
        };
        if let Event::StepStarted { .. } = e {
            self.step_started = Some(now);
        }
        p.on_engine(&e);
        if let Event::Finished(report) = e {
            let code = exit_code(&report.outcome);
            self.run = Run::Finished(code);
            if let Some(t) = self.run_started {
                p.elapsed = now.duration_since(t);
            }
            let mut result = ResultScreen::new(report);
            result.hints = std::mem::take(&mut self.violation_hints);
            result.after = self.package.after.clone();
            self.stage.end(result);
            self.overlay = None;
            self.screen = ScreenId::Result;
            if self.exit_when_finished {
                self.exit = Some(code);
            }
        }
        // While hung up nothing is drawn; a flood of log lines must not make work.
        self.dirty = !self.hung_up;
    }

    pub(super) fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        if self.welcome.running_elsewhere().is_some() && self.screen == ScreenId::Welcome {
            self.follow_ticks += 1;
            let mut spec = self.spec();
            spec.password = None;
            let mut out = vec![Effect::ReadStateFile { spec }];
            // A run killed outside leaves its mirror at 'running': the lock tells.
            if self.follow_ticks.is_multiple_of(5) {
                out.extend(self.look_again());
            }
            return out;
        }
        let (Some(p), Some(start)) = (self.stage.progress_mut(), self.run_started) else {
            return Vec::new();
        };
        if self.run != Run::Running {
            return Vec::new();
        }
        let before = (p.clock_text(), p.step_elapsed.as_secs_f64() as u64);
        p.elapsed = now.duration_since(start);
        if let Some(s) = self.step_started {
            p.step_elapsed = now.duration_since(s);
        }
        // Redraw only when the text on screen would change.
        if before != (p.clock_text(), p.step_elapsed.as_secs_f64() as u64)
            && self.screen == ScreenId::Progress
        {
            self.dirty = true;
        }
        Vec::new()
    }

    pub(super) fn on_done(&mut self, done: Done) -> Vec<Effect> {
        match done {
            Done::Inspected { seq, result } if seq == self.inspect_seq => {
                // What the database says enters the model here, made safe once.
                let result = result.map(Detected::sanitized).map_err(|e| sanitize(&e));
                self.welcome.detection = match result {
                    Ok(d) => Detection::Found(Box::new(d)),
                    Err(e) if self.inspect_without_password && is_auth_error(&e) => {
                        Detection::NotTried(format!(
                            "not looked at yet: it needs the password ({e})"
                        ))
                    }
                    Err(e) => Detection::Failed(e),
                };
                self.welcome.focus = 0;
                // A remembered password that arrived meanwhile: look again with it.
                if matches!(self.welcome.detection, Detection::NotTried(_))
                    && self.credentials.password().is_some()
                {
                    return self.inspect().into_iter().collect();
                }
            }
            Done::Tested { seq, result } if seq == self.seq => {
                let result = result.map(Detected::sanitized).map_err(|e| sanitize(&e));
                self.database.status = match result {
                    Ok(d) => Status::Connected(Box::new(d)),
                    Err(e) => Status::Failed(format!("Cannot connect: {e}")),
                };
            }
            Done::Planned { seq, result } if seq == self.seq => {
                match result.map(PlanInfo::sanitized).map_err(|e| sanitize(&e)) {
                    Ok(info) => {
                        self.database.status = Status::Idle;
                        self.stage = Stage::Planned(PlanScreen::new(
                            info,
                            self.package.clone(),
                            self.database_label(),
                        ));
                        self.screen = ScreenId::Plan;
                    }
                    Err(e) => self.database.status = Status::Failed(e),
                }
            }
            Done::Keyring {
                available,
                remembered,
                place,
            } => {
                self.credentials.keyring = Some(available);
                self.credentials.keyring_place = place;
                self.credentials.set_remembered(remembered);
                if matches!(self.welcome.detection, Detection::NotTried(_))
                    && self.credentials.password().is_some()
                {
                    return self.inspect().into_iter().collect();
                }
            }
            Done::Followed(snap) => {
                let watching = self.welcome.running_elsewhere().is_some();
                self.welcome.follow_log = snap.log_tail.iter().map(|l| log_line(l)).collect();
                let s = snap.state;
                self.welcome.state_file = s.as_ref().and_then(Unfinished::from_state_file);
                // The other run finished: say so, look again, and stop watching.
                if let Some(s) = s.filter(|s| s.state != RunState::Running) {
                    if watching && s.state == RunState::Completed {
                        self.welcome.away = Some(completed_away(&s));
                    }
                    return self.look_again().into_iter().collect();
                }
            }
            Done::Rehearsed(r) => {
                self.welcome.rehearsal = Some(crate::wizard::screens::welcome::Rehearsal::of(r));
            }
            Done::History(r) => {
                self.history = match r {
                    Ok(runs) => HistoryView::Runs(runs),
                    Err(e) => HistoryView::Failed(sanitize(&e)),
                };
            }
            Done::Restored(r) => {
                if let Some(result) = self.stage.result_mut() {
                    result.restore = match r {
                        Ok(done) => Restore::Done(sanitize(&done.message)),
                        Err(e) => Restore::Failed(sanitize(&e)),
                    };
                }
            }
            Done::DemoReset(r) => {
                self.welcome.notice = r.err().map(|e| sanitize(&e));
                self.welcome.state_file = None;
                return self.inspect().into_iter().collect();
            }
            _ => {}
        }
        Vec::new()
    }
}

/// What Welcome says of a run that completed without this wizard watching it.
pub(super) fn completed_away(s: &StateFile) -> String {
    format!(
        "The upgrade from {} to {} completed while you were away (at {}).",
        sanitize(&s.from),
        sanitize(&s.to),
        sanitize(&when(&s.updated_at))
    )
}

/// "2026-11-29T19:36:35.872Z" as "2026-11-29 19:36 UTC"; anything else as it is.
fn when(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(time)) if iso.ends_with('Z') => format!("{day} {time} UTC"),
        _ => iso.to_string(),
    }
}

/// An UPGRADE.LOG line for the follow view, sanitised: "19:36:32 message" rather
/// than the full timestamp and level, so the message fits the line.
fn log_line(raw: &str) -> String {
    let stamped = raw.len() > 24 && raw.as_bytes().get(10) == Some(&b'T');
    let line = match (stamped, raw.get(11..19), raw.get(24..)) {
        (true, Some(time), Some(rest)) => {
            let rest = rest.trim_start();
            // The level is padded to five columns and a space: "INFO  ", "ERROR ".
            let leveled = ["INFO ", "WARN ", "ERROR"]
                .iter()
                .any(|l| rest.starts_with(l));
            let rest = match rest.get(6..) {
                Some(r) if leveled => r,
                _ => rest,
            };
            format!("{time} {rest}")
        }
        _ => raw.to_string(),
    };
    sanitize(&line)
}
