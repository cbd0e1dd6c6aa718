//! What a member reads: the listing and its search, sorts and cursors, one item in full, its versions, the
//! featured and trending lists, the catalog's figures, and the public moderation log.
//!
//! May use: `foundation`.

pub(crate) mod detail;
pub(crate) mod featured;
pub(crate) mod listing;
pub(crate) mod moderation_log;
pub(crate) mod published_versions;
pub(crate) mod search;
pub(crate) mod sort;
pub(crate) mod stats;
