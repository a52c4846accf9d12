//! The journal's name for a step: typed where the engine builds and reads it, text in
//! the journal (`leg/9.0-10.1/backup`, `script/9.1/01_emails`, `version/9.1`,
//! `items/11.0/Convert forms`). One type renders and parses it, so the two can never
//! drift apart.

use std::fmt;
use std::str::FromStr;

use crate::package::Version;

/// The steps every leg of a route has once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegPart {
    Preflight,
    Backup,
    ViolationsBefore,
    ViolationsAfter,
    Tests,
}

impl LegPart {
    fn as_str(self) -> &'static str {
        match self {
            LegPart::Preflight => "preflight",
            LegPart::Backup => "backup",
            LegPart::ViolationsBefore => "violations-before",
            LegPart::ViolationsAfter => "violations-after",
            LegPart::Tests => "tests",
        }
    }

    fn parse(s: &str) -> Option<LegPart> {
        Some(match s {
            "preflight" => LegPart::Preflight,
            "backup" => LegPart::Backup,
            "violations-before" => LegPart::ViolationsBefore,
            "violations-after" => LegPart::ViolationsAfter,
            "tests" => LegPart::Tests,
            _ => return None,
        })
    }
}

/// What a step key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOf {
    Leg {
        from: Version,
        to: Version,
        part: LegPart,
    },
    Script {
        release: Version,
        name: String,
    },
    Version {
        release: Version,
    },
    Items {
        release: Version,
        name: String,
    },
    /// `maintenance/on`, `maintenance/off`.
    Maintenance {
        on: bool,
    },
}

/// A step's key: what it names, and the text the journal stores. Equal keys have equal
/// text; the text is what the journal compares.
#[derive(Debug, Clone)]
pub struct StepKey {
    of: KeyOf,
    text: String,
}

impl StepKey {
    pub fn new(of: KeyOf) -> StepKey {
        let text = match &of {
            KeyOf::Leg { from, to, part } => format!("leg/{from}-{to}/{}", part.as_str()),
            KeyOf::Script { release, name } => format!("script/{release}/{name}"),
            KeyOf::Version { release } => format!("version/{release}"),
            KeyOf::Items { release, name } => format!("items/{release}/{name}"),
            KeyOf::Maintenance { on } => format!("maintenance/{}", if *on { "on" } else { "off" }),
        };
        StepKey { of, text }
    }

    pub fn leg(from: &Version, to: &Version, part: LegPart) -> StepKey {
        StepKey::new(KeyOf::Leg {
            from: from.clone(),
            to: to.clone(),
            part,
        })
    }

    pub fn of(&self) -> &KeyOf {
        &self.of
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The same leg's step `part`: the violation report after a leg compares with the
    /// one before it.
    pub fn sibling(&self, part: LegPart) -> Option<StepKey> {
        match &self.of {
            KeyOf::Leg { from, to, .. } => Some(StepKey::leg(from, to, part)),
            _ => None,
        }
    }
}

impl PartialEq for StepKey {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for StepKey {}

impl std::hash::Hash for StepKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Display for StepKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::ops::Deref for StepKey {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

/// A journal key this version of upwiz does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a step key")]
pub struct BadStepKey(pub String);

impl FromStr for StepKey {
    type Err = BadStepKey;

    fn from_str(s: &str) -> Result<StepKey, BadStepKey> {
        let bad = || BadStepKey(s.to_string());
        let version = |v: &str| v.parse::<Version>().map_err(|_| bad());
        let (kind, rest) = s.split_once('/').ok_or_else(bad)?;
        let of = match kind {
            "leg" => {
                let (span, part) = rest.split_once('/').ok_or_else(bad)?;
                let (from, to) = span.split_once('-').ok_or_else(bad)?;
                KeyOf::Leg {
                    from: version(from)?,
                    to: version(to)?,
                    part: LegPart::parse(part).ok_or_else(bad)?,
                }
            }
            "script" | "items" => {
                let (release, name) = rest.split_once('/').ok_or_else(bad)?;
                if name.is_empty() {
                    return Err(bad());
                }
                let (release, name) = (version(release)?, name.to_string());
                if kind == "script" {
                    KeyOf::Script { release, name }
                } else {
                    KeyOf::Items { release, name }
                }
            }
            "version" => KeyOf::Version {
                release: version(rest)?,
            },
            "maintenance" => KeyOf::Maintenance {
                on: match rest {
                    "on" => true,
                    "off" => false,
                    _ => return Err(bad()),
                },
            },
            _ => return Err(bad()),
        };
        // Kept as written: the journal's text is what later runs compare.
        Ok(StepKey {
            of,
            text: s.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn every_kind_of_key_reads_back_as_it_was_written() {
        let keys = [
            StepKey::leg(&v("9.0"), &v("10.1"), LegPart::Preflight),
            StepKey::leg(&v("10.1"), &v("11.0"), LegPart::ViolationsAfter),
            StepKey::new(KeyOf::Script {
                release: v("9.1"),
                name: "01_normalise/user emails".into(),
            }),
            StepKey::new(KeyOf::Version { release: v("9.1") }),
            StepKey::new(KeyOf::Items {
                release: v("11.0"),
                name: "Convert forms".into(),
            }),
            StepKey::new(KeyOf::Maintenance { on: true }),
            StepKey::new(KeyOf::Maintenance { on: false }),
        ];
        for k in keys {
            let back: StepKey = k.as_str().parse().unwrap();
            assert_eq!(back, k);
            assert_eq!(back.of(), k.of(), "{k}");
        }
        assert_eq!(
            StepKey::leg(&v("9.0"), &v("10.1"), LegPart::Backup).as_str(),
            "leg/9.0-10.1/backup"
        );
    }

    #[test]
    fn keys_of_no_known_shape_are_refused() {
        for s in [
            "",
            "script",
            "script/9.1",
            "script/9.1/",
            "script/x.y/a",
            "leg/9.0/backup",
            "leg/9.0-10.1/coffee",
            "install-items/0",
            "version/",
        ] {
            assert!(s.parse::<StepKey>().is_err(), "{s}");
        }
    }

    #[test]
    fn the_report_after_a_leg_finds_the_one_before_it() {
        let after = StepKey::leg(&v("9.0"), &v("10.1"), LegPart::ViolationsAfter);
        assert_eq!(
            after.sibling(LegPart::ViolationsBefore).unwrap().as_str(),
            "leg/9.0-10.1/violations-before"
        );
    }
}
