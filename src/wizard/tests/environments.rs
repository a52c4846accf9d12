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

/// The stage gate on the Plan screen, with the real workers and engine: two SQLite
/// stages, test then prod, each a copy of the demo installed at 9.0.
mod gate {
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    use crate::engine::{self, history, CancelToken, Outcome};
    use crate::package::Package;
    use crate::paths::Dirs;
    use crate::wizard::effects::{run_request, work, Context};
    use crate::wizard::event::AppEvent;
    use crate::wizard::tests::fixtures::to_plan;

    struct Stages {
        _tmp: tempfile::TempDir,
        package: Arc<Package>,
        dirs: Dirs,
        test: String,
        prod: String,
    }

    fn sqlite(path: &str) -> crate::db::ConnectSpec {
        crate::wizard::connect::spec(Rdbms::Sqlite, path, None, None)
    }

    fn stages(test_installed: bool) -> Stages {
        let tmp = tempfile::tempdir().unwrap();
        let package = Arc::new(crate::package::load(&crate::config::demo_package_dir()).unwrap());
        let dirs = Dirs {
            state_dir: tmp.path().join("state"),
            log_dir: tmp.path().join("log"),
            backup_dir: tmp.path().join("backups"),
        };
        let path = |n: &str| tmp.path().join(n).display().to_string();
        let (test, prod) = (path("test.db"), path("prod.db"));
        let mut dbs = vec![&prod];
        if test_installed {
            dbs.push(&test);
        } else {
            // An empty database: no version, no journal.
            std::fs::write(&test, b"").unwrap();
        }
        for db in dbs {
            let r = engine::install(&package, &sqlite(db), Some("9.0"), &dirs, Box::new(|_| {}));
            assert_eq!(r.outcome, Outcome::Completed);
        }
        Stages {
            _tmp: tmp,
            package,
            dirs,
            test,
            prod,
        }
    }

    impl Stages {
        fn envs(&self) -> Vec<Environment> {
            let env = |name: &str, connect: &str, follows: Option<&str>| Environment {
                name: name.into(),
                rdbms: Rdbms::Sqlite,
                connect: connect.into(),
                user: None,
                follows: follows.map(str::to_string),
            };
            vec![
                env("test", &self.test, None),
                env("prod", &self.prod, Some("test")),
            ]
        }

        fn ctx(&self) -> Context {
            Context {
                package: self.package.clone(),
                dirs: self.dirs.clone(),
                target: None,
                limits: crate::db::Limits::default(),
                backup: Default::default(),
                environments: self.envs(),
                keyring: false,
            }
        }

        /// The runs on record in `db`'s journal.
        fn runs(&self, db: &str) -> Vec<history::RunHistory> {
            let mut s = engine::Session::connect(&sqlite(db), self.package.clone()).unwrap();
            history::history(s.db(), &self.package.product.name).unwrap()
        }

        /// The wizard, pointed at prod by picking it from the list of environments.
        fn wizard_on_prod(&self) -> App {
            let mut app = App::new(Init {
                package: crate::wizard::model::PackageInfo::from_package(&self.package),
                ..init()
            });
            app.offer_environments(self.envs());
            app.show(ScreenId::Database);
            press(&mut app, KeyCode::Right);
            press(&mut app, KeyCode::Enter);
            assert!(render(&app).contains("(prod)"), "{}", render(&app));
            app
        }

        /// Carries out effects in line, as the runtime would; true when a run started.
        fn perform(&self, app: &mut App, effects: Vec<Effect>) -> bool {
            let ctx = self.ctx();
            let mut started = false;
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
                        started = true;
                        let req = run_request(&ctx, spec, accept_violations, confirmed, stage);
                        let events = Arc::new(std::sync::Mutex::new(Vec::new()));
                        let sink = events.clone();
                        engine::run(
                            &req,
                            Box::new(move |e| sink.lock().unwrap().push(e)),
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
            started
        }

        /// Enter from the Database screen to the Plan screen.
        fn to_plan(&self, app: &mut App) {
            for _ in 0..6 {
                if render(app).contains(">[ Next ]<") {
                    break;
                }
                press(app, KeyCode::Tab);
            }
            for _ in 0..5 {
                let effects = press(app, KeyCode::Enter);
                self.perform(app, effects);
                if app.screen() == ScreenId::Plan {
                    return;
                }
            }
            panic!("no Plan screen:\n{}", render(app));
        }
    }

