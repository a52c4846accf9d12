//! The Database screen with `[[environment]]`s configured: a list to pick from above
//! the connect string, which stays editable.

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::*;
use crate::rdbms::Rdbms;
use crate::stages::Environment;
use crate::wizard::screens::ScreenId;

fn envs() -> Vec<Environment> {
    let env =
        |name: &str, rdbms, connect: &str, user: Option<&str>, follows: Option<&str>| Environment {
            name: name.into(),
            rdbms,
            connect: connect.into(),
            user: user.map(str::to_string),
            follows: follows.map(str::to_string),
        };
    vec![
        env("dev", Rdbms::Sqlite, "/srv/dev/repository.db", None, None),
        env(
            "test",
            Rdbms::Postgres,
            "postgres://lattice@test-db:5432/repository",
            None,
            Some("dev"),
        ),
        env(
            "prod",
            Rdbms::Mysql,
            "mysql://db.example.com:3306/repository",
            Some("app"),
            Some("test"),
        ),
    ]
}

fn with_environments() -> App {
    let mut app = app();
    app.offer_environments(envs());
    app.show(ScreenId::Database);
    app
}

#[test]
fn database_with_environments() {
    let mut app = with_environments();
    press(&mut app, KeyCode::Right);
    assert_snapshot!(render(&app));
}

#[test]
fn picking_an_environment_fills_rdbms_connect_string_and_user() {
    let mut app = with_environments();
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    let spec = app.spec();
    assert_eq!(spec.rdbms, Rdbms::Mysql);
    assert_eq!(spec.redacted(), "mysql://db.example.com:3306/repository");
    assert_eq!(spec.user.as_deref(), Some("app"));
    let screen = render(&app);
    assert!(screen.contains("(prod)"), "{screen}");
    assert!(screen.contains("prod follows test"), "{screen}");
    assert!(screen.contains("MySQL/MariaDB database"), "{screen}");
    // Enter again now tests the picked database.
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Test { .. }]),
        "{effects:?}"
    );

    // Back to the list, a PostgreSQL one; then the string edited by hand.
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.spec().rdbms, Rdbms::Postgres);
    assert_eq!(
        app.spec().redacted(),
        "postgres://lattice@test-db:5432/repository"
    );
    assert_eq!(app.spec().user.as_deref(), Some("lattice"));
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::End);
    type_text(&mut app, "_copy");
    assert!(app.spec().redacted().ends_with("repository_copy"));
    let screen = render(&app);
    assert!(
        !screen.contains("(test)"),
        "edited by hand, it is no longer test's:\n{screen}"
    );
}

#[test]
fn the_configured_database_shows_as_its_environment() {
    let mut app = App::new(Init {
        rdbms: Rdbms::Postgres,
        connect: "postgres://lattice@test-db:5432/repository".into(),
        ..init()
    });
    app.offer_environments(envs());
    app.show(ScreenId::Database);
    press(&mut app, KeyCode::Tab);
    assert!(render(&app).contains("(test)"), "{}", render(&app));
}

#[test]
fn without_environments_the_screen_is_as_before() {
    let mut app = app();
    app.offer_environments(Vec::new());
    app.show(ScreenId::Database);
    assert!(!render(&app).contains("Environment"));
}
