//! Whole walks with the real workers and the real engine on a copy of the demo
//! package and a fresh SQLite database; effects are carried out in line, so the
//! walk is deterministic.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crossterm::event::KeyCode;

use super::*;
use crate::db::ConnectSpec;
use crate::engine::{self, CancelToken, Outcome, RunRequest};
use crate::package::Package;
use crate::paths::Dirs;
use crate::wizard::effects::{run_request, work, Context};
use crate::wizard::screens::result::SUCCESS;
use crate::wizard::screens::ScreenId;
use crate::wizard::worker;

struct Demo {
    _tmp: tempfile::TempDir,
    package: Arc<Package>,
    dirs: Dirs,
    db: String,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn spec(db: &str) -> ConnectSpec {
    crate::wizard::connect::spec(crate::rdbms::Rdbms::Sqlite, db, None, None)
}

/// The demo package copied (so a test may break a script) and installed at 9.0.
fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let pkg_dir = tmp.path().join("package");
    copy_dir(&crate::config::demo_package_dir(), &pkg_dir);
    let package = Arc::new(crate::package::load(&pkg_dir).unwrap());
    let dirs = Dirs {
        state_dir: tmp.path().join("state"),
        log_dir: tmp.path().join("log"),
        backup_dir: tmp.path().join("backups"),
    };
    let db = tmp.path().join("demo.db").display().to_string();
    let report = engine::install(&package, &spec(&db), Some("9.0"), &dirs, Box::new(|_| {}));
    assert_eq!(report.outcome, Outcome::Completed);
    Demo {
        _tmp: tmp,
        package,
        dirs,
        db,
    }
}

fn app_for(d: &Demo) -> App {
    let state = engine::read_state_file(&engine::state_file_path(&d.dirs.state_dir, &spec(&d.db)));
    App::new(Init {
        package: super::super::model::PackageInfo::from_package(&d.package),
        connect: d.db.clone(),
        state_file: state,
        ..init()
    })
}

/// Carries out effects with the runtime's own executor, but in line.
fn perform(app: &mut App, d: &Demo, effects: Vec<Effect>) {
    let ctx = Context {
        package: d.package.clone(),
        dirs: d.dirs.clone(),
        target: None,
        limits: crate::db::Limits::default(),
        backup: Default::default(),
        environments: Vec::new(),
        keyring: false,
    };
    let mut queue: VecDeque<Effect> = effects.into();
    while let Some(effect) = queue.pop_front() {
        let answers: Vec<AppEvent> = match work(effect, &ctx).map_err(|e| *e) {
            Ok(done) => vec![AppEvent::Worker(done)],
            Err(Effect::Start {
                spec,
                accept_violations,
                confirmed,
                stage,
            }) => {
                let events = Arc::new(Mutex::new(Vec::new()));
                let sink_events = events.clone();
                let req = run_request(&ctx, spec, accept_violations, confirmed, stage);
                engine::run(
                    &req,
                    Box::new(move |e| sink_events.lock().unwrap().push(e)),
                    &CancelToken::new(),
                );
                let events = std::mem::take(&mut *events.lock().unwrap());
                events.into_iter().map(AppEvent::Engine).collect()
            }
            Err(_) => Vec::new(),
        };
        for ev in answers {
            queue.extend(app.handle(ev, Instant::now()));
        }
    }
}

/// Presses Enter until the Result screen, returning every screen seen on the way.
fn enter_until_result(app: &mut App, d: &Demo) -> Vec<ScreenId> {
    let mut seen = vec![app.screen()];
    for _ in 0..20 {
        let effects = press(app, KeyCode::Enter);
        if effects.iter().any(|e| matches!(e, Effect::Start { .. })) {
            assert_eq!(
                app.screen(),
                ScreenId::Progress,
                "Finish starts the run on Progress"
            );
            seen.push(app.screen());
        }
        perform(app, d, effects);
        if seen.last() != Some(&app.screen()) {
            seen.push(app.screen());
        }
        if app.screen() == ScreenId::Result {
            return seen;
        }
    }
    panic!(
        "no result after 20 Enters; at {:?}:\n{}",
        app.screen(),
        render(app)
    );
}

fn installed(d: &Demo) -> Option<String> {
    worker::inspect(&d.package, &spec(&d.db)).unwrap().installed
}

#[test]
fn pressing_only_enter_takes_the_demo_from_welcome_to_success() {
    let d = demo();
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    assert!(
        render(&app).contains("Lattice Application Platform 9.0"),
        "{}",
        render(&app)
    );
    let seen = enter_until_result(&mut app, &d);
    use ScreenId::*;
    assert_eq!(
        seen,
        vec![
            Welcome,
            Credentials,
            Rdbms,
            Database,
            Plan,
            Progress,
            Result
        ]
    );
    let screen = render(&app);
    assert!(screen.contains(SUCCESS), "{screen}");
    assert_eq!(installed(&d).as_deref(), Some(d.package.newest().as_str()));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.exit_code(), Some(0));
}

