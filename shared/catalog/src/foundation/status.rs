//! The words stored in `item_versions.status`, `admin_actions.action` and a revocation's severity.

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

/// Where a submitted version stands, as its publisher sees it: its review status, or withdrawn by the
/// publisher before review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubmissionStatus {
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

/// How bad a revoked version is, least to most.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The SQL expression ranking severity column `column`, most severe lowest (for `ORDER BY ... ASC`).
    pub(crate) fn rank_sql(column: &str) -> String {
        format!(
            "CASE {column} WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END"
        )
    }
}

/// What an admin did to a listing, as `admin_actions` records it (a yank: whoever yanked, admin or
/// publisher).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdminAction {
    Approve,
    Reject,
    Feature,
    Unfeature,
    Delist,
    Official,
    Unofficial,
    Revoke,
    Yank,
    Unyank,
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

words!(SubmissionStatus, "pending, approved, rejected, withdrawn", {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
    Withdrawn => "withdrawn",
});

words!(Severity, "low, medium, high, critical", {
    Low => "low",
    Medium => "medium",
    High => "high",
    Critical => "critical",
});

words!(AdminAction, "approve, reject, feature, unfeature, delist, official, unofficial, revoke, yank, unyank", {
    Approve => "approve",
    Reject => "reject",
    Feature => "feature",
    Unfeature => "unfeature",
    Delist => "delist",
    Official => "official",
    Unofficial => "unofficial",
    Revoke => "revoke",
    Yank => "yank",
    Unyank => "unyank",
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
        for status in SubmissionStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(*status));
        }
        for severity in Severity::ALL {
            assert_eq!(severity.as_str().parse(), Ok(*severity));
        }
        assert!(Severity::Critical > Severity::High && Severity::Medium > Severity::Low);
        assert!("severe".parse::<Severity>().is_err());
        assert!("Pending".parse::<ReviewStatus>().is_err());
        assert!("publish".parse::<AdminAction>().is_err());
    }
}
