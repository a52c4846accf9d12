//! `upwiz package import`: each layout becomes a package whose manifest lists the
//! releases in version order with the vendor's files copied byte for byte; what does not
//! fit is refused with the file named and nothing written. The `*_runs_*` tests install
//! and upgrade the imported packages on the RDBMSes they have files for.

mod common;

use std::path::{Path, PathBuf};

use common::anydb::{self, Db};
use common::*;
use upwiz::rdbms::Rdbms;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(env: &Env, args: &[&str]) -> std::process::Output {
    let mut all = vec!["package", "import"];
    all.extend_from_slice(args);
    env.upwiz(&all)
}

/// Imports fixture `name` into a new directory of `env` and returns it.
fn imported(env: &Env, name: &str, layout: &str, rdbms: Option<&str>) -> PathBuf {
    let out = env.path(&format!("pkg-{name}"));
    let src = fixture(name);
    let mut args = vec!["--layout", layout, src.to_str().unwrap()];
    args.extend(["--out", out.to_str().unwrap(), "--product", "Shop"]);
    if let Some(r) = rdbms {
        args.extend(["--rdbms", r]);
    }
    assert_ok(&import(env, &args));
    out
}

fn manifest(pkg: &Path) -> toml::Table {
    let text = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    text.parse()
        .unwrap_or_else(|e| panic!("not TOML: {e}\n{text}"))
}

fn releases(m: &toml::Table) -> Vec<&toml::Value> {
    m["release"].as_array().unwrap().iter().collect()
}

fn versions(m: &toml::Table) -> Vec<String> {
    releases(m)
        .iter()
        .map(|r| r["version"].as_str().unwrap().to_string())
        .collect()
}

