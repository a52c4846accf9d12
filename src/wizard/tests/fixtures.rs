//! Fixtures that put the state machine into a state: on the Plan screen, in the
//! middle of a run, after a run. Times and paths are fixed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;

use super::*;
use crate::engine::{Event, Level, Outcome, RunReport, StepStatus, Summary};
use crate::wizard::event::Done;
use crate::wizard::model::Detected;
use crate::wizard::screens::ScreenId;

pub fn detected() -> Detected {
    Detected {
        server_version: "SQLite 3.50.2".into(),
        installed: Some("9.0".into()),
        ..Detected::default()
    }
}

/// Walks to the Plan screen the way the operator does, answering the plan effect.
pub fn to_plan(app: &mut App, info: PlanInfo) {
    app.show(ScreenId::Database);
    let effects = press(app, KeyCode::Enter);
    let Some(Effect::Plan { seq, .. }) = effects.into_iter().next() else {
        panic!("Next on Database plans")
    };
    app.handle(
        AppEvent::Worker(Done::Planned {
            seq,
            result: Ok(info),
        }),
        Instant::now(),
    );
    assert_eq!(app.screen(), ScreenId::Plan);
}

/// Finish on the Plan screen, and Start in the confirmation that names the database.
pub fn finish(app: &mut App) -> Vec<Effect> {
    press(app, KeyCode::Enter);
    assert!(
        matches!(
            app.overlay(),
            Some(crate::wizard::app::Overlay::ConfirmFinish { .. })
        ),
        "Finish asks first:\n{}",
        render(app)
    );
    let effects = press(app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Progress);
    effects
}

pub fn engine(app: &mut App, ev: Event) {
    app.handle(AppEvent::Engine(ev), Instant::now());
}

/// A run in its third step, with a few log lines and fixed times.
pub fn running() -> App {
    let mut app = app();
    to_plan(&mut app, plan_info());
    finish(&mut app);
    engine(
        &mut app,
        Event::Planned {
            run_id: "20261129T101010000Z-4242".into(),
            route: "9.0 -> 10.1 -> 11.0".into(),
            steps: steps(),
            resumed: false,
            log_path: PathBuf::from("/var/log/upwiz/UPGRADE.LOG"),
        },
    );
    let logs = [
        "upwiz 0.1.0 upgrading Lattice Application Platform",
        "Connecting to SQLite database /srv/lattice/repository.db",
        "Step 1/16: Preflight checks before 9.0 -> 10.1",
        "  ok: Replication is off",
    ];
    for (i, (title, secs)) in [
        ("Preflight checks before 9.0 -> 10.1", 0.4),
        ("Back up the 9.0 database", 7.2),
    ]
    .iter()
    .enumerate()
    {
        engine(
            &mut app,
            Event::StepStarted {
                index: i,
                title: title.to_string(),
            },
        );
        for l in &logs {
            engine(
                &mut app,
                Event::Log {
                    level: Level::Info,
                    message: l.to_string(),
                },
            );
        }
        engine(
            &mut app,
            Event::StepFinished {
                index: i,
                status: StepStatus::Done,
                elapsed: Duration::from_secs_f64(*secs),
                message: None,
            },
        );
    }
    engine(
        &mut app,
        Event::StepStarted {
            index: 2,
            title: "Violation report on the source (9.0)".into(),
        },
    );
    engine(
        &mut app,
        Event::Log {
            level: Level::Warn,
            message: "  [foreign key] records row 17: form_id 99 has no forms row".into(),
        },
    );
    engine(
        &mut app,
        Event::Progress {
            index: 2,
            done: 3,
            total: 8,
        },
    );
    let p = app.stage_mut().progress_mut().unwrap();
    p.elapsed = 12 * SECOND;
    p.step_elapsed = 3 * SECOND;
    app
}

pub fn finished(outcome: Outcome) -> App {
    let mut app = running();
    engine(
        &mut app,
        Event::Finished(RunReport {
            outcome,
            summary: Summary {
                product: "Lattice Application Platform".into(),
                from: Some("9.0".into()),
                to: Some("11.0".into()),
                reached: Some("10.1".into()),
                duration: Duration::from_secs(754),
                backups: vec![
                    PathBuf::from("/var/backups/upwiz/repository-9.0-20250101T100000Z.sqlite"),
                    PathBuf::from("/var/backups/upwiz/repository-10.1-20250101T100400Z.sqlite"),
                ],
                reports: vec![
                    PathBuf::from("/var/log/upwiz/violations-20250101T100000Z-9.0-before.txt"),
                    PathBuf::from("/var/log/upwiz/violations-20250101T100000Z-10.1-after.txt"),
                ],
                warnings: Vec::new(),
                log_path: Some(PathBuf::from("/var/log/upwiz/UPGRADE.LOG")),
            },
        }),
    );
    app
}
