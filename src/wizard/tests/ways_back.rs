//! The ways back in the wizard: History over Welcome, Restore after a failed run, the
//! after-upgrade steps, and the summary the terminal keeps once the wizard closes.

use std::path::PathBuf;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::engine::Outcome;
use crate::wizard::app::Overlay;
use crate::wizard::event::Done;
use crate::wizard::screens::result::Restore;
use crate::wizard::screens::welcome::Detection;
use crate::wizard::screens::ScreenId;
use crate::wizard::ways_back::{farewell, RestoreDone};

fn failed() -> App {
    finished(Outcome::Failed {
        step: "10.0: 01_split_user_names".into(),
        error: "10.0/sqlite/01_split_user_names.sql, line 9: no such table: no_such_table".into(),
    })
}

fn runs() -> Vec<String> {
    vec![
        "2026-11-29 19:36  9.1 -> 11.0  failed  4.2s  alice@lattice-db01".into(),
        "2026-11-28 08:02  9.0 -> 9.1  completed  12.5s  alice@lattice-db01".into(),
        "2026-11-20 17:45  9.0 -> 11.0  restored  0.8s  bob@lattice-db01".into(),
    ]
}

/// Welcome with the database found, History chosen: the overlay and its effect.
fn history_open() -> (App, Vec<Effect>) {
    let mut app = app();
    app.welcome_mut().detection = Detection::Found(Box::new(detected()));
    // History is the last choice, after "Rehearse first" when an upgrade is pending.
    for _ in 0..5 {
        if render(&app).contains("> History") {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    assert!(render(&app).contains("> History"), "{}", render(&app));
    let effects = press(&mut app, KeyCode::Enter);
    (app, effects)
}

#[test]
fn history_on_welcome_reads_the_journal_and_esc_goes_back() {
    let (mut app, effects) = history_open();
    assert_eq!(app.overlay(), Some(Overlay::History));
    assert!(
        matches!(effects.as_slice(), [Effect::History { .. }]),
        "{effects:?}"
    );
    assert!(render(&app).contains("Reading the upgrade journal"));
    app.handle(AppEvent::Worker(Done::History(Ok(runs()))), Instant::now());
    assert!(render(&app).contains("9.0 -> 9.1  completed"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), None);
    assert_eq!(app.screen(), ScreenId::Welcome);
}

#[test]
fn history_is_not_offered_before_the_database_was_looked_at() {
    let mut app = app();
    app.welcome_mut().detection = Detection::Failed("cannot connect".into());
    assert!(!render(&app).contains("History"));
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(effects.iter().all(|e| !matches!(e, Effect::History { .. })));
}

#[test]
fn history_overlay() {
    let (mut app, _) = history_open();
    app.handle(AppEvent::Worker(Done::History(Ok(runs()))), Instant::now());
    assert_snapshot!(render(&app));
}

#[test]
fn history_overlay_when_the_journal_cannot_be_read() {
    let (mut app, _) = history_open();
    app.handle(
        AppEvent::Worker(Done::History(Err("no such table: upwiz_runs".into()))),
        Instant::now(),
    );
    assert!(render(&app).contains("could not be read: no such table: upwiz_runs"));
}

#[test]
fn restore_confirmation_names_the_database() {
    let mut app = failed();
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(
        app.overlay(),
        Some(Overlay::ConfirmRestore {
            restore_focused: false
        })
    );
    assert_snapshot!(render(&app));
}

#[test]
fn restore_asks_first_and_enter_on_not_now_changes_nothing() {
    let mut app = failed();
    // Tab to the Restore button, Enter: the confirmation, with Not now focused.
    press(&mut app, KeyCode::Tab);
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(
        app.overlay(),
        Some(Overlay::ConfirmRestore { .. })
    ));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.overlay(), None);
    assert_eq!(app.exit_code(), None);
}

