//! The example packages in assets/examples, each modelled on a vendor's upgrade
//! procedure: installed at their first release and upgraded headless to their newest on
//! SQLite, PostgreSQL and MariaDB, with the data a user would check afterwards, and a
//! fresh install of the newest release compared with the upgraded database, schema
//! (types, nullability, defaults, indexes, constraints) and rows.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::anydb::{run, Db};
use common::https::{response, StatusServer, TestCa};
use common::*;
use upwiz::rdbms::Rdbms;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/examples")
        .join(name)
}

/// One value as text on any RDBMS (SQLite integers included).
fn one(db: &Db, sql: &str) -> String {
    let v = db.scalar(sql);
    match v.strip_prefix("Integer(").and_then(|r| r.strip_suffix(')')) {
        Some(n) => n.to_string(),
        None => v,
    }
}

fn all_output(env: &Env, out: &Output) -> String {
    format!("{}{}{}", stdout(out), stderr(out), env.log())
}

fn plan_actions(env: &Env, db: &Db, pkg: &Path) -> Vec<String> {
    let out = run(env, db, pkg, &["plan", "--json"]);
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// One database of `env` besides its default one (a second SQLite file, or a server
/// database of its own).
fn other_db(env: &Env, rdbms: Rdbms) -> Db {
    match rdbms {
        Rdbms::Sqlite => Db::Sqlite(env.path("fresh.db")),
        _ => Db::empty(env, rdbms),
    }
}

/// Runs `sql` and renders every row, for catalog queries on a server.
fn rows(db: &Db, sql: &str) -> Vec<String> {
    let Db::Server(t) = db else {
        unreachable!("server catalogs only")
    };
    t.open()
        .query(sql)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.render()).collect::<Vec<_>>().join("|"))
        .collect()
}

/// The product tables' structure: columns with type, nullability and default in order,
/// indexes, and constraints with their definitions; upwiz's own tables left out.
fn schema(db: &Db) -> Vec<String> {
    match db {
        Db::Sqlite(p) => {
            let conn = rusqlite::Connection::open(p).unwrap();
            let mut s = conn
                .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'upwiz%' AND name NOT LIKE 'sqlite%' ORDER BY type, name")
                .unwrap();
            let objects: Vec<(String, String, Option<String>)> = s
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let mut out = Vec::new();
            for (kind, name, sql) in objects {
                // ALTER TABLE ... ADD COLUMN writes the new column on the line before:
                // only the blanks differ from a CREATE TABLE that has it.
                let sql = sql.unwrap_or_default();
                let words: Vec<&str> = sql.split_whitespace().collect();
                out.push(format!("{kind} {name}: {}", words.join(" ")));
                if kind == "table" {
                    let mut cols = conn
                        .prepare(&format!("PRAGMA table_info(\"{name}\")"))
                        .unwrap();
                    let info: Vec<String> = cols
                        .query_map([], |r| {
                            Ok(format!(
                                "  column {}: {} notnull={} default={:?} pk={}",
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, i64>(3)?,
                                r.get::<_, Option<String>>(4)?,
                                r.get::<_, i64>(5)?
                            ))
                        })
                        .unwrap()
                        .map(Result::unwrap)
                        .collect();
                    out.extend(info);
                }
            }
            out
        }
        Db::Server(t) if t.rdbms == Rdbms::Postgres => {
            let mut out = rows(
                db,
                "SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT LIKE 'upwiz%'
                 ORDER BY table_name, ordinal_position",
            );
            out.extend(rows(
                db,
                "SELECT tablename, indexname, indexdef FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename NOT LIKE 'upwiz%'
                 ORDER BY tablename, indexname",
            ));
            out.extend(rows(
                db,
                "SELECT cl.relname, c.conname, c.contype, pg_get_constraintdef(c.oid)
                 FROM pg_constraint c
                 JOIN pg_class cl ON cl.oid = c.conrelid
                 JOIN pg_namespace n ON n.oid = cl.relnamespace
                 WHERE n.nspname = current_schema() AND cl.relname NOT LIKE 'upwiz%'
                 ORDER BY cl.relname, c.conname",
            ));
            out
        }
        Db::Server(_) => {
            let mut out = rows(
                db,
                "SELECT table_name, ordinal_position, column_name, column_type, is_nullable, column_default, collation_name
                 FROM information_schema.columns
                 WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%'
                 ORDER BY table_name, ordinal_position",
            );
            out.extend(rows(
                db,
                "SELECT table_name, index_name, seq_in_index, column_name, non_unique
                 FROM information_schema.statistics
                 WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%'
                 ORDER BY table_name, index_name, seq_in_index",
            ));
            out.extend(rows(
                db,
                "SELECT table_name, constraint_name, constraint_type
                 FROM information_schema.table_constraints
                 WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%'
                 ORDER BY table_name, constraint_name",
            ));
            out.extend(rows(
                db,
                "SELECT table_name, constraint_name, column_name, referenced_table_name, referenced_column_name
                 FROM information_schema.key_column_usage
                 WHERE table_schema = DATABASE() AND table_name NOT LIKE 'upwiz%' AND referenced_table_name IS NOT NULL
                 ORDER BY table_name, constraint_name, ordinal_position",
            ));
            out.extend(rows(
                db,
                "SELECT constraint_name, check_clause FROM information_schema.check_constraints
                 WHERE constraint_schema = DATABASE()
                 ORDER BY constraint_name",
            ));
            out
        }
    }
}

