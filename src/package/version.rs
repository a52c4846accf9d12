//! Product versions such as `9.1` or `10.0.2`, compared component by component.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Eq)]
pub struct Version {
    parts: Vec<u32>,
    text: String,
}

impl Version {
    /// The major version: the first component (`10` for `10.1`).
    pub fn major(&self) -> u32 {
        self.parts[0]
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a version: expected numbers separated by dots, such as 10.1")]
pub struct BadVersion(pub String);

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let parts: Option<Vec<u32>> = text
            .split('.')
            .map(|p| {
                if p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect();
        match parts {
            Some(parts) if !parts.is_empty() => Ok(Version {
                parts,
                text: text.to_string(),
            }),
            _ => Err(BadVersion(s.to_string())),
        }
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
        for bad in ["", "1..2", "v1", "1.x", "-1", "99999999999"] {
            assert!(bad.parse::<Version>().is_err(), "{bad}");
        }
    }
}
