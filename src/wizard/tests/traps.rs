//! The holes a first-time operator fell into at 80x24, each walked with keys: what
//! the operator would check on screen, or where the wizard would take them.

use std::time::Instant;

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::engine::{Event, Level, Outcome};
use crate::rdbms::Rdbms;
use crate::wizard::screens::ScreenId;

fn server_app(connect: &str, user: &str) -> App {
    App::new(Init {
        rdbms: Rdbms::Postgres,
        connect: connect.into(),
        user: user.into(),
        ..init()
    })
}

#[test]
fn enter_on_the_too_small_notice_does_nothing_to_the_hidden_plan() {
    let mut app = app();
    to_plan(&mut app, plan_info());
    app.handle(AppEvent::Resize(40, 10), Instant::now());
    for code in [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('y'),
        KeyCode::Esc,
    ] {
        assert!(press(&mut app, code).is_empty());
    }
    assert_eq!(app.screen(), ScreenId::Plan);
    assert_eq!(app.overlay(), None);
    assert!(render_at(&app, 40, 10).contains("too small"));
    app.handle(AppEvent::Resize(80, 24), Instant::now());
    assert!(render(&app).contains("I have done these - Finish"));
    // Quit still works while the notice is shown.
    app.handle(AppEvent::Resize(40, 10), Instant::now());
    press(&mut app, KeyCode::Char('q'));
    assert_eq!(app.exit_code(), Some(crate::wizard::app::QUIT_CODE));
}

#[test]
fn finish_asks_first_and_names_the_database() {
    let mut app = server_app("postgres://lattice:hunter2@db01.example.com/repository", "");
    to_plan(&mut app, plan_info());
    let screen = render(&app);
    assert!(
        screen.contains("Database   PostgreSQL postgres://lattice:***@db01.example.com/repository"),
        "{screen}"
    );
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "nothing starts yet"
    );
    let screen = render(&app);
    assert!(!screen.contains("hunter2"), "{screen}");
    assert_snapshot!(screen);
    // Esc keeps the plan on screen; Enter in the dialog starts.
    press(&mut app, KeyCode::Esc);
    assert_eq!((app.screen(), app.overlay()), (ScreenId::Plan, None));
    let effects = finish(&mut app);
    assert!(matches!(effects.as_slice(), [Effect::Start { .. }]));
}

#[test]
fn vendor_hints_for_violations_are_on_the_plan() {
    let mut app = app();
    let info = PlanInfo {
        violations: Some(Ok(vec![
            "[Records of deleted applications] record_id=4, reference=R-4".into(),
        ])),
        violation_hints: vec![
            "Records of deleted applications: Restore the application in Lattice Studio, or archive and purge its records (Studio > Application > Purge records), then run the reports again.".into(),
        ],
        ..plan_info()
    };
    to_plan(&mut app, info);
    let screen = render(&app);
    assert!(
        screen.contains("Hint       Records of deleted applications: Restore"),
        "{screen}"
    );
    assert_snapshot!(screen);
    // Accepted on the plan, the run still stops at the report here: the hint again.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    finish(&mut app);
    engine(
        &mut app,
        Event::Finished(crate::engine::RunReport {
            outcome: Outcome::Failed {
                step: "Violation report on the source (9.0)".into(),
                error: "1 violation(s) in the source database (report: /var/log/upwiz/violations-before.txt)".into(),
            },
            summary: crate::engine::Summary::default(),
        }),
    );
    let screen = render(&app);
    assert!(
        screen.contains("Hint       Records of deleted applications: Restore"),
        "{screen}"
    );
    assert_snapshot!("result_failed_with_violation_hints", screen);
}

#[test]
fn long_log_lines_wrap_and_the_header_says_the_run_failed() {
    let mut app = running();
    let path = "/var/log/upwiz/violations-20261129T101010Z-9.0-before.txt";
    engine(
        &mut app,
        Event::Log {
            level: Level::Error,
            message: format!("2 violation(s) in the source database (report: {path}); fix them and run upwiz again"),
        },
    );
    let screen = render(&app);
    assert!(
        screen.contains("violations-20261129T101010Z-9.0-before.txt"),
        "{screen}"
    );
    let mut app = finished(Outcome::Failed {
        step: "Violation report on the source (9.0)".into(),
        error: "2 violation(s)".into(),
    });
    press(&mut app, KeyCode::Esc);
    let screen = render(&app);
    assert!(screen.contains("- FAILED"), "{screen}");
    assert!(!screen.contains("finished"), "{screen}");
    assert_snapshot!("progress_after_a_failure", screen);
}

