use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::foundation::text_column::text_column;

/// A SemVer 2.0 version, compared by SemVer precedence (`1.10.0` > `1.9.0`, `2.0.0-rc.1` < `2.0.0`). Build
/// metadata takes no part in precedence, so none in equality or hashing either: `1.0.0+a == 1.0.0+b`.
#[derive(Debug, Clone)]
pub struct Version(semver::Version);

impl Version {
    /// The longest version string accepted (also a CHECK on the `semver` domain).
    pub const MAX_LEN: usize = 100;

    pub fn parse(value: &str) -> Result<Self, InvalidVersion> {
        value.parse()
    }

    pub fn initial() -> Self {
        Self(semver::Version::new(1, 0, 0))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a SemVer 2.0 version such as 1.2.0 or 2.0.0-beta.1, at most 100 characters long")]
pub struct InvalidVersion;

impl FromStr for Version {
    type Err = InvalidVersion;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value.len() > Self::MAX_LEN {
            return Err(InvalidVersion);
        }
        semver::Version::parse(value)
            .map(Self)
            .map_err(|_| InvalidVersion)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let semver::Version {
            major,
            minor,
            patch,
            pre,
            build: _,
        } = &self.0;
        (major, minor, patch, pre).hash(state);
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

text_column!(Version, |version| version.to_string());

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn compares_by_precedence_not_as_strings() {
        assert!(v("1.10.0") > v("1.9.0"));
        assert!(v("2.0.0-rc.1") < v("2.0.0"));
        assert!(v("2.0.0-alpha") < v("2.0.0-alpha.1"));
        assert!(v("2.0.0-beta.2") < v("2.0.0-beta.11"));
        assert_eq!(v("1.0.0+build.1").cmp(&v("1.0.0+build.2")), Ordering::Equal);
    }

    #[test]
    fn equality_and_hashing_agree_with_precedence() {
        assert_eq!(v("1.0.0+build.1"), v("1.0.0+build.2"));
        assert_ne!(v("1.0.0-rc.1"), v("1.0.0"));
        let set: HashSet<Version> = [v("1.0.0+a"), v("1.0.0+b"), v("1.0.0")].into();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn keeps_build_metadata_in_its_text() {
        assert_eq!(v("1.0.0+build.1").to_string(), "1.0.0+build.1");
        let json = serde_json::to_string(&v("2.0.0-rc.1+b")).unwrap();
        assert_eq!(json, "\"2.0.0-rc.1+b\"");
        assert_eq!(
            serde_json::from_str::<Version>(&json).unwrap().to_string(),
            "2.0.0-rc.1+b"
        );
        assert!(serde_json::from_str::<Version>("\"1.0\"").is_err());
    }

    #[test]
    fn rejects_what_is_not_semver() {
        for bad in [
            "", "1", "1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0 ", "latest",
        ] {
            assert_eq!(Version::parse(bad), Err(InvalidVersion), "{bad:?}");
        }
        let longest = format!("1.0.0-{}", "a".repeat(Version::MAX_LEN - 6));
        assert!(Version::parse(&longest).is_ok());
        assert_eq!(Version::parse(&format!("{longest}a")), Err(InvalidVersion));
    }
}
