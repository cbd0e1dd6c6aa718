//! The marketplace domain. Every SQL statement about items lives here; nothing here knows HTTP.
//!
//! Marketplace and workspace items share one table per kind (the ownership pattern); the queries in this
//! crate are the only place that tells them apart.
//!
//! # Glossary
//!
//! Each word means one thing, here and in the crates above.
//!
//! - **item**: a row of one of the five kind tables, marketplace or workspace owned.
//! - **kind** ([`ItemKind`]): agent, recipe, skill, llm or tool; which table an item lives in. JSON calls it
//!   `type` (`item_type`). Nothing else is called a kind in Rust: what a review-queue entry asks for is a
//!   [`SubmissionKind`] (JSON `kind`, by contract).
//! - **listing**: a marketplace-owned item. *Listed*: not delisted (and, for members, approved); see
//!   [`Audience`].
//! - **workspace item**: a workspace-owned item; an **installed copy** is one cloned from a listing.
//! - **audience** ([`Audience`]): whose eyes a marketplace query serves: a *member* (any signed-in user) or
//!   a *marketplace admin* (`users.system_role = 'admin'`).
//! - **role** ([`WorkspaceRole`]): a member's standing in one workspace: owner, admin, editor or viewer. A
//!   workspace admin is not a marketplace admin; a workspace viewer is not an audience.
//! - **submit**: send something for review: a workspace item as a new listing ([`submit_item`]) or a new
//!   version of a listing ([`submit_version`], behind the `publish-version` route).
//! - **approve** / **reject**: an admin's review of what was submitted. Approving a version makes it live:
//!   the listing takes its content, and the version is *published* (`published_at`, [`PublishedVersion`]).
//!   "Publish" means nothing else.
//! - **review status** ([`ReviewStatus`]): pending, approved or rejected; a version's place in review.
//! - **version** ([`Version`]): a SemVer 2.0 version, ordered by precedence.
//! - **install** / **update**: cloning a listing into a workspace; bringing that copy to the listing's
//!   latest approved version.
//! - **user review** ([`UserReview`]): a member's 1–5 stars and optional text about a listing their
//!   workspace installed; a listing's **rating** ([`Rating`]) sums up its visible user reviews. Not to be
//!   confused with an admin's review of a submission (its *review status*).
//! - **trending**: installs of a listing from distinct workspaces in the last 7 days ([`trending_items`]; counted as installs happen).
//! - **dependency**, **install plan**, **uninstall**: an install brings its dependencies (a recipe's
//!   recommended agents, an agent's LLM), as its install plan says; uninstall deletes the copy and marks the
//!   install record.
//! - **statement** ([`statements::Statement`]): one SQL statement with its typed parameters; the only way
//!   this crate runs SQL.

mod browse;
mod catalogs;
mod foundation;
mod install;
mod publish;
mod reviews;