/// A fresh install of `pkg`'s newest release holds exactly what `upgraded` holds: the
/// same schema and the same rows.
fn assert_fresh_install_matches(env: &Env, rdbms: Rdbms, pkg: &Path, upgraded: &Db) {
    let fresh = other_db(env, rdbms);
    assert_ok(&run(env, &fresh, pkg, &["install"]));
    let (a, b) = (schema(upgraded), schema(&fresh));
    assert!(a.len() > 10, "the schema dump is empty: {a:?}");
    assert_eq!(
        a, b,
        "upgraded (left) and freshly installed (right) schemas differ"
    );
    // The rows only: the schema is compared above (SQLite's dump has the CREATE text,
    // whose blanks differ where ALTER TABLE added a column).
    let rows_of = |d: &Db| -> Vec<String> {
        d.dump()
            .into_iter()
            .filter(|l| l.starts_with("  "))
            .collect()
    };
    let (a, b) = (rows_of(upgraded), rows_of(&fresh));
    assert!(!a.is_empty());
    assert_eq!(
        a, b,
        "upgraded (left) and freshly installed (right) rows differ"
    );
}

// ---------------------------------------------------------------------------------
// repository: a required stop, violation reports before and after every leg
// ---------------------------------------------------------------------------------

fn repository_upgrades(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = example("repository");
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "10.0");
    assert_eq!(
        plan_actions(&env, &db, &pkg),
        ["10.0 -> 10.1", "10.1 -> 11.0"],
        "the required stop at 10.1 makes two actions"
    );
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    let all = all_output(&env, &out);
    for report in [
        "Violation report on the source (10.0)",
        "Violation report on the target (10.1)",
        "Violation report on the source (10.1)",
        "Violation report on the target (11.0)",
    ] {
        assert!(all.contains(report), "no '{report}' in:\n{all}");
    }
    assert_eq!(one(&db, "SELECT version FROM ks_version"), "11.0");
    assert_eq!(
        one(&db, "SELECT base_path FROM rest_services WHERE id = 1"),
        "/travel"
    );
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM auth_roles WHERE is_default = 1 AND name = 'USER'"
        ),
        "4"
    );
    assert_eq!(
        one(
            &db,
            "SELECT label FROM column_defs WHERE name = 'DEPART_ON'"
        ),
        "depart on"
    );
    assert_fresh_install_matches(&env, rdbms, &pkg, &db);
}

#[test]
fn repository_upgrades_through_its_required_stop_on_sqlite() {
    repository_upgrades(Rdbms::Sqlite);
}

#[test]
fn repository_upgrades_through_its_required_stop_on_postgres() {
    repository_upgrades(Rdbms::Postgres);
}

#[test]
fn repository_upgrades_through_its_required_stop_on_mariadb() {
    repository_upgrades(Rdbms::Mysql);
}

