//! Post-upgrade `url` tests against status pages served on 127.0.0.1: https with the
//! package's own certificate authority, chunked bodies, redirects, unknown authorities,
//! pages that come up after a few tries, and URLs refused at load.

mod common;

use std::path::{Path, PathBuf};

use common::https::{chunked, redirect, response, StatusServer, TestCa};
use common::*;

/// The demo package with one more post-upgrade test (`extra` is its TOML body) and the
/// test CA's certificate as `ca.pem` when given.
fn package_with_test(env: &Env, extra: &str, ca_pem: Option<&str>) -> PathBuf {
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let manifest = pkg.join("upwiz.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!("\n[[test]]\nname = \"Status page\"\n{extra}\n"));
    std::fs::write(&manifest, text).unwrap();
    if let Some(pem) = ca_pem {
        std::fs::write(pkg.join("ca.pem"), pem).unwrap();
    }
    pkg
}

/// Upgrades a demo database from 10.1 to the newest release with `pkg`; the post-upgrade
/// tests run in that last leg.
fn upgrade(env: &Env, pkg: &Path) -> std::process::Output {
    let db = env.demo_db("demo.db", "10.1");
    env.sqlite(pkg, &db, &["run", "--yes"])
}

fn passed(env: &Env, out: &std::process::Output) {
    assert_ok(out);
    let all = format!("{}{}{}", stdout(out), stderr(out), env.log());
    assert!(all.contains("passed: Status page"), "{all}");
}

#[test]
fn an_https_status_page_signed_by_the_packages_ca_passes() {
    let env = Env::new();
    let ca = TestCa::new("upwiz test CA");
    let server = StatusServer::start(Some(ca.server.clone()), |_, path| {
        assert_eq!(path, "/portal/status");
        response("200 OK", "<html>Status: OK</html>")
    });
    let url = format!("https://127.0.0.1:{}/portal/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!("url = \"{url}\"\nbody_contains = \"Status: OK\"\nca = \"ca.pem\""),
        Some(&ca.pem),
    );
    passed(&env, &upgrade(&env, &pkg));
    assert_eq!(server.requests(), 1);
}

#[test]
fn a_chunked_body_is_read_whole_for_body_contains() {
    let env = Env::new();
    let server = StatusServer::start(None, |_, _| {
        chunked(&["<html><body>", "200 Status", ": OK", "</body></html>"])
    });
    let url = format!("http://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!("url = \"{url}\"\nbody_contains = \"200 Status: OK\""),
        None,
    );
    passed(&env, &upgrade(&env, &pkg));
}

#[test]
fn a_chunked_https_body_passes_too() {
    let env = Env::new();
    let ca = TestCa::new("upwiz chunked CA");
    let server = StatusServer::start(Some(ca.server.clone()), |_, _| chunked(&["Status", ": OK"]));
    let url = format!("https://localhost:{}/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!("url = \"{url}\"\nbody_contains = \"Status: OK\"\nca = \"ca.pem\""),
        Some(&ca.pem),
    );
    passed(&env, &upgrade(&env, &pkg));
}

#[test]
fn a_redirect_is_followed_to_the_status_page() {
    let env = Env::new();
    let server = StatusServer::start(None, |_, path| match path {
        "/status" => redirect("/status/"),
        "/status/" => response("200 OK", "Status: OK"),
        other => response("404 Not Found", other),
    });
    let url = format!("http://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!("url = \"{url}\"\nbody_contains = \"Status: OK\""),
        None,
    );
    passed(&env, &upgrade(&env, &pkg));
    assert_eq!(server.requests(), 2, "the redirect and the page");
}