#[test]
fn coming_back_to_a_screen_puts_enter_on_next_not_back() {
    let mut app = app();
    app.show(ScreenId::Database);
    // Tab to Back, Enter: on RDBMS; Enter again must come forward, not loop.
    for _ in 0..2 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Rdbms);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Database);
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Plan { .. }]),
        "Enter goes on"
    );
    // The same on Credentials, reached back from RDBMS with the focus left on Back.
    let mut app = app_at_credentials();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Rdbms);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Credentials);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Rdbms);
}

fn app_at_credentials() -> App {
    let mut app = app();
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Credentials);
    app
}

#[test]
fn enter_in_the_user_field_goes_to_the_password() {
    let mut app = server_app("postgres://db01/repository", "");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Credentials);
    type_text(&mut app, "lattice");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.screen(),
        ScreenId::Credentials,
        "Enter goes to Password"
    );
    type_text(&mut app, "s3cret");
    assert_eq!(app.credentials_mut().password().unwrap().expose(), "s3cret");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Rdbms);
}

#[test]
fn switching_the_rdbms_does_not_keep_the_sqlite_path() {
    let mut app = app();
    app.show(ScreenId::Rdbms);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Database);
    assert_eq!(app.database_mut().connect.value(), "");
    assert!(!render(&app).contains("/srv/lattice/repository.db"));
    type_text(&mut app, "postgres://db01/repository");
    // Back to SQLite brings the path back, and PostgreSQL's string is kept too.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.database_mut().connect.value(),
        "/srv/lattice/repository.db"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.database_mut().connect.value(),
        "postgres://db01/repository"
    );
}