#[test]
fn a_repository_violation_stops_the_run_before_anything_changes() {
    let env = Env::new();
    let pkg = example("repository");
    let db = Db::empty(&env, Rdbms::Sqlite);
    db.install(&env, &pkg, "10.0");
    db.execute("UPDATE column_defs SET domain_id = NULL WHERE id = 3");
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", all_output(&env, &out));
    let all = all_output(&env, &out);
    assert!(all.contains("Columns without a domain"), "{all}");
    assert_eq!(one(&db, "SELECT version FROM ks_version"), "10.0");

    db.execute("UPDATE column_defs SET domain_id = 2 WHERE id = 3");
    assert_ok(&run(&env, &db, &pkg, &["run", "--yes"]));
    assert_eq!(one(&db, "SELECT version FROM ks_version"), "11.0");
}

// ---------------------------------------------------------------------------------
// per-app: each application upgraded on its own, failures recorded and retried
// ---------------------------------------------------------------------------------

fn failed_items(db: &Db) -> String {
    one(
        db,
        "SELECT COUNT(*) FROM upwiz_items WHERE error IS NOT NULL AND step_key LIKE 'items/%'",
    )
}

fn per_app_upgrades_and_retries_only_the_failed_application(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = example("per-app");
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "9.3.2");
    // An item of application 4 uses a widget the 9.3.4 catalogue does not know.
    db.execute("UPDATE app_items SET widget = 'legacyGrid' WHERE id = 14");

    let out = run(&env, &db, &pkg, &["run", "--yes", "--json"]);
    assert_eq!(code(&out), 1, "{}", all_output(&env, &out));
    let finished: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    assert_eq!(finished["outcome"], "completed_with_failed_items");
    let failed = finished["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["id"], "4");
    assert_eq!(failed[0]["name"], "IT Equipment Orders");
    // The failure table: the application's id, name and error.
    assert_eq!(failed_items(&db), "1");
    assert_eq!(
        one(&db, "SELECT name FROM upwiz_items WHERE error IS NOT NULL"),
        "IT Equipment Orders"
    );
    assert_eq!(
        one(
            &db,
            "SELECT item_id FROM upwiz_items WHERE error IS NOT NULL"
        ),
        "4"
    );
    assert!(!db
        .scalar("SELECT error FROM upwiz_items WHERE error IS NOT NULL")
        .is_empty());
    assert_eq!(one(&db, "SELECT version FROM lf_version"), "9.3.6");
    assert_eq!(one(&db, "SELECT schema_level FROM apps WHERE id = 4"), "1");
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM apps WHERE schema_level = 2"),
        "5"
    );
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM app_fields WHERE app_id = 4"),
        "0"
    );

    // Fixed, the next run upgrades application 4 alone.
    db.execute("UPDATE app_items SET widget = 'dropdown' WHERE id = 14");
    let out = run(&env, &db, &pkg, &["run", "--yes", "--json"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("1 of 1 item(s) upgraded (5 done by an earlier run)"),
        "{text}"
    );
    assert_eq!(failed_items(&db), "0", "the failure table is empty");
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM apps WHERE schema_level = 2"),
        "6"
    );
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM app_fields WHERE app_id = 4"),
        "4"
    );
    assert_eq!(
        one(
            &db,
            "SELECT widget FROM app_fields WHERE app_id = 4 AND ordinal = 2"
        ),
        "dropdown"
    );
    assert_fresh_install_matches(&env, rdbms, &pkg, &db);
}

#[test]
fn per_app_retries_only_the_failed_application_on_sqlite() {
    per_app_upgrades_and_retries_only_the_failed_application(Rdbms::Sqlite);
}

#[test]
fn per_app_retries_only_the_failed_application_on_postgres() {
    per_app_upgrades_and_retries_only_the_failed_application(Rdbms::Postgres);
}

#[test]
fn per_app_retries_only_the_failed_application_on_mariadb() {
    per_app_upgrades_and_retries_only_the_failed_application(Rdbms::Mysql);
}

#[test]
fn per_app_refuses_to_start_while_tracing_is_on() {
    let env = Env::new();
    let pkg = example("per-app");
    let db = Db::empty(&env, Rdbms::Sqlite);
    db.install(&env, &pkg, "9.3.2");
    db.execute(
        "UPDATE lf_settings SET value = 'com.larkspur.*=all' WHERE name = 'trace.specification'",
    );
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", all_output(&env, &out));
    let all = all_output(&env, &out);
    assert!(all.contains("Trace strings are not enabled"), "{all}");
    assert!(all.contains("com.larkspur.*=all"), "{all}");
    assert_eq!(one(&db, "SELECT version FROM lf_version"), "9.3.2");
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM upwiz_items"),
        "0",
        "no application was touched"
    );
}

