//! Key-driven tests of the state machine: no terminal, no threads, no database.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::engine::{Event, Level, Outcome};
use crate::wizard::app::Overlay;
use crate::wizard::event::Done;
use crate::wizard::model::Detected;
use crate::wizard::screens::ScreenId;

#[test]
fn esc_goes_back_screen_by_screen() {
    let mut app = app();
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.screen(), ScreenId::Database);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), ScreenId::Rdbms);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), ScreenId::Credentials);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), ScreenId::Welcome);
    to_plan(&mut app, plan_info());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.screen(), ScreenId::Database);
}

#[test]
fn tab_and_shift_tab_cycle_the_fields() {
    let mut app = app();
    app.show(ScreenId::Credentials);
    type_text(&mut app, "lattice");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret");
    assert_eq!(app.credentials_mut().user.value(), "lattice");
    assert_eq!(app.credentials_mut().password().unwrap().expose(), "s3cret");
    // User, Password, Back, Next, and round to User again.
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "x");
    assert_eq!(app.credentials_mut().user.value(), "latticex");
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    // On Back, Enter goes back.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Welcome);
}

#[test]
fn q_and_question_mark_type_into_text_fields_but_act_elsewhere() {
    let mut app = app();
    app.show(ScreenId::Credentials);
    type_text(&mut app, "q?");
    assert_eq!(app.credentials_mut().user.value(), "q?");
    assert_eq!(app.exit_code(), None);
    assert_eq!(app.overlay(), None);
    app.show(ScreenId::Rdbms);
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay(), Some(Overlay::Help));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), None);
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.exit_code(), Some(crate::wizard::app::QUIT_CODE));
}

#[test]
fn ctrl_c_quits_at_once_before_an_upgrade_runs() {
    let mut app = app();
    app.show(ScreenId::Credentials);
    app.handle(
        AppEvent::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Instant::now(),
    );
    assert_eq!(app.exit_code(), Some(crate::wizard::app::QUIT_CODE));
}

#[test]
fn q_while_running_asks_first_and_stops_at_a_safe_point() {
    let mut app = running();
    press(&mut app, KeyCode::Char('q'));
    assert!(matches!(app.overlay(), Some(Overlay::ConfirmQuit { .. })));
    // Enter picks the focused, safe button: keep running.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.overlay(), None);
    assert_eq!(app.exit_code(), None);
    app.handle(
        AppEvent::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Instant::now(),
    );
    assert!(matches!(app.overlay(), Some(Overlay::ConfirmQuit { .. })));
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Cancel { signal: None }]
    ));
    assert_eq!(
        app.exit_code(),
        None,
        "waits for the engine to reach a safe point"
    );
    finish(&mut app, Outcome::Interrupted { signal: None });
    assert_eq!(app.exit_code(), Some(130));
}

fn finish(app: &mut App, outcome: Outcome) {
    let report = crate::engine::RunReport {
        outcome,
        summary: Default::default(),
    };
    engine(app, Event::Finished(report));
}

#[test]
fn sigterm_while_running_cancels_and_exits_143_after_the_safe_point() {
    let mut app = running();
    let effects = app.handle(AppEvent::Signal(15), Instant::now());
    assert!(matches!(
        effects.as_slice(),
        [Effect::Cancel { signal: Some(15) }]
    ));
    assert_eq!(app.exit_code(), None);
    finish(&mut app, Outcome::Interrupted { signal: Some(15) });
    assert_eq!(app.exit_code(), Some(143));
}

#[test]
fn hangup_lets_a_running_upgrade_finish_and_stops_drawing() {
    let mut app = running();
    let effects = app.handle(AppEvent::Hangup, Instant::now());
    assert!(effects.is_empty(), "no cancel: the upgrade carries on");
    app.set_dirty(false);
    engine(
        &mut app,
        Event::Log {
            level: Level::Info,
            message: "still working".into(),
        },
    );
    assert!(!app.is_dirty(), "nothing is drawn after a hang-up");
    assert_eq!(app.exit_code(), None);
    finish(&mut app, Outcome::Completed);
    assert_eq!(app.exit_code(), Some(0));

    let mut idle = super::app();
    idle.handle(AppEvent::Hangup, Instant::now());
    assert_eq!(idle.exit_code(), Some(129));
}

#[test]
fn the_password_never_reaches_the_screen() {
    let mut app = App::new(Init {
        rdbms: crate::rdbms::Rdbms::Postgres,
        connect: "postgres://lattice:hunter2@db/repository".into(),
        ..init()
    });
    app.show(ScreenId::Credentials);
    type_text(&mut app, "lattice");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "hunter2");
    let mut screens = vec![render(&app)];
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
        screens.push(render(&app));
    }
    assert_eq!(app.screen(), ScreenId::Database);
    assert_eq!(app.spec().password.unwrap().expose(), "hunter2");
    for s in &screens {
        assert!(!s.contains("hunter2"), "{s}");
    }
    assert!(screens[0].contains("*******"));
}

