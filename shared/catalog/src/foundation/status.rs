//! The words stored in `item_versions.status` and `admin_actions.action`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::foundation::text_column::text_column;

/// Where a version stands in review. The admin queue shows one status at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    /// Waiting for review, oldest first.
    #[default]
    Pending,
    /// Reviewed, most recent first.
    Approved,
    Rejected,
}

/// What an admin did to a listing, as `admin_actions` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdminAction {
    Approve,
    Reject,
    Feature,
    Unfeature,
    Delist,
    Official,
    Unofficial,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of {0}")]
pub struct UnknownWord(&'static str);

/// `as_str`, `ALL`, `FromStr` and `Display` for an enum stored as one word.
macro_rules! words {
    ($ty:ty, $expected:literal, { $($variant:ident => $word:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(<$ty>::$variant => $word),*
                }
            }
        }

        impl FromStr for $ty {
            type Err = UnknownWord;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|word| word.as_str() == value)
                    .ok_or(UnknownWord($expected))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        text_column!($ty, |word| word.as_str());
    };
}

words!(ReviewStatus, "pending, approved, rejected", {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
});

words!(AdminAction, "approve, reject, feature, unfeature, delist, official, unofficial", {
    Approve => "approve",
    Reject => "reject",
    Feature => "feature",
    Unfeature => "unfeature",
    Delist => "delist",
    Official => "official",
    Unofficial => "unofficial",
});

impl ReviewStatus {
    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back() {
        for status in ReviewStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(*status));
        }
        for action in AdminAction::ALL {
            assert_eq!(action.as_str().parse(), Ok(*action));
        }
        assert!("Pending".parse::<ReviewStatus>().is_err());
        assert!("publish".parse::<AdminAction>().is_err());
    }
}