#[test]
fn the_user_in_the_connect_string_is_shown_and_a_different_typed_one_is_said() {
    let mut app = server_app("postgres://alice@db01/repository", "");
    assert_eq!(app.credentials_mut().user.value(), "alice");
    assert_eq!(app.spec().user.as_deref(), Some("alice"));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('u'));
    // Ctrl-U clears the field; type another user.
    app.handle(
        AppEvent::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
        Instant::now(),
    );
    type_text(&mut app, "bob");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Database);
    let screen = render(&app);
    assert!(screen.contains("names the user 'alice'"), "{screen}");
    assert!(screen.contains("'bob', is used instead"), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn a_server_refusing_without_a_password_says_none_was_given() {
    let mut app = server_app("postgres://alice@db01/repository", "");
    let effects = app.start();
    let Some(Effect::Inspect { seq, spec }) = effects.into_iter().next() else {
        panic!("a server database is looked at even without a password")
    };
    assert!(spec.password.is_none());
    app.handle(
        AppEvent::Worker(crate::wizard::event::Done::Inspected {
            seq,
            result: Err("password authentication failed for user \"alice\"".into()),
        }),
        Instant::now(),
    );
    let screen = render(&app);
    assert!(screen.contains("it needs the password"), "{screen}");
    // Continue (or Set up) asks for it on Credentials rather than failing.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen(), ScreenId::Credentials);
}

#[test]
fn help_on_credentials_keeps_its_last_line_at_80x24() {
    let mut app = app_at_credentials();
    press(&mut app, KeyCode::F(1));
    let screen = render(&app);
    assert!(screen.contains("Ctrl-C quit."), "{screen}");
    assert_snapshot!(screen);
}

#[test]
fn the_steps_box_shows_most_steps_at_80x24() {
    let app = running();
    let screen = render(&app);
    for n in 1..=11 {
        assert!(screen.contains(&format!("{n:>3}. ")), "step {n}:\n{screen}");
    }
}

#[test]
fn remembering_the_password_says_where_and_for_how_long() {
    let mut app = server_app("postgres://lattice@db01/repository", "lattice");
    app.handle(
        AppEvent::Worker(crate::wizard::event::Done::Keyring {
            available: true,
            remembered: None,
            place: "in the kernel keyring of this login session, until the session ends or the host reboots",
        }),
        Instant::now(),
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    let screen = render(&app);
    assert!(screen.contains("[x] Remember"), "{screen}");
    assert!(
        screen.contains("until the session ends or the host reboots"),
        "{screen}"
    );
    let info = PlanInfo {
        keyring_note: Some("remembered in the kernel keyring of this login session, until the session ends or the host reboots".into()),
        ..plan_info()
    };
    to_plan(&mut app, info);
    assert!(render(&app).contains("Password   remembered in the kernel keyring"));
}

fn mirror(
    state: crate::engine::RunState,
    done: usize,
    current: Option<&str>,
) -> crate::engine::StateFile {
    crate::engine::StateFile {
        product: "Lattice Application Platform".into(),
        package: "/opt/lattice/upgrade/11.0".into(),
        rdbms: Rdbms::Postgres,
        target: "postgres://postgres@127.0.0.1/lattice".into(),
        run_id: "20261129T101010Z".into(),
        from: "9.0".into(),
        to: "11.0".into(),
        state,
        completed_steps: (0..done).map(|i| format!("step/{i}")).collect(),
        total_steps: 16,
        current_step: current.map(String::from),
        error: None,
        log_path: "/var/log/upwiz/UPGRADE.LOG".into(),
        updated_at: "2026-11-29T10:14:03.000Z".into(),
    }
}

/// After a dropped SSH session the operator starts upwiz again while the first one
/// still runs the upgrade in the background: Welcome shows it running and follows
/// it (steps, log) to its end, then says it completed.
#[test]
fn a_run_elsewhere_is_followed_live_to_its_end() {
    use crate::engine::follow::Snapshot;
    use crate::wizard::event::Done;
    use crate::wizard::model::Detected;
    use crate::wizard::screens::welcome::Detection;
    let mut app = server_app("postgres://postgres@127.0.0.1/lattice", "");
    let Some(Effect::Inspect { seq, .. }) = app.start().into_iter().next() else {
        panic!("looked at without a password")
    };
    let running_elsewhere = Detected {
        server_version: "PostgreSQL 16.4".into(),
        installed: Some("10.1".into()),
        running_elsewhere: Some("upwiz (pid 4242) on lattice-db01".into()),
        unfinished: Some(crate::wizard::model::Unfinished {
            from: "9.0".into(),
            to: "11.0".into(),
            state: crate::engine::RunState::Running,
            ..Default::default()
        }),
        ..Detected::default()
    };
    app.handle(
        AppEvent::Worker(Done::Inspected {
            seq,
            result: Ok(running_elsewhere.clone()),
        }),
        Instant::now(),
    );
    assert!(app.wants_tick());
    let effects = app.handle(AppEvent::Tick, Instant::now());
    assert!(matches!(effects.as_slice(), [Effect::ReadStateFile { .. }]));
    app.handle(
        AppEvent::Worker(Done::Followed(Snapshot {
            // The mirror lags behind the log: it is written at safe points.
            state: Some(mirror(
                crate::engine::RunState::Running,
                11,
                Some("Preflight checks before 10.1 -> 11.0"),
            )),
            log_tail: vec![
                "2026-11-29T10:13:58.120Z INFO  Step 12/16: Preflight checks before 10.1 -> 11.0"
                    .into(),
                "2026-11-29T10:14:01.250Z INFO    ok: Application servers are down \x1b[2J".into(),
                "2026-11-29T10:14:02.004Z INFO  Step 13/16: Back up the 10.1 database".into(),
            ],
        })),
        Instant::now(),
    );
    let screen = render(&app);
    assert!(
        screen.contains("in progress: it is at \"Back up the 10.1 database\""),
        "{screen}"
    );
    assert!(screen.contains("12 of 16 steps"), "{screen}");
    assert!(
        screen.contains("10:14:01   ok: Application servers are down ?[2J"),
        "{screen}"
    );
    assert!(!screen.contains("> Continue where it left off"), "{screen}");
    assert_snapshot!(screen);

    // The run ends: Welcome looks at the database again and says so.
    let effects = app.handle(
        AppEvent::Worker(Done::Followed(Snapshot {
            state: Some(mirror(crate::engine::RunState::Completed, 16, None)),
            log_tail: vec!["The upgrade procedure completed successfully.".into()],
        })),
        Instant::now(),
    );
    let Some(Effect::Inspect { seq, .. }) = effects.into_iter().next() else {
        panic!("the end of the run is looked at")
    };
    app.handle(
        AppEvent::Worker(Done::Inspected {
            seq,
            result: Ok(Detected {
                installed: Some("11.0".into()),
                running_elsewhere: None,
                unfinished: None,
                ..running_elsewhere
            }),
        }),
        Instant::now(),
    );
    assert!(matches!(app.welcome_mut().detection, Detection::Found(_)));
    let screen = render(&app);
    assert!(screen.contains("completed while you were away"), "{screen}");
    assert!(
        screen.contains("Lattice Application Platform 11.0"),
        "{screen}"
    );
    assert!(!app.wants_tick());
    assert_snapshot!("welcome_completed_while_you_were_away", screen);
}

/// Text from the package, the database and the engine is made safe once, where it
/// enters the wizard; every screen it reaches shows no control characters.
#[test]
fn hostile_text_is_made_safe_where_it_enters_the_wizard() {
    use crate::engine::{RunReport, Summary};
    use crate::wizard::event::Done;
    use crate::wizard::model::Detected;
    let evil = "\x1b]0;owned\x07\u{202e}\x1b[2J";
    let safe = |screen: &str| {
        !screen
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}')
    };
    let mut pkg = package();
    pkg.product = format!("Lattice{evil}");
    pkg.checklist[0] = format!("Stop the servers{evil}");
    let mut app = App::new(Init {
        package: pkg,
        notice: Some(format!("notice{evil}")),
        ..init()
    });
    let Some(Effect::Inspect { seq, .. }) = app.start().into_iter().next() else {
        panic!("SQLite is looked at")
    };
    app.handle(
        AppEvent::Worker(Done::Inspected {
            seq,
            result: Ok(Detected {
                server_version: format!("SQLite{evil}"),
                installed: Some(format!("9.0{evil}")),
                ..Detected::default()
            }),
        }),
        Instant::now(),
    );
    let screen = render(&app);
    assert!(safe(&screen), "{screen:?}");
    assert!(screen.contains("Lattice?]0;owned??"), "{screen}");

    let mut info = plan_info();
    info.route = format!("9.0{evil} -> 10.1 -> 11.0");
    info.steps[0].title = format!("Preflight{evil}");
    info.violations = Some(Ok(vec![format!("[check{evil}] row 1")]));
    info.violation_hints = vec![format!("hint{evil}")];
    to_plan(&mut app, info);
    let screen = render(&app);
    assert!(safe(&screen), "{screen:?}");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    finish(&mut app);
    engine(
        &mut app,
        Event::Finished(RunReport {
            outcome: Outcome::Failed {
                step: format!("step{evil}"),
                error: format!("error{evil}"),
            },
            summary: Summary {
                product: format!("Lattice{evil}"),
                warnings: vec![format!("warning{evil}")],
                ..Summary::default()
            },
        }),
    );
    let screen = render(&app);
    assert!(screen.contains("The upgrade failed."), "{screen}");
    assert!(safe(&screen), "{screen:?}");
}

/// The keyring answers before the server refuses the look made without a password:
/// the remembered password is used for a second look, not left unused.
#[test]
fn a_remembered_password_that_arrives_first_is_used_to_look_again() {
    use crate::secret::Secret;
    use crate::wizard::event::Done;
    let mut app = App::new(Init {
        keyring: true,
        ..server_app_init("postgres://alice@db01/repository")
    });
    let effects = app.start();
    let Some(seq) = effects.iter().find_map(|e| match e {
        Effect::Inspect { seq, .. } => Some(*seq),
        _ => None,
    }) else {
        panic!("looked at without a password")
    };
    app.handle(
        AppEvent::Worker(Done::Keyring {
            available: true,
            remembered: Some(Secret::new("s3cret")),
            place: "in the keyring",
        }),
        Instant::now(),
    );
    let again = app.handle(
        AppEvent::Worker(Done::Inspected {
            seq,
            result: Err("password authentication failed for user \"alice\"".into()),
        }),
        Instant::now(),
    );
    let Some(Effect::Inspect { spec, .. }) = again.into_iter().next() else {
        panic!("looked at again with the remembered password")
    };
    assert_eq!(spec.password.unwrap().expose(), "s3cret");
}

fn server_app_init(connect: &str) -> Init {
    Init {
        rdbms: Rdbms::Postgres,
        connect: connect.into(),
        ..init()
    }
}