#[test]
fn after_a_failure_the_welcome_screen_continues_where_it_left_off() {
    let d = demo();
    let script = d.package.dir.join("10.0/sqlite/01_split_user_names.sql");
    let original = std::fs::read_to_string(&script).unwrap();
    std::fs::write(
        &script,
        format!("{original}\nSELECT * FROM no_such_table;\n"),
    )
    .unwrap();
    let broken = Arc::new(crate::package::load(&d.package.dir).unwrap());
    let d_broken = Demo {
        package: broken,
        _tmp: tempfile::tempdir().unwrap(),
        dirs: d.dirs.clone(),
        db: d.db.clone(),
    };

    let mut app = app_for(&d_broken);
    let effects = app.start();
    perform(&mut app, &d_broken, effects);
    enter_until_result(&mut app, &d_broken);
    let screen = render(&app);
    assert!(screen.contains("The upgrade failed."), "{screen}");
    assert!(screen.contains("no_such_table"), "{screen}");
    assert!(screen.contains("continues where it left off"), "{screen}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.exit_code(), Some(1));

    // The operator fixes the script and starts upwiz again.
    std::fs::write(&script, original).unwrap();
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    let screen = render(&app);
    assert!(screen.contains("> Continue where it left off"), "{screen}");
    assert!(screen.contains("did not finish"), "{screen}");
    let seen = enter_until_result(&mut app, &d);
    // Continue connects and plans straight away: Database is only passed through.
    assert_eq!(
        seen,
        vec![
            ScreenId::Welcome,
            ScreenId::Plan,
            ScreenId::Progress,
            ScreenId::Result
        ]
    );
    assert!(render(&app).contains(SUCCESS), "{}", render(&app));
    assert_eq!(installed(&d).as_deref(), Some("11.0"));
}

#[test]
fn test_connection_reports_a_missing_file_in_one_sentence() {
    let d = demo();
    let mut app = app_for(&d);
    app.show(ScreenId::Database);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Tab);
    let effects = press(&mut app, KeyCode::Enter);
    perform(&mut app, &d, effects);
    let screen = render(&app);
    assert!(screen.contains("Cannot connect: database file"), "{screen}");
    assert!(screen.contains("does not exist"), "{screen}");
    // And Next stays on Database with the same sentence rather than going on.
    let effects = press(&mut app, KeyCode::BackTab);
    perform(&mut app, &d, effects);
    let effects = press(&mut app, KeyCode::Enter);
    perform(&mut app, &d, effects);
    assert_eq!(app.screen(), ScreenId::Database);
}

/// The operator reads the plan (9.0 -> 11.0); meanwhile another run upgrades the
/// database. Finish must not execute a plan the operator did not see.
#[test]
fn finish_after_another_run_moved_the_database_refuses_and_changes_nothing() {
    let d = demo();
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    for _ in 0..10 {
        if app.screen() == ScreenId::Plan {
            break;
        }
        let effects = press(&mut app, KeyCode::Enter);
        perform(&mut app, &d, effects);
    }
    assert_eq!(app.screen(), ScreenId::Plan, "{}", render(&app));
    assert!(render(&app).contains("9.0"), "{}", render(&app));

    let other = RunRequest {
        package: d.package.clone(),
        spec: spec(&d.db),
        target: Some("10.1".into()),
        dirs: d.dirs.clone(),
        accept_violations: false,
        checklist_confirmed: true,
        confirmed: None,
        backup: Default::default(),
        stage: None,
    };
    let report = engine::run(&other, Box::new(|_| {}), &CancelToken::new());
    assert_eq!(report.outcome, Outcome::Completed);

    enter_until_result(&mut app, &d);
    let screen = render(&app);
    assert!(
        screen.contains("database changed since the plan was shown"),
        "{screen}"
    );
    assert_eq!(installed(&d).as_deref(), Some("10.1"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.exit_code(), Some(2));
}

/// A run fails half-way (9.0 -> 9.1 done, 10.0 broken); the operator restores the
/// pre-upgrade backup from the Result screen and the database reads 9.0 again, with
/// the journal saying so: Welcome no longer offers to continue.
#[test]
fn after_a_failure_the_result_screen_restores_the_pre_upgrade_backup() {
    let d = demo();
    let script = d.package.dir.join("10.0/sqlite/01_split_user_names.sql");
    let original = std::fs::read_to_string(&script).unwrap();
    std::fs::write(
        &script,
        format!("{original}\nSELECT * FROM no_such_table;\n"),
    )
    .unwrap();
    let broken = Demo {
        package: Arc::new(crate::package::load(&d.package.dir).unwrap()),
        _tmp: tempfile::tempdir().unwrap(),
        dirs: d.dirs.clone(),
        db: d.db.clone(),
    };
    let mut app = app_for(&broken);
    let effects = app.start();
    perform(&mut app, &broken, effects);
    enter_until_result(&mut app, &broken);
    assert!(render(&app).contains("The upgrade failed."));
    assert_eq!(installed(&d).as_deref(), Some("9.1"));

    press(&mut app, KeyCode::Char('r'));
    let screen = render(&app);
    assert!(screen.contains(&d.db[..20]), "names the database: {screen}");
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(effects.as_slice(), [Effect::Restore { .. }]));
    perform(&mut app, &broken, effects);
    let screen = render(&app);
    assert!(screen.contains("reads as version 9.0 again"), "{screen}");
    assert_eq!(installed(&d).as_deref(), Some("9.0"));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.exit_code(), Some(1));
    let kept = app.farewell().join("\n");
    assert!(kept.contains("reads as version 9.0 again"), "{kept}");

    // Started again with the script fixed: nothing to continue, a fresh upgrade.
    std::fs::write(&script, original).unwrap();
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    let screen = render(&app);
    assert!(!screen.contains("Continue where it left off"), "{screen}");
    assert!(screen.contains("History: the upgrades"), "{screen}");
}

#[test]
fn history_on_welcome_lists_the_runs_of_the_database() {
    let d = demo();
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    enter_until_result(&mut app, &d);
    let mut app = app_for(&d);
    let effects = app.start();
    perform(&mut app, &d, effects);
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    perform(&mut app, &d, effects);
    let screen = render(&app);
    assert!(screen.contains("9.0 -> 11.0  completed"), "{screen}");
}