/// (script name, RDBMS key, path) of every release script, in order.
fn scripts(m: &toml::Table) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for r in releases(m) {
        for s in r
            .get("script")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            for key in ["sqlite", "postgres", "mysql"] {
                if let Some(p) = s.get(key) {
                    out.push((
                        s["name"].as_str().unwrap().to_string(),
                        key.to_string(),
                        p.as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn flyway_releases_are_in_version_order_and_files_copied_byte_for_byte() {
    let env = Env::new();
    let out = env.path("pkg");
    let src = fixture("flyway");
    let o = import(
        &env,
        &[
            "--layout",
            "flyway",
            "--rdbms",
            "postgres",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_ok(&o);
    assert!(
        stdout(&o).contains("6 releases, 5 scripts for postgres (Flyway)"),
        "{}",
        stdout(&o)
    );
    // Repeatable and undo migrations are not imported, and the operator is told so.
    assert!(
        stderr(&o).contains("R__customer_view.sql not imported"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("U2__orders.sql not imported"),
        "{}",
        stderr(&o)
    );

    let m = manifest(&out);
    assert_eq!(
        m["product"]["name"].as_str(),
        Some("flyway"),
        "the default is SOURCE's name"
    );
    assert_eq!(m["version"]["store"].as_str(), Some("upwiz"));
    assert_eq!(
        versions(&m),
        ["0", "1", "1.1", "2", "2.1", "20240115093000"]
    );
    assert_eq!(
        scripts(&m),
        [
            ("V1__init", "postgres", "V1__init.sql"),
            ("V1.1__add_email", "postgres", "V1.1__add_email.sql"),
            ("V2__orders", "postgres", "V2__orders.sql"),
            (
                "V2_1__order_index",
                "postgres",
                "patches/V2_1__order_index.sql"
            ),
            (
                "V20240115093000__order_status",
                "postgres",
                "V20240115093000__order_status.sql"
            ),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    for (_, _, path) in scripts(&m) {
        assert_eq!(
            std::fs::read(out.join(&path)).unwrap(),
            std::fs::read(src.join(&path)).unwrap(),
            "{path} is copied byte for byte"
        );
    }
    let baseline = &m["baseline"].as_array().unwrap()[0];
    assert_eq!(baseline["version"].as_str(), Some("0"));
    assert!(
        baseline.get("sqlite").is_none(),
        "only the RDBMS given is claimed"
    );
    assert!(!out.join("R__customer_view.sql").exists());
    let text = std::fs::read_to_string(out.join("upwiz.toml")).unwrap();
    for example in [
        "# [policy]",
        "# required_stops",
        "# [release.columns]",
        "# [[preflight]]",
        "# [[test]]",
        "# detect = ",
        "upwiz adopt",
    ] {
        assert!(
            text.contains(example),
            "the manifest has a commented {example}"
        );
    }
    assert!(text.contains("# - R__customer_view.sql: a Flyway repeatable migration"));
}

#[test]
fn sqlx_and_refinery_files_become_releases_and_down_files_are_left_out() {
    let env = Env::new();
    let pkg = imported(&env, "sqlx", "numbered", Some("mysql"));
    let m = manifest(&pkg);
    assert_eq!(
        versions(&m),
        ["0", "20240101120000", "20240102120000", "20240103120000"]
    );
    let s = scripts(&m);
    assert_eq!(s[0].0, "20240101120000_create_users");
    assert_eq!(s[0].2, "20240101120000_create_users.up.sql");
    assert_eq!(s[2].2, "20240103120000_seed_admin.sql");
    assert!(s
        .iter()
        .all(|(_, key, path)| key == "mysql" && !path.contains(".down.")));
    assert_eq!(
        releases(&m)[1]["title"].as_str(),
        Some("create users"),
        "the description is the title"
    );

    let pkg = imported(&env, "refinery", "refinery", Some("sqlite"));
    let m = manifest(&pkg);
    assert_eq!(versions(&m), ["0", "1", "2"]);
    assert_eq!(scripts(&m)[1].0, "V2__note_author");
}

#[test]
fn dbmate_files_become_their_up_part_with_line_numbers_kept() {
    let env = Env::new();
    let pkg = imported(&env, "dbmate", "dbmate", Some("postgres"));
    let m = manifest(&pkg);
    assert_eq!(versions(&m), ["0", "20230101000000", "20230201000000"]);
    let (_, _, path) = &scripts(&m)[0];
    assert_eq!(path, "dbmate-up/20230101000000_create_projects.sql");
    let up = std::fs::read_to_string(pkg.join(path)).unwrap();
    let vendor =
        std::fs::read_to_string(fixture("dbmate/20230101000000_create_projects.sql")).unwrap();
    assert!(
        !up.contains("DROP TABLE"),
        "the down part never runs:\n{up}"
    );
    let line_of = |text: &str| {
        text.lines()
            .position(|l| l.starts_with("INSERT INTO projects"))
    };
    assert_eq!(
        line_of(&up),
        line_of(&vendor),
        "statements keep their line numbers"
    );
}

#[test]
fn per_rdbms_directories_become_one_script_per_version_with_nothing_on_for_the_others() {
    let env = Env::new();
    let pkg = imported(&env, "per_rdbms", "per-rdbms", None);
    let m = manifest(&pkg);
    assert_eq!(
        versions(&m),
        ["0", "2019092900", "2019100100", "2020010100"]
    );
    let baseline = &m["baseline"].as_array().unwrap()[0];
    assert_eq!(baseline["version"].as_str(), Some("0"));
    assert_eq!(baseline["sqlite"].as_str(), Some("base/sqlite.sql"));
    assert_eq!(baseline["postgres"].as_str(), Some("base/postgres.sql"));
    assert_eq!(baseline["mysql"].as_str(), Some("base/mysql.sql"));
    let pg_only = &releases(&m)[2]["script"].as_array().unwrap()[0];
    assert_eq!(
        pg_only["postgres"].as_str(),
        Some("postgresql/2019100100.sql")
    );
    assert!(pg_only.get("sqlite").is_none() && pg_only.get("mysql").is_none());
    let nothing: Vec<&str> = pg_only["nothing_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(nothing, ["sqlite", "mysql"]);
    let everywhere = &releases(&m)[1]["script"].as_array().unwrap()[0];
    assert!(everywhere.get("nothing_on").is_none());
    assert_eq!(everywhere["mysql"].as_str(), Some("mariadb/2019092900.sql"));
    for (_, _, path) in scripts(&m) {
        assert_eq!(
            std::fs::read(pkg.join(&path)).unwrap(),
            std::fs::read(fixture("per_rdbms").join(&path)).unwrap()
        );
    }
}

#[test]
fn a_base_version_puts_the_baseline_there_instead_of_before_the_first_delta() {
    let env = Env::new();
    let out = env.path("pkg");
    let src = fixture("per_rdbms");
    let o = import(
        &env,
        &[
            "--layout",
            "per-rdbms",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--base-version",
            "2019092900",
        ],
    );
    assert_ok(&o);
    let m = manifest(&out);
    assert_eq!(versions(&m), ["2019092900", "2019100100", "2020010100"]);
    assert_eq!(
        m["baseline"].as_array().unwrap()[0]["version"].as_str(),
        Some("2019092900")
    );

    // Without base schema files there is nothing for --base-version to place.
    let out = env.path("no-base");
    let src = fixture("flyway");
    let o = import(
        &env,
        &[
            "--layout",
            "flyway",
            "--rdbms",
            "sqlite",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--base-version",
            "2",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--base-version"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn reference_writes_only_the_manifest_and_names_the_files_where_they_are() {
    let env = Env::new();
    let project = env.path("project");
    copy_package(&fixture("flyway"), &project.join("db/migration"));
    std::fs::write(project.join("README.md"), "the product\n").unwrap();
    let src = project.join("db/migration");
    let args = [
        "--layout",
        "flyway",
        "--rdbms",
        "sqlite",
        "--reference",
        src.to_str().unwrap(),
        "--out",
        project.to_str().unwrap(),
    ];
    assert_ok(&import(&env, &args));
    let m = manifest(&project);
    assert_eq!(scripts(&m)[0].2, "db/migration/V1__init.sql");
    assert_eq!(
        m["baseline"].as_array().unwrap()[0]["sqlite"].as_str(),
        Some("upwiz-import/baseline/empty-sqlite.sql")
    );
    assert!(!project.join("V1__init.sql").exists(), "nothing is copied");

    // Twice: the package is there already.
    let o = import(&env, &args);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("already holds an upwiz.toml"),
        "{}",
        stderr(&o)
    );

    // SOURCE outside --out cannot be referenced from a package in --out.
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let o = import(
        &env,
        &[
            "--layout",
            "flyway",
            "--rdbms",
            "sqlite",
            "--reference",
            src.to_str().unwrap(),
            "--out",
            elsewhere.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("SOURCE must be inside --out"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// Runs an import of `src` that must be refused: exit 2, one line naming `names`, and
/// no package written.
fn refused(env: &Env, layout: &str, src: &Path, rdbms: Option<&str>, names: &str) {
    let out = env.path("refused");
    let mut args = vec![
        "--layout",
        layout,
        src.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(r) = rdbms {
        args.extend(["--rdbms", r]);
    }
    let o = import(env, &args);
    assert_eq!(
        code(&o),
        2,
        "stdout:\n{}\nstderr:\n{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(names),
        "the error names {names}:\n{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn bad_sources_are_refused_with_the_file_named_and_nothing_written() {
    let env = Env::new();
    let dir = |name: &str, files: &[(&str, &str)]| {
        let d = env.path(name);
        std::fs::create_dir_all(&d).unwrap();
        for (f, text) in files {
            std::fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
            std::fs::write(d.join(f), text).unwrap();
        }
        d
    };
    let ok = fixture("flyway");
    refused(
        &env,
        "liquibase",
        &ok,
        Some("sqlite"),
        "unknown layout 'liquibase'",
    );
    refused(
        &env,
        "flyway",
        &ok,
        None,
        "--rdbms is required with --layout flyway",
    );
    let empty = dir("empty", &[(".gitkeep", "")]);
    refused(
        &env,
        "flyway",
        &empty,
        Some("sqlite"),
        "no migration files found",
    );
    let twice = dir(
        "twice",
        &[("V1__a.sql", "SELECT 1;"), ("V1.0__b.sql", "SELECT 2;")],
    );
    refused(
        &env,
        "flyway",
        &twice,
        Some("sqlite"),
        "two files for version 1: V1.0__b.sql and V1__a.sql",
    );
    let stray = dir(
        "stray",
        &[("V1__a.sql", "SELECT 1;"), ("notes.txt", "todo")],
    );
    refused(
        &env,
        "flyway",
        &stray,
        Some("sqlite"),
        "notes.txt does not match the flyway layout",
    );
    let sqlx = dir("sqlx", &[("1_a.sql", "SELECT 1;"), ("mod.rs", "")]);
    refused(
        &env,
        "numbered",
        &sqlx,
        Some("sqlite"),
        "mod.rs does not match the numbered layout",
    );
    let per = dir(
        "per",
        &[
            ("postgres/1.sql", "SELECT 1;"),
            ("oracle/1.sql", "SELECT 1;"),
        ],
    );
    refused(
        &env,
        "per-rdbms",
        &per,
        None,
        "oracle/1.sql does not match the per-rdbms layout",
    );
    let per = dir(
        "per2",
        &[
            ("postgres/1.sql", "SELECT 1;"),
            ("postgres/1_again.sql", "SELECT 1;"),
        ],
    );
    refused(
        &env,
        "per-rdbms",
        &per,
        None,
        "two files for version 1 on postgres",
    );
    let both = dir(
        "both",
        &[
            ("postgres/1.sql", "SELECT 1;"),
            ("postgresql/2.sql", "SELECT 1;"),
        ],
    );
    refused(
        &env,
        "per-rdbms",
        &both,
        None,
        "both postgres/ and postgresql/",
    );

    // --out that already holds something.
    let out = env.path("full");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let o = import(
        &env,
        &[
            "--layout",
            "flyway",
            "--rdbms",
            "sqlite",
            ok.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "nothing was added"
    );
}

// ---------------------------------------------------------------------------
// The imported packages plan and run. These use `[version] store = "upwiz"` and
// `nothing_on`, which the importer writes: they need a loader that knows both.
// ---------------------------------------------------------------------------

/// Checks the package, installs it empty (version 0) and upgrades to the newest release
/// with `run --yes`; then installs a second database at the newest release directly.
fn installs_and_upgrades(env: &Env, pkg: &Path, rdbms: Rdbms, probe: &str, expect: &str) {
    let check = env.upwiz(&["package", "check", pkg.to_str().unwrap()]);
    assert_ok(&check);

    let db = Db::empty(env, rdbms);
    assert_ok(&anydb::run(env, &db, pkg, &["install", "--version", "0"]));
    assert_ok(&anydb::run(env, &db, pkg, &["run", "--yes"]));
    assert_eq!(db.scalar(probe), expect, "{rdbms}: after the upgrade");
    let status = anydb::run(env, &db, pkg, &["status", "--json"]);
    assert_ok(&status);

    let fresh = match rdbms {
        Rdbms::Sqlite => Db::Sqlite(env.path("fresh.db")),
        _ => Db::empty(env, rdbms),
    };
    assert_ok(&anydb::run(env, &fresh, pkg, &["install"]));
    assert_eq!(fresh.scalar(probe), expect, "{rdbms}: a fresh install");
}

#[test]
fn imported_flyway_runs_on_sqlite_and_postgres() {
    let probe = "SELECT status FROM orders WHERE id = 1";
    for rdbms in [Rdbms::Sqlite, Rdbms::Postgres] {
        let env = Env::new();
        let pkg = imported(&env, "flyway", "flyway", Some(rdbms.key()));
        installs_and_upgrades(&env, &pkg, rdbms, probe, "shipped");
    }
}

#[test]
fn imported_sqlx_runs_on_sqlite_and_mariadb() {
    let probe = "SELECT full_name FROM users WHERE login = 'admin'";
    for rdbms in [Rdbms::Sqlite, Rdbms::Mysql] {
        let env = Env::new();
        let pkg = imported(&env, "sqlx", "sqlx", Some(rdbms.key()));
        installs_and_upgrades(&env, &pkg, rdbms, probe, "Administrator");
    }
}

#[test]
fn imported_dbmate_and_refinery_run_on_sqlite_and_postgres() {
    for rdbms in [Rdbms::Sqlite, Rdbms::Postgres] {
        let env = Env::new();
        let pkg = imported(&env, "dbmate", "dbmate", Some(rdbms.key()));
        installs_and_upgrades(
            &env,
            &pkg,
            rdbms,
            "SELECT owner FROM projects WHERE id = 1",
            "ops",
        );
    }
    let env = Env::new();
    let pkg = imported(&env, "refinery", "refinery", Some("sqlite"));
    installs_and_upgrades(
        &env,
        &pkg,
        Rdbms::Sqlite,
        "SELECT count(author) FROM notes",
        "Integer(0)",
    );
}

#[test]
fn imported_per_rdbms_runs_on_all_three() {
    for rdbms in Rdbms::ALL {
        let env = Env::new();
        let pkg = imported(&env, "per_rdbms", "per-rdbms", None);
        installs_and_upgrades(
            &env,
            &pkg,
            rdbms,
            "SELECT value FROM config WHERE name = 'events'",
            "on",
        );
    }
}
