//! Product versions such as `9.1` or `10.0.2`, compared component by component.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Eq)]
pub struct Version {
    parts: Vec<u64>,
    text: String,
}

impl Version {
    /// The major version: the first component (`10` for `10.1`).
    pub fn major(&self) -> u64 {
        self.parts[0]
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Why a text is not a version. Date-stamped versions (`2019092900`, `20240115093000`) are
/// versions: each number may take up to 64 bits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadVersion {
    #[error(
        "'{0}' is not a version: expected numbers separated by dots, such as 10.1 or 2019092900"
    )]
    Shape(String),
    #[error(
        "'{text}' is not a version: the number {part} is too large; each number between the dots \
         must be at most {max} (64 bits)",
        max = u64::MAX
    )]
    TooLarge { text: String, part: String },
}

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let mut parts = Vec::new();
        for p in text.split('.') {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadVersion::Shape(s.to_string()));
            }
            match p.parse::<u64>() {
                Ok(n) => parts.push(n),
                Err(_) => {
                    return Err(BadVersion::TooLarge {
                        text: s.to_string(),
                        part: p.to_string(),
                    })
                }
            }
        }
        Ok(Version {
            parts,
            text: text.to_string(),
        })
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Ord for Version {
    /// `10.1` and `10.1.0` are the same version.
    fn cmp(&self, other: &Self) -> Ordering {
        #[cfg(test)]
        comparisons::count();
        let n = self.parts.len().max(other.parts.len());
        for i in 0..n {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.parts.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How many versions this thread compared: tests prove with it that planning and loading
/// stay linear in the number of releases, without timing anything.
#[cfg(test)]
pub(crate) mod comparisons {
    use std::cell::Cell;

    thread_local!(static COUNT: Cell<u64> = const { Cell::new(0) });

    pub(crate) fn count() {
        COUNT.with(|c| c.set(c.get() + 1));
    }

    /// The comparisons made by `f`.
    pub(crate) fn during<T>(f: impl FnOnce() -> T) -> (T, u64) {
        let before = COUNT.with(Cell::get);
        let out = f();
        (out, COUNT.with(Cell::get) - before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn orders_numerically_not_lexically() {
        assert!(v("9.1") < v("10.0"));
        assert!(v("10.1") < v("10.10"));
        assert_eq!(v("10.1"), v("10.1.0"));
        assert_eq!(v("11.0").major(), 11);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "1..2", "v1", "1.x", "-1", "+1", " . "] {
            assert!(
                matches!(bad.parse::<Version>(), Err(BadVersion::Shape(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn takes_date_stamps_up_to_64_bits() {
        assert!(v("2019092900") < v("2019100100"));
        assert!(v("20240115093000") < v("20240115093001"));
        assert!(v("9") < v("2019092900"));
        assert_eq!(v("18446744073709551615").major(), u64::MAX);
        let err = "18446744073709551616".parse::<Version>().unwrap_err();
        assert!(matches!(err, BadVersion::TooLarge { .. }));
        assert!(
            err.to_string()
                .contains("at most 18446744073709551615 (64 bits)"),
            "{err}"
        );
    }
}