pub use browse::detail::{item_detail, Dependencies, ItemDetail};
pub use browse::featured::{featured_items, trending_items};
pub use browse::listing::{list_items, ListQuery, Page, Position};
pub use browse::moderation_log::{
    moderation_log, verify_moderation_log, ChainCheck, LogBook, LogCursor, LogEntry, LoggedListing,
    ModerationLog,
};
pub use browse::published_versions::{item_versions, PublishedVersion};
pub use browse::search::SEARCH_TOTAL_CAP;
pub use browse::sort::Sort;
pub use browse::stats::{categories, stats, CategoryCount, Stats};
pub use catalogs::{
    add_workspace, catalog_log, catalog_queue, create_catalog, list_catalogs, remove_workspace,
    require_moderator, Catalog, Standing, MAX_LISTED_CATALOGS,
};
pub use foundation::accounts;
pub use foundation::audience::Audience;
pub use foundation::caller_check::{CallerCheck, Checked};
pub use foundation::capabilities::{Capabilities, CapabilityChanges, Manifest, ModelUse};
pub use foundation::cursor::CursorError;
pub use foundation::error::CatalogError;
pub use foundation::findings::{Finding, FindingSeverity};
pub use foundation::item::{CatalogRef, Creator, ItemRef, ItemSummary, Rating, Visibility};
pub use foundation::kind::ItemKind;
pub use foundation::limits;
pub use foundation::limits::{MAX_OFFSET, MAX_PAGE_SIZE};
pub use foundation::pulled::{Advisory, Revocation, Yank};
pub use foundation::redact::{
    is_credential_key, is_secret_key, redact_fields, redact_secrets, REDACTED,
};
pub use foundation::statement::Sql;
pub use foundation::status::{ReviewStatus, Severity, SubmissionStatus};
pub use foundation::version::Version;
pub use foundation::window::RateLimit;
pub use foundation::workspace::{WorkspaceId, WorkspaceRole};
pub use install::advisories::{
    list_advisories, AdvisedListing, AdvisoriesPage, AdvisoryCursor, InstallAdvisory,
};
pub use install::cascade::install_item;
pub use install::installs::{
    list_installs, CopyRef, InstallCursor, InstallEntry, InstallList, InstalledListing,
    InstallsPage,
};
pub use install::outcome::{
    DependencyAction, InstallOutcome, InstallRequest, InstallResponse, Installation,
    InstalledDependency,
};
pub use install::plan::install_plan;
pub use install::planned::{InstallPlan, PlanStep, StepAction, MAX_DEPENDENCY_DEPTH};
pub use install::setup::SetupStep;
pub use install::uninstall::uninstall;
pub use install::updates::{
    apply_update, available_updates, AppliedUpdate, AvailableUpdate, ChangelogEntry, UpdatesPage,
};
pub use publish::llm_catalog;
pub use publish::lookalike::{fill_name_skeletons, name_skeleton};
pub use publish::moderation::{
    approve, delist, reject, set_featured, set_official, Featured, Official, Rejection, Reviewed,
};
pub use publish::pull_back::{
    revoke, set_yank, withdraw, Puller, RevokeRequest, Revoked, RevokedVersion, VersionState,
};
pub use publish::repair::{scrub_stored_credentials, ScrubReport};
pub use publish::review_queue::{
    review_queue, QueueEntry, QueuePage, QueuePosition, QueueQuery, SubmissionKind,
};
pub use publish::submission::{submit_item, submit_version, NewVersion, Pending, Submission};
pub use publish::submissions::{
    list_submissions, SubmissionCursor, SubmissionEntry, SubmissionsPage,
};
pub use reviews::{
    delete_review, list_reviews, post_review, refresh_rating_prior, set_review_hidden, NewReview,
    PostedReview, RatingPrior, RatingSummary, ReviewCursor, ReviewPage, ReviewQuery, ReviewSort,
    UserReview,
};

/// The statements behind each read route, for the benchmark's SQL floor (the domain runs the same ones).
/// Not an API: the benchmark's window into the catalog.
#[doc(hidden)]
pub mod statements {
    pub use crate::browse::detail::detail_statement;
    pub use crate::browse::listing::listing_statement;
    pub use crate::browse::listing::shapes::listing_shapes;
    pub use crate::browse::moderation_log::moderation_log_statement;
    pub use crate::browse::published_versions::versions_statement;
    pub use crate::browse::search::suggestions_statement;
    pub use crate::browse::stats::{categories_statement, stats_statement};
    pub use crate::foundation::accounts::{user_by_subject_statement, workspace_role_statement};
    pub use crate::foundation::locate::visible_kind_statement;
    pub use crate::foundation::statement::{Sql, Statement};
    pub use crate::install::advisories::advisories_statement;
    pub use crate::install::installs::installs_page_statement;
    pub use crate::install::updates::installs_statement;
    pub use crate::publish::submissions::submissions_statement;
    pub use crate::reviews::reviews_statement;
}
