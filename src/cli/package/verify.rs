//! `upwiz package verify DIR --rdbms R --scratch C`: prints what `verify::verify` found.

use std::path::{Path, PathBuf};

use crate::cli::args::Target;
use crate::cli::exit;
use crate::cli::input::{resolve, BadInput};
use crate::cli::print;
use crate::cli::said::Said;
use crate::engine::CancelToken;
use crate::rdbms::Rdbms;
use crate::verify::{self, RouteResult, RouteStatus, ScratchPlace, VerifyError, VerifyRequest};

pub fn run(
    config: Option<&Path>,
    t: &Target,
    dir: &Path,
    scratch: Option<&str>,
    json: bool,
) -> Result<i32, BadInput> {
    let rdbms = crate::cli::input::settings(config, t, None)?.rdbms;
    let connect = match (rdbms, scratch) {
        (Rdbms::Sqlite, Some(d)) => d.to_string(),
        (Rdbms::Sqlite, None) => std::env::temp_dir().display().to_string(),
        (_, Some(c)) => c.to_string(),
        (_, None) => {
            return Err(BadInput(format!(
                "package verify on {rdbms} needs --scratch C: a connect string to a server where upwiz may create and drop databases of its own (e.g. {}); nothing was run",
                rdbms.connect_examples()[0]
            )))
        }
    };
    // The config file, the password (UPWIZ_PASSWORD, --password-file, the keyring, a
    // prompt) and the timeouts as every command takes them; the package is DIR.
    let scratch_target = Target {
        package: Some(dir.to_path_buf()),
        rdbms: Some(rdbms),
        connect: Some(connect.clone()),
        user: t.user.clone(),
        password_file: t.password_file.clone(),
        log_dir: t.log_dir.clone(),
        backup_dir: t.backup_dir.clone(),
        connect_timeout: t.connect_timeout,
        quiet: t.quiet,
        verbose: t.verbose,
        // The scratch database is named above, never an environment's.
        environment: None,
    };
    let mut input = resolve(config, &scratch_target, None)?;
    let place = match rdbms {
        Rdbms::Sqlite => ScratchPlace::Dir(PathBuf::from(&connect)),
        _ => {
            drop(input.connect()?);
            ScratchPlace::Server(Box::new(input.spec.clone()))
        }
    };
    let where_ = match &place {
        ScratchPlace::Dir(d) => format!("temporary files in {}", d.display()),
        ScratchPlace::Server(s) => format!("scratch databases on {}", s.redacted()),
    };
    let cancel = CancelToken::new();
    crate::cli::signals::install(&cancel);
    let req = VerifyRequest {
        package: input.package.clone(),
        rdbms,
        scratch: place,
    };
    let mut said = Said::new(json);
    said.line(format!(
        "Verifying {} on {rdbms}: every start version upgraded to {}, {where_}",
        req.package.product.name,
        req.package.newest()
    ));
    let mut n = 0;
    let mut progress = |r: &RouteResult| {
        n += 1;
        if !json {
            print::out(&format!(
                "  [{n}] {}: {} ({:.1}s)",
                r.route,
                status(r.result),
                r.elapsed.as_secs_f64()
            ));
        }
    };
    let done = match verify::verify(&req, &cancel, &mut progress) {
        Ok(done) => done,
        Err(VerifyError::BadInput(msg)) => return Err(BadInput(msg)),
    };
    let code = done.exit_code();
    said.set("product", &done.product);
    said.set("rdbms", done.rdbms);
    said.set("newest", &done.newest);
    said.set("reference", &done.reference);
    said.set("fresh_reference", done.fresh_reference);
    said.set("routes", &done.routes);
    said.set("cleanup_errors", &done.cleanup_errors);
    said.set("tests_not_run", &done.tests_not_run);
    said.line(String::new());
    if !done.fresh_reference {
        said.line(format!(
            "{} has no baseline of its own: every route is compared with {}.",
            done.newest, done.reference
        ));
    } else {
        said.line(format!("Every route is compared with {}.", done.reference));
    }
    for line in table(&done.routes) {
        said.line(line);
    }
    let failed: Vec<&RouteResult> = done.routes.iter().filter(|r| r.error.is_some()).collect();
    let differs: Vec<&RouteResult> = done
        .routes
        .iter()
        .filter(|r| !r.differences.is_empty())
        .collect();
    if !differs.is_empty() {
        said.line(String::new());
        said.line("Differences:".into());
        for r in &differs {
            for d in &r.differences {
                said.line(format!("  route {}: {d}", r.route));
            }
        }
    }
    if !failed.is_empty() {
        said.line(String::new());
        said.line("Routes that did not run to the end:".into());
        for r in &failed {
            said.line(format!(
                "  route {}: {}",
                r.route,
                r.error.as_deref().unwrap_or_default()
            ));
        }
    }
    let notes: Vec<String> = done
        .routes
        .iter()
        .flat_map(|r| {
            r.notes
                .iter()
                .map(move |n| format!("  route {}: {n}", r.route))
        })
        .collect();
    if !notes.is_empty() {
        said.line(String::new());
        said.line("Notes (not failures: the same index under another name):".into());
        for n in notes {
            said.line(n);
        }
    }
    if !done.tests_not_run.is_empty() {
        said.line(String::new());
        said.line(format!(
            "Not run on the scratch databases (they test the application's servers): {}.",
            done.tests_not_run.join(", ")
        ));
    }
    for e in &done.cleanup_errors {
        said.error(e.clone());
    }
    said.line(String::new());
    said.line(match code {
        exit::OK => format!(
            "Verified: all {} routes end with the same schema as {}.",
            done.routes.len(),
            done.reference
        ),
        exit::STEP_FAILED => format!(
            "Not verified: {} of {} routes differ or failed; fix the package's scripts or baselines and verify again.",
            done
                .routes
                .iter()
                .filter(|r| matches!(r.result, RouteStatus::Differs | RouteStatus::Failed))
                .count()
                .max(usize::from(!done.cleanup_errors.is_empty())),
            done.routes.len()
        ),
        _ => "Stopped: verify was interrupted; its scratch databases were dropped.".into(),
    });
    Ok(said.finish(code))
}

fn status(s: RouteStatus) -> &'static str {
    match s {
        RouteStatus::Reference => "reference",
        RouteStatus::Same => "same",
        RouteStatus::Differs => "DIFFERS",
        RouteStatus::Failed => "FAILED",
        RouteStatus::NotRun => "not run",
    }
}

/// Start, route, result and time, in aligned columns.
fn table(routes: &[RouteResult]) -> Vec<String> {
    let head = ["Start", "Route", "Result", "Time"];
    let rows: Vec<[String; 4]> = routes
        .iter()
        .map(|r| {
            [
                r.start.clone(),
                r.route.clone(),
                status(r.result).to_string(),
                format!("{:.1}s", r.elapsed.as_secs_f64()),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([head[i].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut out = vec![format!(
        "{:<w0$}  {:<w1$}  {:<w2$}  {}",
        head[0], head[1], head[2], head[3]
    )];
    for r in rows {
        out.push(format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>5}",
            r[0], r[1], r[2], r[3]
        ));
    }
    out
}
