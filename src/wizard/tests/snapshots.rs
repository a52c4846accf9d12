//! Every screen at 80x24, in its ordinary and its error states, and the overlays.

use std::time::Instant;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::engine::{FailedItem, Outcome};
use crate::secret::Secret;
use crate::wizard::event::Done;
use crate::wizard::model::{Detected, Unfinished};
use crate::wizard::screens::database::Status;
use crate::wizard::screens::welcome::Detection;
use crate::wizard::screens::ScreenId;

#[test]
fn welcome() {
    let mut app = app();
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    assert_snapshot!(render(&app));
}

#[test]
fn welcome_unfinished_upgrade() {
    let mut app = app();
    let unfinished = Unfinished {
        from: "9.0".into(),
        to: "11.0".into(),
        state: crate::engine::RunState::Failed,
        steps: Some((5, 16)),
        current: Some("9.1: 02_backfill_form_field_count".into()),
        error: Some(
            "9.1/sqlite/02_backfill_form_field_count.sql, line 4: no such column: fields".into(),
        ),
        log_path: Some("/var/log/upwiz/UPGRADE.LOG".into()),
    };
    app.welcome_mut().state_file = Some(unfinished.clone());
    app.welcome_mut().detection = Detection::Found(Box::new(Detected {
        unfinished: Some(Unfinished {
            steps: None,
            log_path: None,
            current: None,
            ..unfinished
        }),
        ..detected()
    }));
    assert_snapshot!(render(&app));
}

#[test]
fn welcome_connection_failed() {
    let mut app = app();
    app.welcome_mut().detection = Detection::Failed(
        "database file /srv/lattice/repository.db does not exist; check the path, or create a new database with 'upwiz install'".into(),
    );
    assert_snapshot!(render(&app));
}

#[test]
fn credentials_sqlite() {
    let mut app = app();
    app.show(ScreenId::Credentials);
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
            place: "in the kernel keyring of this login session, until the session ends or the host reboots",
        }),
        Instant::now(),
    );
    app.show(ScreenId::Credentials);
    press(&mut app, KeyCode::Tab);
    assert_snapshot!(render(&app));
}

#[test]
fn rdbms() {
    let mut app = app();
    app.show(ScreenId::Rdbms);
    press(&mut app, KeyCode::Down);
    assert_snapshot!(render(&app));
}

#[test]
fn database_connected() {
    let mut app = app();
    app.show(ScreenId::Database);
    app.database_mut().status = Status::Connected(Box::new(detected()));
    assert_snapshot!(render(&app));
}

#[test]
fn database_connection_failed() {
    let mut app = App::new(Init {
        rdbms: crate::rdbms::Rdbms::Postgres,
        connect: "postgres://lattice:hunter2@db.example.com:5432/repository".into(),
        ..init()
    });
    app.show(ScreenId::Rdbms);
    press(&mut app, KeyCode::Enter);
    app.database_mut().status = Status::Failed(
        "Cannot connect: the server db.example.com:5432 cannot be reached (connection refused); check the host name and port, and that the server runs".into(),
    );
    assert_snapshot!(render(&app));
}

#[test]
fn database_testing() {
    let mut app = app();
    app.show(ScreenId::Database);
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
fn plan_with_the_backup_skipped_says_so_and_why() {
    let mut app = app();
    let info = PlanInfo {
        backup_skip: Some("SAN snapshot of the volume taken at 02:00".into()),
        ..plan_info()
    };
    to_plan(&mut app, info);
    let screen = render(&app);
    assert!(
        screen.contains("upwiz will not back up the database before upgrading"),
        "{screen}"
    );
    assert!(!screen.contains("/var/backups/upwiz"), "{screen}");
    assert_snapshot!(screen);
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
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    app.handle(AppEvent::Resize(50, 12), Instant::now());
    assert_snapshot!(render_at(&app, 50, 12));
    app.handle(AppEvent::Resize(80, 24), Instant::now());
    assert!(render(&app).contains("Set up the upgrade"));
}

#[test]
fn welcome_while_an_upgrade_runs_elsewhere() {
    let mut app = app();
    app.welcome_mut().state_file = Some(Unfinished {
        from: "9.0".into(),
        to: "11.0".into(),
        state: crate::engine::RunState::Running,
        steps: Some((6, 16)),
        current: Some("10.0: 01_split_user_names".into()),
        error: None,
        log_path: Some("/var/log/upwiz/UPGRADE.LOG".into()),
    });
    app.welcome_mut().detection = Detection::Found(Box::new(Detected {
        busy: true,
        ..Detected::default()
    }));
    assert!(app.wants_tick(), "it follows the other run's progress");
    assert_snapshot!(render(&app));
}