    #[test]
    fn prod_is_refused_while_test_has_not_completed_the_upgrade() {
        let s = stages(true);
        let mut app = s.wizard_on_prod();
        s.to_plan(&mut app);
        let screen = render(&app);
        assert!(
            screen.contains("The stage gate refuses to upgrade prod"),
            "{screen}"
        );
        assert!(screen.contains("--skip-stage-gate"), "{screen}");
        let before = s.runs(&s.prod);
        for _ in 0..3 {
            let effects = press(&mut app, KeyCode::Enter);
            if app.screen() != ScreenId::Plan {
                break;
            }
            assert!(!s.perform(&mut app, effects), "Finish started a run");
            assert!(app.overlay().is_none(), "no confirmation to start");
        }
        assert_eq!(s.runs(&s.prod).len(), before.len(), "no run journaled");
        let installed = crate::wizard::worker::inspect(&s.package, &sqlite(&s.prod))
            .unwrap()
            .installed;
        assert_eq!(installed.as_deref(), Some("9.0"));
    }

    #[test]
    fn prod_typed_by_hand_is_gated_as_prod() {
        let s = stages(true);
        let mut app = App::new(Init {
            package: crate::wizard::model::PackageInfo::from_package(&s.package),
            connect: s.prod.clone(),
            ..init()
        });
        app.offer_environments(s.envs());
        app.show(ScreenId::Database);
        s.to_plan(&mut app);
        assert!(
            render(&app).contains("The stage gate refuses to upgrade prod"),
            "{}",
            render(&app)
        );
    }

    #[test]
    fn prod_upgrades_once_test_completed_the_upgrade_with_this_package() {
        let s = stages(true);
        let test_run = engine::run(
            &run_request(
                &s.ctx(),
                sqlite(&s.test),
                false,
                engine::ConfirmedPlan {
                    installed: "9.0".into(),
                    from: "9.0".into(),
                    to: s.package.newest().to_string(),
                    resumed: false,
                },
                None,
            ),
            Box::new(|_| {}),
            &CancelToken::new(),
        );
        assert_eq!(test_run.outcome, Outcome::Completed);

        let mut app = s.wizard_on_prod();
        s.to_plan(&mut app);
        assert!(!render(&app).contains("stage gate"), "{}", render(&app));
        let mut started = false;
        for _ in 0..3 {
            let effects = press(&mut app, KeyCode::Enter);
            started |= s.perform(&mut app, effects);
            if started {
                break;
            }
        }
        assert!(started, "Finish starts the run:\n{}", render(&app));
        let runs = s.runs(&s.prod);
        let last = runs.last().unwrap();
        assert_eq!(last.state, "completed");
        let mut db = engine::Session::connect(&sqlite(&s.prod), s.package.clone()).unwrap();
        let mark = crate::stages::marks::of(db.db(), &last.run_id)
            .unwrap()
            .unwrap();
        assert_eq!(mark.environment.as_deref(), Some("prod"));
        assert_eq!(mark.gate.as_deref(), Some("passed"));
    }

    #[test]
    fn the_refusal_on_the_plan_screen() {
        // test was never upgraded: the refusal has no times or paths in it.
        let s = stages(false);
        let spec = sqlite(&s.prod);
        let info = crate::wizard::stage_gate::apply(&s.ctx(), &spec, plan_info());
        assert!(info.stage_refused.is_some());
        let mut app = app();
        to_plan(&mut app, info);
        assert_snapshot!(render(&app));
    }
}
