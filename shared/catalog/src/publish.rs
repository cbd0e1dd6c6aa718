//! What publishers and admins do to the catalog: submissions and new versions, the review queue, approve,
//! reject, feature, delist and mark official, the bundled LLM catalog, and repairs of stored content.
//!
//! May use: `foundation`.

pub mod llm_catalog;
pub(crate) mod moderation;
pub(crate) mod pending_version;
pub(crate) mod repair;
pub(crate) mod review_queue;
pub(crate) mod submission;
