//! The marketplace domain. Every SQL statement about items lives here; nothing here knows HTTP.
//!
//! Marketplace and workspace items share one table per kind (the ownership pattern); the queries in this
//! crate are the only place that tells them apart.

pub mod accounts;
mod column;
pub mod demo;
mod detail;
mod error;
mod install;
mod item;
mod kind;
pub mod limits;
mod listing;
pub mod llm_catalog;
mod locate;
mod moderation;
mod publishing;
mod redact;
mod statement;
mod stats;
mod status;
mod updates;
mod version;
mod versions;
mod visibility;
mod workspace;

pub use detail::{item_detail, Dependencies, ItemDetail};
pub use error::CatalogError;
pub use install::{
    install_item, InstallOutcome, InstallRequest, InstallResponse, ItemRef, SetupStep,
};
pub use item::{Creator, ItemSummary};
pub use kind::ItemKind;
pub use listing::{featured_items, list_items, ListQuery, Page, Sort};
pub use moderation::{
    approve, delist, reject, review_queue, set_featured, Featured, QueueEntry, QueuePage, Reviewed,
};
pub use publishing::{publish_version, submit_item, NewVersion, Pending, RateLimit, Submission};
pub use redact::{is_secret_key, redact_secrets, REDACTED};
pub use stats::{categories, stats, CategoryCount, Stats};
pub use status::ReviewStatus;
pub use updates::{
    apply_update, available_updates, AppliedUpdate, AvailableUpdate, ChangelogEntry,
};
pub use version::Version;
pub use versions::{item_versions, PublishedVersion};
pub use visibility::Viewer;
pub use workspace::{WorkspaceId, WorkspaceRole};

/// The statements behind each read route, for the benchmark's SQL floor (the domain runs the same ones).
/// Not an API: the benchmark's window into the catalog.
#[doc(hidden)]
pub mod statements {
    pub use crate::accounts::{user_by_subject_statement, workspace_role_statement};
    pub use crate::detail::{dependencies_statement, detail_statement};
    pub use crate::item::agent_enrichment_statement;
    pub use crate::listing::listing_statement;
    pub use crate::locate::visible_kind_statement;
    pub use crate::statement::Statement;
    pub use crate::stats::{categories_statement, stats_statement};
    pub use crate::updates::{changelogs_statement, installs_statement};
    pub use crate::versions::approved_versions_statement;
}

pub use limits::{MAX_OFFSET, MAX_PAGE_SIZE};