#[test]
fn restore_confirmed_runs_in_the_background_and_shows_its_outcome() {
    let mut app = failed();
    press(&mut app, KeyCode::Char('r'));
    let effects = press(&mut app, KeyCode::Char('y'));
    let [Effect::Restore { backup, .. }] = effects.as_slice() else {
        panic!("y restores: {effects:?}")
    };
    assert_eq!(
        backup.as_deref(),
        Some(std::path::Path::new(
            "/var/backups/upwiz/repository-9.0-20250101T100000Z.sqlite"
        ))
    );
    assert!(render(&app).contains("Restoring the pre-upgrade backup..."));
    // Leaving now would cut the restore short: neither Enter nor q leaves.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.exit_code(), None);
    app.handle(
        AppEvent::Worker(Done::Restored(Ok(RestoreDone {
            version: "9.0".into(),
            backup: PathBuf::from("/var/backups/upwiz/repository-9.0-20250101T100000Z.sqlite"),
            message: "Restored: the database reads as version 9.0 again (backup checked: integrity_check ok).".into(),
        }))),
        Instant::now(),
    );
    let screen = render(&app);
    assert!(screen.contains("reads as version 9.0 again"), "{screen}");
    assert!(
        !screen.contains("Restore the pre-upgrade backup ]"),
        "{screen}"
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.exit_code(), Some(1));
}

#[test]
fn a_failed_restore_says_why_and_may_be_tried_again() {
    let mut app = failed();
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));
    app.handle(
        AppEvent::Worker(Done::Restored(Err(
            "another upgrade of this database is running (pid 4242 on lattice-db01); nothing was changed".into(),
        ))),
        Instant::now(),
    );
    assert!(render(&app).contains("another upgrade of this database is running"));
    press(&mut app, KeyCode::Char('r'));
    assert!(matches!(
        app.overlay(),
        Some(Overlay::ConfirmRestore { .. })
    ));
}

#[test]
fn restore_is_not_offered_after_success_or_without_a_backup() {
    let mut app = finished(Outcome::Completed);
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.overlay(), None);
    assert!(!render(&app).contains("Restore"));
    let mut app = failed();
    if let Some(r) = app.stage_mut().result_mut() {
        r.restore = Restore::NotOffered;
    }
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.overlay(), None);
}

#[test]
fn result_success_lists_the_after_upgrade_steps() {
    let screen = render(&finished(Outcome::Completed));
    assert!(screen.contains("After the upgrade:"), "{screen}");
    assert!(screen.contains("1. Start the Lattice application servers"));
    let screen = render(&failed());
    assert!(!screen.contains("After the upgrade:"), "{screen}");
}

#[test]
fn the_summary_after_the_wizard_has_the_outcome_paths_and_next_step() {
    let app = failed();
    let lines = app.farewell();
    let text = lines.join("\n");
    assert!(
        text.contains("Lattice Application Platform FAILED at '10.0: 01_split_user_names'"),
        "{text}"
    );
    assert!(text.contains("versions: 9.0 -> 11.0 (the database is at 10.1)"));
    assert!(text.contains("backup: /var/backups/upwiz/repository-9.0-20250101T100000Z.sqlite"));
    assert!(text.contains("report: /var/log/upwiz/violations-20250101T100000Z-9.0-before.txt"));
    assert!(text.contains("log: /var/log/upwiz/UPGRADE.LOG"));
    assert!(text.contains("next: fix the cause and run upwiz again"));

    let done = finished(Outcome::Completed).farewell().join("\n");
    assert!(done.contains("completed successfully"), "{done}");
    assert!(done.contains("1. Start the Lattice application servers"));
    assert!(!done.contains("next:"));
    // No run, nothing to keep.
    assert!(super::app().farewell().is_empty());
}

#[test]
fn the_summary_after_the_wizard_is_cleaned_of_escapes() {
    let mut r = crate::engine::RunReport {
        outcome: Outcome::Failed {
            step: "s".into(),
            error: "bad \u{1b}[2J thing".into(),
        },
        summary: crate::engine::Summary {
            product: "P".into(),
            from: None,
            to: None,
            reached: None,
            duration: std::time::Duration::ZERO,
            backups: Vec::new(),
            reports: Vec::new(),
            warnings: Vec::new(),
            log_path: None,
        },
    };
    let lines = farewell(&r, &[], None);
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "{lines:?}");
    r.outcome = Outcome::Completed;
    assert_eq!(
        farewell(&r, &[], None),
        ["upwiz: the upgrade of P completed successfully"]
    );
}