// ---------------------------------------------------------------------------------
// two-majors: two major versions per action, replication off, slow status pages
// ---------------------------------------------------------------------------------

/// How long the test's status pages take to answer. The vendor's take about 30 s; what
/// matters is that the package's timeout covers the delay, which a shorter one shows.
const STATUS_DELAY: Duration = Duration::from_secs(2);

struct StatusPages {
    http: StatusServer,
    https: StatusServer,
    ca_pem: String,
}

fn slow_status_pages() -> StatusPages {
    let ca = TestCa::new("Harbor site CA");
    let page = |_: usize, path: &str| {
        std::thread::sleep(STATUS_DELAY);
        if path.ends_with("/status.aspx") {
            response("200 OK", "<html>Connection successful</html>")
        } else {
            response("404 Not Found", "no such page")
        }
    };
    StatusPages {
        http: StatusServer::start(None, page),
        https: StatusServer::start(Some(ca.server.clone()), page),
        ca_pem: ca.pem,
    }
}

/// The two-majors package as an operator sets it up for a site: the status page URLs
/// pointed at the site's servers, the site's CA for HTTPS, and `timeout_secs` replaced
/// when given.
fn two_majors_for_site(env: &Env, pages: &StatusPages, dir: &str, timeout: Option<u32>) -> PathBuf {
    let pkg = env.path(dir);
    copy_package(&example("two-majors"), &pkg);
    std::fs::write(pkg.join("site-ca.pem"), &pages.ca_pem).unwrap();
    let manifest = pkg.join("upwiz.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let http = "url = \"http://localhost:7771/PersonalizationServer/status.aspx\"";
    let https = "url = \"https://localhost:7751/ManagementServer/deployment/status.aspx\"";
    assert!(text.contains(http) && text.contains(https), "{text}");
    let mut text = text
        .replace(
            http,
            &format!(
                "url = \"http://127.0.0.1:{}/PersonalizationServer/status.aspx\"",
                pages.http.port
            ),
        )
        .replace(
            https,
            &format!(
                "url = \"https://localhost:{}/ManagementServer/deployment/status.aspx\"\nca = \"site-ca.pem\"",
                pages.https.port
            ),
        );
    if let Some(t) = timeout {
        assert!(text.contains("timeout_secs = 60"));
        text = text
            .replace("timeout_secs = 60", &format!("timeout_secs = {t}"))
            .replace("retries = 1", "retries = 0");
    }
    std::fs::write(&manifest, text).unwrap();
    pkg
}

fn two_majors_upgrades(rdbms: Rdbms) {
    let env = Env::new();
    let pages = slow_status_pages();
    let pkg = two_majors_for_site(&env, &pages, "pkg", None);
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "2019.1");
    assert_eq!(
        plan_actions(&env, &db, &pkg),
        ["2019.1 -> 2021.1", "2021.1 -> 2022.1"],
        "no action spans more than two major versions"
    );
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    let all = all_output(&env, &out);
    for t in [
        "passed: The Personalization Server status page answers",
        "passed: The Management Server status page answers over HTTPS",
    ] {
        assert!(all.contains(t), "no '{t}' in:\n{all}");
    }
    assert_eq!((pages.http.requests(), pages.https.requests()), (1, 1));
    assert_eq!(one(&db, "SELECT version FROM hw_version"), "2022.1");
    assert_eq!(
        one(
            &db,
            "SELECT personalization_url FROM policy_files WHERE id = 2"
        ),
        "http://ps02:7771/PersonalizationServer"
    );
    assert_eq!(
        one(
            &db,
            "SELECT failover_order FROM servers WHERE name = 'MS01'"
        ),
        "3"
    );
    assert_eq!(one(&db, "SELECT COUNT(*) FROM user_settings"), "48");
    assert_fresh_install_matches(&env, rdbms, &pkg, &db);
}

