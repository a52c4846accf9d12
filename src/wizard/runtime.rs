//! The loop: it owns the terminal, feeds every event to the state machine, carries
//! out the effects it returns, and draws at most once a frame, and only when
//! something changed.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossterm::event::{self as ct, KeyEventKind};

use super::app::{App, QUIT_CODE};
use super::effects;
use super::event::{AppEvent, Effect};
use super::terminal::Tui;
use crate::config::Settings;
use crate::engine::{self, CancelToken, Event, Level, RunReport};
use crate::package::Package;

/// At most this often: the screen cannot usefully change faster, an SSH link can.
const FRAME: Duration = Duration::from_millis(40);
/// Log and progress events in the channel beyond this are dropped (UPGRADE.LOG has
/// them), so a flood cannot grow memory while the screen is slow to drain.
const MAX_PENDING: usize = 5_000;

pub struct Runtime {
    tx: Sender<AppEvent>,
    rx: Option<Receiver<AppEvent>>,
    ctx: effects::Context,
    cancel: CancelToken,
    engine: Option<JoinHandle<RunReport>>,
    pending: Arc<AtomicUsize>,
    dropped: Arc<AtomicU64>,
    ticking: Arc<AtomicBool>,
}

impl Runtime {
    pub fn new(package: Arc<Package>, settings: Settings) -> Self {
        let (tx, rx) = mpsc::channel();
        Runtime {
            tx,
            rx: Some(rx),
            ctx: effects::Context {
                package,
                dirs: settings.dirs,
                target: settings.target,
                limits: settings.limits,
                backup: settings.backup,
                environments: settings.environments,
                keyring: settings.keyring,
            },
            cancel: CancelToken::new(),
            engine: None,
            pending: Arc::new(AtomicUsize::new(0)),
            dropped: Arc::new(AtomicU64::new(0)),
            ticking: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn run(mut self, app: &mut App, tui: &mut Tui) -> anyhow::Result<i32> {
        let rx = self.rx.take().expect("run once");
        if let Ok(s) = tui.size() {
            app.handle(AppEvent::Resize(s.width, s.height), Instant::now());
        }
        spawn_input(self.tx.clone());
        spawn_ticks(self.tx.clone(), self.ticking.clone());
        let signals = spawn_signals(self.tx.clone())?;
        let effects = app.start();
        self.perform(effects);
        let code = self.event_loop(app, &rx, tui);
        signals.close();
        // The run has reported Finished before the loop lets go; this only reaps it.
        if let Some(h) = self.engine.take() {
            let _ = h.join();
        }
        Ok(code)
    }

    fn event_loop(&mut self, app: &mut App, rx: &Receiver<AppEvent>, tui: &mut Tui) -> i32 {
        let mut last_draw = Instant::now() - FRAME;
        // The operator is waiting for this change: draw it without waiting for the frame.
        let mut urgent = false;
        loop {
            if let Some(code) = app.exit_code() {
                return code;
            }
            self.ticking.store(app.wants_tick(), Ordering::Relaxed);
            let ev = if app.needs_drawing() {
                let wait = FRAME.saturating_sub(last_draw.elapsed());
                if wait.is_zero() || urgent {
                    // A terminal that has gone away is noticed by SIGHUP, not here.
                    let _ = tui.draw(|f| app.draw(f));
                    app.drawn();
                    urgent = false;
                    last_draw = Instant::now();
                    continue;
                }
                match rx.recv_timeout(wait) {
                    Ok(ev) => ev,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return QUIT_CODE,
                }
            } else {
                match rx.recv() {
                    Ok(ev) => ev,
                    Err(_) => return QUIT_CODE,
                }
            };
            urgent |= self.dispatch(app, ev);
            // Coalesce: take everything already waiting before drawing once, but not
            // for so long that a flood keeps the screen from ever updating, nor at all
            // once a key is waiting to be answered.
            let until = Instant::now() + FRAME / 2;
            while !urgent && Instant::now() < until {
                match rx.try_recv() {
                    Ok(ev) => urgent |= self.dispatch(app, ev),
                    Err(_) => break,
                }
            }
        }
    }

    /// Handles one event; true when it is one the operator waits to see answered (a
    /// key, a resize, a worker's answer, a signal), as opposed to the engine's stream.
    fn dispatch(&mut self, app: &mut App, ev: AppEvent) -> bool {
        let urgent = matches!(
            ev,
            AppEvent::Key(_) | AppEvent::Resize(..) | AppEvent::Worker(_) | AppEvent::Signal(_)
        );
        if let AppEvent::Engine(Event::Log { .. } | Event::Progress { .. }) = ev {
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let note = Event::Log {
                level: Level::Warn,
                message: format!("({dropped} log lines not shown here; UPGRADE.LOG has them all)"),
            };
            let _ = app.handle(AppEvent::Engine(note), Instant::now());
        }
        let effects = app.handle(ev, Instant::now());
        self.perform(effects);
        urgent
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.perform_one(effect);
        }
    }

    fn perform_one(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        let job = match effects::work_later(effect).map_err(|e| *e) {
            Ok(job) => job,
            Err(Effect::Start {
                spec,
                accept_violations,
                confirmed,
                stage,
            }) => return self.start(spec, accept_violations, confirmed, stage),
            Err(Effect::Cancel { signal: Some(n) }) => {
                // The engine reports which signal stopped it, for the exit code.
                let _ = self.cancel.flag().compare_exchange(
                    0,
                    n as usize,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
                // Cancels the statement in flight and asks child tools to end.
                self.cancel.interrupt();
                return;
            }
            Err(Effect::Cancel { signal: None }) => return self.cancel.cancel(),
            Err(_) => return,
        };
        let ctx = self.ctx.clone();
        background(move || {
            if let Ok(d) = effects::work(job, &ctx) {
                let _ = tx.send(AppEvent::Worker(d));
            }
        });
    }

    fn start(
        &mut self,
        spec: crate::db::ConnectSpec,
        accept_violations: bool,
        confirmed: engine::ConfirmedPlan,
        stage: Option<crate::stages::marks::GateContext>,
    ) {
        let req = effects::run_request(&self.ctx, spec, accept_violations, confirmed, stage);
        let (tx, pending, dropped) = (self.tx.clone(), self.pending.clone(), self.dropped.clone());
        let sink: engine::Sink = Box::new(move |ev| {
            if matches!(ev, Event::Log { .. } | Event::Progress { .. }) {
                if pending.load(Ordering::Relaxed) >= MAX_PENDING {
                    if matches!(ev, Event::Log { .. }) {
                        dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                pending.fetch_add(1, Ordering::Relaxed);
            }
            let _ = tx.send(AppEvent::Engine(ev));
        });
        self.cancel = CancelToken::new();
        self.engine = Some(engine::spawn(req, sink, self.cancel.clone()));
    }
}

fn background(job: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .name("upwiz-worker".into())
        .spawn(job)
        .expect("a worker thread starts");
}

fn spawn_input(tx: Sender<AppEvent>) {
    background(move || {
        let mut errors = 0;
        loop {
            let ev = match ct::read() {
                Ok(ev) => {
                    errors = 0;
                    ev
                }
                // A read interrupted by a signal fails once; a terminal that is gone
                // fails every time, and then there is nothing left to read.
                Err(_) => {
                    errors += 1;
                    if errors > 20 {
                        return;
                    }
                    thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            let sent = match ev {
                ct::Event::Key(k) if k.kind != KeyEventKind::Release => tx.send(AppEvent::Key(k)),
                ct::Event::Resize(w, h) => tx.send(AppEvent::Resize(w, h)),
                _ => Ok(()),
            };
            if sent.is_err() {
                return;
            }
        }
    });
}

fn spawn_ticks(tx: Sender<AppEvent>, ticking: Arc<AtomicBool>) {
    background(move || loop {
        thread::sleep(Duration::from_secs(1));
        if ticking.load(Ordering::Relaxed) && tx.send(AppEvent::Tick).is_err() {
            return;
        }
    });
}

fn spawn_signals(tx: Sender<AppEvent>) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGINT, SIGTERM])?;
    let handle = signals.handle();
    background(move || {
        for sig in signals.forever() {
            let ev = if sig == SIGHUP {
                AppEvent::Hangup
            } else {
                AppEvent::Signal(sig)
            };
            if tx.send(ev).is_err() {
                return;
            }
        }
    });
    Ok(handle)
}