#[test]
fn an_unknown_certificate_authority_fails_naming_the_url() {
    let env = Env::new();
    let ca = TestCa::new("an authority nobody trusts");
    let server = StatusServer::start(Some(ca.server.clone()), |_, _| {
        response("200 OK", "Status: OK")
    });
    let url = format!("https://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(&env, &format!("url = \"{url}\""), None);
    let out = upgrade(&env, &pkg);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let all = format!("{}{}", stderr(&out), env.log());
    assert!(all.contains(&url), "{all}");
    assert!(
        all.contains("not signed by a trusted certificate authority")
            && all.contains("ca = \"path/to/ca.pem\""),
        "{all}"
    );
    assert_eq!(
        server.requests(),
        0,
        "no request after a refused certificate"
    );
}

#[test]
fn a_page_that_comes_up_after_three_tries_passes_within_its_retry_budget() {
    let env = Env::new();
    let server = StatusServer::start(None, |n, _| {
        if n < 3 {
            response("503 Service Unavailable", "starting")
        } else {
            response("200 OK", "Status: OK")
        }
    });
    let url = format!("http://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!(
            "url = \"{url}\"\nbody_contains = \"Status: OK\"\nretries = 3\nretry_delay_secs = 0"
        ),
        None,
    );
    passed(&env, &upgrade(&env, &pkg));
    assert_eq!(server.requests(), 4);
}

#[test]
fn a_page_still_down_when_the_retries_run_out_fails() {
    let env = Env::new();
    let server = StatusServer::start(None, |n, _| {
        if n < 3 {
            response("503 Service Unavailable", "starting")
        } else {
            response("200 OK", "Status: OK")
        }
    });
    let url = format!("http://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(
        &env,
        &format!("url = \"{url}\"\nretries = 2\nretry_delay_secs = 0"),
        None,
    );
    let out = upgrade(&env, &pkg);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let all = format!("{}{}", stderr(&out), env.log());
    assert!(
        all.contains(&format!("{url}: status 503, expected 200")),
        "{all}"
    );
    assert_eq!(server.requests(), 3, "one try and two retries");
}

fn load_error(env: &Env, extra: &str) -> String {
    let pkg = package_with_test(env, extra, None);
    let e = upwiz::package::load(&pkg).unwrap_err().to_string();
    let line = std::fs::read_to_string(pkg.join("upwiz.toml"))
        .unwrap()
        .lines()
        .count();
    // The extra test is the manifest's last lines; the error points into them.
    let at: usize = e
        .split(':')
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("no line in: {e}"));
    assert!(at + 4 >= line, "line {at} of {line}: {e}");
    assert!(
        e.starts_with(&pkg.join("upwiz.toml").display().to_string()),
        "{e}"
    );
    e
}

#[test]
fn a_url_that_cannot_run_is_refused_at_load_with_its_line() {
    let env = Env::new();
    let e = load_error(&env, "url = \"ftp://127.0.0.1/status\"");
    assert!(e.contains("must start with http:// or https://"), "{e}");
}

#[test]
fn a_missing_or_empty_ca_file_is_refused_at_load_with_its_line() {
    let env = Env::new();
    let e = load_error(
        &env,
        "url = \"https://127.0.0.1/status\"\nca = \"missing.pem\"",
    );
    assert!(
        e.contains("ca: cannot read") && e.contains("missing.pem"),
        "{e}"
    );
    let env = Env::new();
    let pkg = env.path("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("empty.pem"), "").unwrap();
    let e = load_error(
        &env,
        "url = \"https://127.0.0.1/status\"\nca = \"empty.pem\"",
    );
    assert!(e.contains("holds no PEM certificate"), "{e}");
}

#[test]
fn a_page_slower_than_its_timeout_fails_saying_so() {
    let env = Env::new();
    let server = StatusServer::start(None, |_, _| {
        std::thread::sleep(std::time::Duration::from_secs(3));
        response("200 OK", "Status: OK")
    });
    let url = format!("http://127.0.0.1:{}/status", server.port);
    let pkg = package_with_test(&env, &format!("url = \"{url}\"\ntimeout_secs = 1"), None);
    let out = upgrade(&env, &pkg);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let all = format!("{}{}", stderr(&out), env.log());
    assert!(
        all.contains(&format!("{url}: no answer within 1s")),
        "{all}"
    );
}
