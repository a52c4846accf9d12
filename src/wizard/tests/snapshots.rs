//! Every screen at 80x24, in its ordinary and its error states, and the overlays.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::engine::{Event, FailedItem, Level, Outcome, RunReport, StepStatus, Summary};
use crate::secret::Secret;
use crate::wizard::event::Done;
use crate::wizard::model::{Detected, Unfinished};
use crate::wizard::screens::database::Status;
use crate::wizard::screens::welcome::Detection;
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
    app.screen = ScreenId::Database;
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
    assert_eq!(app.screen, ScreenId::Plan);
}

pub fn engine(app: &mut App, ev: Event) {
    app.handle(AppEvent::Engine(ev), Instant::now());
}

/// A run in its third step, with a few log lines and fixed times.
pub fn running() -> App {
    let mut app = app();
    to_plan(&mut app, plan_info());
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, ScreenId::Progress);
    engine(
        &mut app,
        Event::Planned {
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
    let p = app.progress.as_mut().unwrap();
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

#[test]
fn welcome() {
    let mut app = app();
    app.welcome.detection = Detection::Found(detected());
    assert_snapshot!(render(&app));
}

#[test]
fn welcome_unfinished_upgrade() {
    let mut app = app();
    let unfinished = Unfinished {
        from: "9.0".into(),
        to: "11.0".into(),
        state: "failed".into(),
        steps: Some((5, 16)),
        current: Some("9.1: 02_backfill_form_field_count".into()),
        error: Some(
            "9.1/sqlite/02_backfill_form_field_count.sql, line 4: no such column: fields".into(),
        ),
        log_path: Some("/var/log/upwiz/UPGRADE.LOG".into()),
    };
    app.welcome.state_file = Some(unfinished.clone());
    app.welcome.detection = Detection::Found(Detected {
        unfinished: Some(Unfinished {
            steps: None,
            log_path: None,
            current: None,
            ..unfinished
        }),
        ..detected()
    });
    assert_snapshot!(render(&app));
}

#[test]
fn welcome_connection_failed() {
    let mut app = app();
    app.welcome.detection = Detection::Failed(
        "database file /srv/lattice/repository.db does not exist; check the path, or create a new database with 'upwiz install'".into(),
    );
    assert_snapshot!(render(&app));
}

#[test]
fn credentials_sqlite() {
    let mut app = app();
    app.screen = ScreenId::Credentials;
    assert_snapshot!(render(&app));
}

#[test]
fn credentials_remembered_password() {
    let mut app = App::new(Init {
        rdbms: crate::rdbms::Rdbms::Postgres,
        connect: "postgres://lattice@db.example.com:5432/repository".into(),
        user: "lattice".into(),
        keyring: true,
        ..init()
    });
    app.handle(
        AppEvent::Worker(Done::Keyring {
            available: true,
            remembered: Some(Secret::new("hunter2")),
        }),
        Instant::now(),
    );
    app.screen = ScreenId::Credentials;
    press(&mut app, KeyCode::Tab);
    assert_snapshot!(render(&app));
}

#[test]
fn rdbms() {
    let mut app = app();
    app.screen = ScreenId::Rdbms;
    press(&mut app, KeyCode::Down);
    assert_snapshot!(render(&app));
}

#[test]
fn database_connected() {
    let mut app = app();
    app.screen = ScreenId::Database;
    app.database.status = Status::Connected(detected());
    assert_snapshot!(render(&app));
}

#[test]
fn database_connection_failed() {
    let mut app = App::new(Init {
        rdbms: crate::rdbms::Rdbms::Postgres,
        connect: "postgres://lattice:hunter2@db.example.com:5432/repository".into(),
        ..init()
    });
    app.screen = ScreenId::Rdbms;
    press(&mut app, KeyCode::Enter);
    app.database.status = Status::Failed(
        "Cannot connect: the server db.example.com:5432 cannot be reached (connection refused); check the host name and port, and that the server runs".into(),
    );
    assert_snapshot!(render(&app));
}

#[test]
fn database_testing() {
    let mut app = app();
    app.screen = ScreenId::Database;
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    assert_snapshot!(render(&app));
}

#[test]
fn plan() {
    let mut app = app();
    to_plan(&mut app, plan_info());
    assert_snapshot!(render(&app));
}

#[test]
fn plan_with_violations_refuses_finish() {
    let mut app = app();
    let info = PlanInfo {
        violations: Some(Ok(vec![
            "[foreign key] records row 17: form_id 99 has no forms row".into(),
            "[Records of deleted applications] record_id=4".into(),
        ])),
        ..plan_info()
    };
    to_plan(&mut app, info);
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_snapshot!(render(&app));
}

#[test]
fn plan_continuing_with_no_backup() {
    let mut app = app();
    let mut info = plan_info();
    info.resumed = true;
    for s in info.steps.iter_mut().take(5) {
        s.done = true;
    }
    info.violations = None;
    info.backup = Err(
        "cannot write to the backup directory /var/backups/upwiz: Permission denied (os error 13)"
            .into(),
    );
    to_plan(&mut app, info);
    assert_snapshot!(render(&app));
}

#[test]
fn plan_nothing_to_do() {
    let mut app = app();
    let info = PlanInfo {
        installed: "11.0".into(),
        from: "11.0".into(),
        route: "11.0".into(),
        steps: Vec::new(),
        nothing_to_do: true,
        ..plan_info()
    };
    to_plan(&mut app, info);
    assert_snapshot!(render(&app));
}

#[test]
fn progress() {
    assert_snapshot!(render(&running()));
}

#[test]
fn quit_confirmation_while_running() {
    let mut app = running();
    press(&mut app, KeyCode::Char('q'));
    assert_snapshot!(render(&app));
}

#[test]
fn progress_stopping() {
    let mut app = running();
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert_snapshot!(render(&app));
}

#[test]
fn result_success() {
    assert_snapshot!(render(&finished(Outcome::Completed)));
}

#[test]
fn result_failed() {
    assert_snapshot!(render(&finished(Outcome::Failed {
        step: "Violation report on the source (9.0)".into(),
        error: "2 violation(s) in the source database (report: /var/log/upwiz/violations-9.0-before.txt); fix them and run upwiz again".into(),
    })));
}

#[test]
fn result_failed_items() {
    let item = |id: &str, name: &str| FailedItem {
        step: "Convert applications to form engine 2".into(),
        id: id.into(),
        name: name.into(),
        error: "11.0/sqlite/item_upgrade_application.sql, line 3: CHECK constraint failed: slug"
            .into(),
    };
    assert_snapshot!(render(&finished(Outcome::CompletedWithFailedItems {
        failed: vec![item("7", "Expenses"), item("12", "Field service")],
    })));
}

#[test]
fn result_interrupted() {
    assert_snapshot!(render(&finished(Outcome::Interrupted { signal: None })));
}

#[test]
fn help_overlay() {
    let mut app = app();
    to_plan(&mut app, plan_info());
    press(&mut app, KeyCode::F(1));
    assert_snapshot!(render(&app));
}

#[test]
fn too_small_then_grown() {
    let mut app = app();
    app.welcome.detection = Detection::Found(detected());
    app.handle(AppEvent::Resize(50, 12), Instant::now());
    assert_snapshot!(render_at(&app, 50, 12));
    app.handle(AppEvent::Resize(80, 24), Instant::now());
    assert!(render(&app).contains("Set up the upgrade"));
}
