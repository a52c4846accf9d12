//! 'Rehearse first' on the Welcome screen: the whole upgrade on a copy, run by the
//! real engine in line, its summary shown, the database left as it was.

use std::time::Instant;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::engine::{self, Outcome};
use crate::paths::Dirs;
use crate::wizard::effects::{work, Context};
use crate::wizard::event::Done;
use crate::wizard::screens::welcome::{Detection, Rehearsal};

#[test]
fn rehearse_first_runs_on_a_copy_and_shows_the_expected_downtime() {
    let tmp = tempfile::tempdir().unwrap();
    let package =
        std::sync::Arc::new(crate::package::load(&crate::config::demo_package_dir()).unwrap());
    let dirs = Dirs {
        state_dir: tmp.path().join("state"),
        log_dir: tmp.path().join("log"),
        backup_dir: tmp.path().join("backups"),
    };
    let db = tmp.path().join("demo.db").display().to_string();
    let spec = crate::wizard::connect::spec(crate::rdbms::Rdbms::Sqlite, &db, None, None);
    let report = engine::install(&package, &spec, Some("9.0"), &dirs, Box::new(|_| {}));
    assert_eq!(report.outcome, Outcome::Completed);
    let before = std::fs::read(&db).unwrap();
    let mut app = App::new(Init {
        package: PackageInfo::from_package(&package),
        connect: db.clone(),
        ..init()
    });
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    assert!(render(&app).contains("Rehearse first"), "{}", render(&app));

    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        render(&app).contains("Rehearsing on a copy"),
        "{}",
        render(&app)
    );
    assert!(
        !render(&app).contains("Rehearse first"),
        "not offered twice at once"
    );
    let [effect @ Effect::Rehearse { .. }] = <[Effect; 1]>::try_from(effects).unwrap() else {
        panic!("Rehearse first asks for a rehearsal")
    };
    let ctx = Context {
        package: package.clone(),
        dirs: dirs.clone(),
        target: None,
        limits: crate::db::Limits::default(),
        backup: Default::default(),
        environments: Vec::new(),
        keyring: false,
    };
    let done = work(effect, &ctx).map_err(|_| "a blocking job").unwrap();
    app.handle(AppEvent::Worker(done), Instant::now());
    let screen = render(&app);
    assert!(
        screen.contains("Rehearsal on a copy: completed."),
        "{screen}"
    );
    assert!(screen.contains("Expected downtime:"), "{screen}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is only read"
    );
    assert!(dirs.state_dir.join("rehearse").is_dir());
}

#[test]
fn welcome_after_a_rehearsal() {
    let mut app = app();
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    app.welcome_mut().rehearsal = Some(Rehearsal::Finished {
        ok: false,
        lines: vec![
            "Rehearsal on a copy: failed at \"10.1: 01_tags_to_join_table\": no such table: no_such_table.".into(),
            "Expected downtime: 12.4 s over 9 step(s) (9.0 -> 10.1); copying took 3.1 s.".into(),
            "Log and report: /var/lib/upwiz/rehearse/19ac2f0e51a2b3c".into(),
        ],
    });
    assert_snapshot!(render(&app));
}

#[test]
fn a_rehearsal_that_cannot_run_says_why() {
    let mut app = app();
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    app.handle(
        AppEvent::Worker(Done::Rehearsed(Err(
            "the database is being upgraded right now".into(),
        ))),
        Instant::now(),
    );
    assert!(
        render(&app).contains("The rehearsal could not run: the database is being upgraded"),
        "{}",
        render(&app)
    );
}