#[test]
fn escape_sequences_in_log_lines_are_neutralised_on_screen() {
    let mut app = running();
    engine(
        &mut app,
        Event::Log {
            level: Level::Error,
            message: "evil \x1b[2J\x1b]0;owned\x07 \u{9b}31m end".into(),
        },
    );
    let screen = render(&app);
    assert!(
        !screen.chars().any(|c| c.is_control() && c != '\n'),
        "{screen:?}"
    );
    assert!(screen.contains("evil ?[2J?]0;owned? ?31m end"), "{screen}");
}

#[test]
fn the_log_pane_caps_its_memory_when_fed_100_000_lines() {
    let mut app = running();
    for i in 0..100_000 {
        engine(
            &mut app,
            Event::Log {
                level: Level::Info,
                message: format!("line {i}"),
            },
        );
    }
    let log = &app.stage_mut().progress().unwrap().log;
    assert_eq!(log.held_lines(), crate::wizard::logpane::MAX_LINES);
    assert!(render(&app).contains("line 99999"));
}

#[test]
fn ticks_redraw_only_when_the_clock_text_changes() {
    let mut app = running();
    let t0 = Instant::now();
    app.handle(AppEvent::Tick, t0);
    app.set_dirty(false);
    app.handle(AppEvent::Tick, t0);
    assert!(!app.is_dirty());
    app.handle(AppEvent::Tick, t0 + 2 * SECOND);
    assert!(app.is_dirty());
}

#[test]
fn a_test_result_for_an_edited_connect_string_is_dropped() {
    let mut app = app();
    app.show(ScreenId::Database);
    press(&mut app, KeyCode::Tab);
    let Some(Effect::Test { seq, .. }) = press(&mut app, KeyCode::Enter).pop() else {
        panic!("Enter on Test connection tests")
    };
    press(&mut app, KeyCode::Esc);
    app.handle(
        AppEvent::Worker(Done::Tested {
            seq,
            result: Ok(Detected::default()),
        }),
        Instant::now(),
    );
    assert!(matches!(
        app.database_mut().status,
        crate::wizard::screens::database::Status::Idle
    ));
}

#[test]
fn the_result_screen_exits_with_the_outcome_code() {
    for (outcome, code) in [
        (Outcome::Completed, 0),
        (Outcome::NothingToDo, 0),
        (
            Outcome::Failed {
                step: "s".into(),
                error: "e".into(),
            },
            1,
        ),
        (Outcome::CompletedWithFailedItems { failed: Vec::new() }, 1),
        (Outcome::BadInput { error: "e".into() }, 2),
    ] {
        let mut app = finished(outcome);
        assert_eq!(app.screen(), ScreenId::Result);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), ScreenId::Progress);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen(), ScreenId::Result);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.exit_code(), Some(code));
    }
}

#[test]
fn every_screen_draws_at_every_size_without_panicking() {
    let mut apps = vec![super::app(), running(), finished(Outcome::Completed)];
    let mut plan = super::app();
    to_plan(&mut plan, plan_info());
    apps.push(plan);
    for screen in [ScreenId::Credentials, ScreenId::Rdbms, ScreenId::Database] {
        let mut a = super::app();
        a.show(screen);
        apps.push(a);
    }
    for a in &apps {
        for (w, h) in [
            (1, 1),
            (20, 5),
            (59, 15),
            (60, 16),
            (72, 20),
            (80, 23),
            (80, 24),
            (200, 60),
        ] {
            let _ = render_at(a, w, h);
        }
    }
}

#[test]
fn without_colour_the_focus_is_still_marked_and_reversed() {
    use ratatui::style::{Color, Modifier};
    let mut app = super::app();
    app.show(ScreenId::Rdbms);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    let row = (0..24u16)
        .find(|y| {
            (0..80u16)
                .map(|x| buf[(x, *y)].symbol())
                .collect::<String>()
                .contains("> (*) SQLite")
        })
        .expect("the focused choice is marked with '>'");
    let x = (0..80u16).find(|x| buf[(*x, row)].symbol() == "(").unwrap();
    assert!(buf[(x, row)].modifier.contains(Modifier::REVERSED));
    for y in 0..24u16 {
        for x in 0..80u16 {
            let c = &buf[(x, y)];
            assert!(
                matches!(c.fg, Color::Reset) && matches!(c.bg, Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
}
