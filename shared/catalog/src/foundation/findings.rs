//! What the checks at submit found in a version: each finding names its rule, whether it refuses the
//! submission, where it is and what it is, never the text it matched.

use serde::{Deserialize, Serialize};

/// Whether a finding refuses the submission or only informs the publisher and the reviewing admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    Blocking,
    Warning,
}

/// One finding, as stored with the version and shown to its publisher and the admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub severity: FindingSeverity,
    /// `name`, `description`, `changelog`, or the path into the content (`configuration.system_prompt`).
    pub field: String,
    pub message: String,
}

impl Finding {
    pub fn new(
        rule: &str,
        severity: FindingSeverity,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule: rule.to_owned(),
            severity,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn is_blocking(&self) -> bool {
        self.severity == FindingSeverity::Blocking
    }
}
