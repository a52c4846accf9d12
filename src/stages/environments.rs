//! The `[[environment]]` tables of the config file: named databases in stage order
//! (Dev -> Test -> Pre-Production -> Production), validated before anything uses them.

use serde::Deserialize;
use toml::Spanned;

use crate::db::ConnectSpec;
use crate::rdbms::Rdbms;

/// One `[[environment]]` as written.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawEnvironment {
    pub name: Spanned<String>,
    pub rdbms: Spanned<String>,
    pub connect: Spanned<String>,
    pub user: Option<String>,
    pub follows: Option<Spanned<String>>,
}

/// A checked environment: its name is unique and the stage it follows exists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Environment {
    pub name: String,
    pub rdbms: Rdbms,
    pub connect: String,
    pub user: Option<String>,
    /// The stage before this one; None for the first stage.
    pub follows: Option<String>,
}

/// A problem with one environment: the byte offset in the file it is about, and what
/// to do about it.
pub type Invalid = (usize, String);

/// Checks the environments and returns them in stage order (each after the one it
/// follows; otherwise in the order of the file).
pub fn validate(raw: &[RawEnvironment]) -> Result<Vec<Environment>, Invalid> {
    let mut envs: Vec<(Environment, usize)> = Vec::new();
    for r in raw {
        let name = r.name.get_ref().trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err((
                r.name.span().start,
                format!("environment name '{name}' must be letters, digits, '-', '_' or '.' (e.g. \"prod\")"),
            ));
        }
        if envs.iter().any(|(e, _)| e.name == name) {
            return Err((
                r.name.span().start,
                format!(
                    "environment '{name}' is defined twice; give each [[environment]] its own name"
                ),
            ));
        }
        let rdbms: Rdbms = r
            .rdbms
            .get_ref()
            .parse()
            .map_err(|e: crate::rdbms::UnknownRdbms| (r.rdbms.span().start, e.to_string()))?;
        // A password in the connect string (in any spelling) or a second user is refused
        // here, when the file is read, as it is for `connect`.
        ConnectSpec::parse(rdbms, r.connect.get_ref(), r.user.clone(), None)
            .map_err(|e| (r.connect.span().start, format!("environment '{name}': {e}")))?;
        envs.push((
            Environment {
                name: name.to_string(),
                rdbms,
                connect: r.connect.get_ref().clone(),
                user: r.user.clone().filter(|u| !u.trim().is_empty()),
                follows: r.follows.as_ref().map(|f| f.get_ref().trim().to_string()),
            },
            r.follows
                .as_ref()
                .map_or(r.name.span().start, |f| f.span().start),
        ));
    }
    for (e, at) in &envs {
        if let Some(f) = &e.follows {
            if f == &e.name {
                return Err((*at, format!("environment '{f}' cannot follow itself")));
            }
            if !envs.iter().any(|(o, _)| &o.name == f) {
                let names: Vec<_> = envs.iter().map(|(o, _)| o.name.as_str()).collect();
                return Err((
                    *at,
                    format!(
                        "environment '{}' follows '{f}', which is not defined (defined: {})",
                        e.name,
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    order(envs)
}

/// Each environment after the one it follows; a cycle is an error naming its members.
fn order(mut left: Vec<(Environment, usize)>) -> Result<Vec<Environment>, Invalid> {
    let mut out: Vec<Environment> = Vec::new();
    while !left.is_empty() {
        let ready = left.iter().position(|(e, _)| {
            e.follows
                .as_ref()
                .is_none_or(|f| out.iter().any(|o| &o.name == f))
        });
        match ready {
            Some(i) => out.push(left.remove(i).0),
            None => {
                let names: Vec<_> = left.iter().map(|(e, _)| e.name.as_str()).collect();
                return Err((
                    left[0].1,
                    format!(
                        "the environments {} follow each other in a circle; the first stage follows none",
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The environment named `name`, or an error listing the ones there are.
pub fn find<'a>(envs: &'a [Environment], name: &str) -> Result<&'a Environment, String> {
    envs.iter().find(|e| e.name == name).ok_or_else(|| {
        if envs.is_empty() {
            format!("no environment '{name}': the config file defines no [[environment]] (see config.example.toml)")
        } else {
            let names: Vec<_> = envs.iter().map(|e| e.name.as_str()).collect();
            format!(
                "no environment '{name}' in the config file; defined: {}",
                names.join(", ")
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Environment>, String> {
        #[derive(Deserialize)]
        struct F {
            environment: Vec<RawEnvironment>,
        }
        let f: F = toml::from_str(text).map_err(|e| e.to_string())?;
        validate(&f.environment).map_err(|(at, m)| {
            let (line, _) = crate::package::position(text, at);
            format!("{line}: {m}")
        })
    }

    const ENV: &str = "[[environment]]\nname = \"{n}\"\nrdbms = \"sqlite\"\nconnect = \"{n}.db\"\n";

    fn env(name: &str, follows: Option<&str>) -> String {
        let mut s = ENV.replace("{n}", name);
        if let Some(f) = follows {
            s.push_str(&format!("follows = \"{f}\"\n"));
        }
        s
    }

    #[test]
    fn stage_order_follows_the_chain_not_the_file() {
        let text = [
            env("prod", Some("test")),
            env("dev", None),
            env("test", Some("dev")),
        ]
        .concat();
        let names: Vec<_> = parse(&text).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["dev", "test", "prod"]);
    }

    #[test]
    fn errors_name_the_line() {
        let text = [env("dev", None), env("dev", None)].concat();
        assert_eq!(
            parse(&text).unwrap_err(),
            "6: environment 'dev' is defined twice; give each [[environment]] its own name"
        );
        let text = [env("dev", None), env("prod", Some("tset"))].concat();
        let e = parse(&text).unwrap_err();
        assert!(
            e.starts_with(
                "9: environment 'prod' follows 'tset', which is not defined (defined: dev, prod)"
            ),
            "{e}"
        );
        let text = [env("a", Some("b")), env("b", Some("a"))].concat();
        assert!(parse(&text)
            .unwrap_err()
            .contains("follow each other in a circle"));
        let text = "[[environment]]\nname = \"p\"\nrdbms = \"postgres\"\nconnect = \"postgres://u:secret@h/d\"\n";
        let e = parse(text).unwrap_err();
        assert!(e.starts_with("4: environment 'p':"), "{e}");
        assert!(!e.contains("secret"), "{e}");
    }
}