#[test]
fn two_majors_upgrades_in_two_actions_on_sqlite() {
    two_majors_upgrades(Rdbms::Sqlite);
}

#[test]
fn two_majors_upgrades_in_two_actions_on_postgres() {
    two_majors_upgrades(Rdbms::Postgres);
}

#[test]
fn two_majors_upgrades_in_two_actions_on_mariadb() {
    two_majors_upgrades(Rdbms::Mysql);
}

#[test]
fn two_majors_status_pages_fail_with_a_timeout_shorter_than_their_answer() {
    let env = Env::new();
    let pages = slow_status_pages();
    let db = Db::empty(&env, Rdbms::Sqlite);
    let hurried = two_majors_for_site(&env, &pages, "hurried", Some(1));
    db.install(&env, &hurried, "2021.1");
    let out = run(&env, &db, &hurried, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", all_output(&env, &out));
    let all = all_output(&env, &out);
    assert!(
        all.contains("The Personalization Server status page answers"),
        "{all}"
    );
    assert_eq!(one(&db, "SELECT version FROM hw_version"), "2022.1");

    // The package's own timeout waits for the answer: the next run passes the tests.
    let patient = two_majors_for_site(&env, &pages, "patient", None);
    assert_ok(&run(&env, &db, &patient, &["run", "--yes"]));
}

#[test]
fn two_majors_refuses_to_start_while_replication_is_enabled() {
    let env = Env::new();
    let pages = slow_status_pages();
    let pkg = two_majors_for_site(&env, &pages, "pkg", None);
    let db = Db::empty(&env, Rdbms::Sqlite);
    db.install(&env, &pkg, "2019.1");
    db.execute("UPDATE replication_partners SET enabled = 1 WHERE server_id = 2");
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_eq!(code(&out), 1, "{}", all_output(&env, &out));
    let all = all_output(&env, &out);
    assert!(
        all.contains("Replication is disabled on the master and every subscriber"),
        "{all}"
    );
    assert!(all.contains("PS02"), "{all}");
    assert_eq!(one(&db, "SELECT version FROM hw_version"), "2019.1");
    assert_eq!(pages.http.requests(), 0);
}

// ---------------------------------------------------------------------------------
// platform-modules: platform upgrade, then every module prepared on its own
// ---------------------------------------------------------------------------------

fn platform_modules_upgrade(rdbms: Rdbms) {
    let env = Env::new();
    let pkg = example("platform-modules");
    let db = Db::empty(&env, rdbms);
    db.install(&env, &pkg, "11.11.3");
    let out = run(&env, &db, &pkg, &["run", "--yes"]);
    assert_ok(&out);
    assert_eq!(one(&db, "SELECT version FROM fp_version"), "11.14.0");
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM system_components WHERE version = '11.14.0'"
        ),
        "2"
    );
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM modules WHERE prepared_for = '11.14.0'"
        ),
        "12"
    );
    // Publishing is the teams' part, at their own pace: nothing is published yet.
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM modules WHERE published_for = '11.11.3'"
        ),
        "12"
    );
    assert_eq!(
        one(&db, "SELECT COUNT(*) FROM upwiz_items WHERE error IS NULL"),
        "24",
        "each module prepared for 11.12.0, then for 11.14.0"
    );
    assert_fresh_install_matches(&env, rdbms, &pkg, &db);
}

#[test]
fn platform_modules_prepares_every_module_on_sqlite() {
    platform_modules_upgrade(Rdbms::Sqlite);
}

#[test]
fn platform_modules_prepares_every_module_on_postgres() {
    platform_modules_upgrade(Rdbms::Postgres);
}

#[test]
fn platform_modules_prepares_every_module_on_mariadb() {
    platform_modules_upgrade(Rdbms::Mysql);
}

#[test]
fn platform_modules_from_11_12_prepares_the_modules_for_11_14() {
    let env = Env::new();
    let pkg = example("platform-modules");
    let db = Db::empty(&env, Rdbms::Sqlite);
    db.install(&env, &pkg, "11.12.0");
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM modules WHERE prepared_for = '11.12.0'"
        ),
        "12"
    );
    assert_ok(&run(&env, &db, &pkg, &["run", "--yes"]));
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM modules WHERE prepared_for = '11.14.0'"
        ),
        "12"
    );
}
