//! What publishers and admins do to the catalog: submissions and new versions with the checks they go
//! through, a workspace's list of its submissions, the review queue, approve, reject, feature, delist and
//! mark official, withdraw, yank and revoke, the bundled LLM catalog, and repairs of stored content.
//!
//! May use: `foundation`.

pub(crate) mod checks;
pub mod llm_catalog;
pub(crate) mod lookalike;
pub(crate) mod moderation;
pub(crate) mod pending_version;
pub(crate) mod pull_back;
pub(crate) mod refusals;
pub(crate) mod repair;
pub(crate) mod review_queue;
pub(crate) mod submission;
pub(crate) mod submissions;
