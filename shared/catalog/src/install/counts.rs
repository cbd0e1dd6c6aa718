//! The counters an install moves: `install_count`, `active_installs`, `workspace_count`, and the trending
//! order (installs from distinct workspaces in the last [`TRENDING_DAYS`] days, UTC, kept in per-day buckets
//! by V8 so that no request scans install history).
//!
//! Every install of a listing moves these, so they are never written by the install's transaction (a row
//! every install writes would be held by each for all its round trips). The transaction records a pending
//! row per listing it cloned (install/records.rs); right after commit, [`fold_counts`] folds every pending row
//! of those listings into the counters with one statement (V17's `marketplace_fold_counts`), which holds the
//! listing's row, its `marketplace_counts` row and its buckets only while it runs. A fold takes the pending
//! rows no other fold is taking, so an install whose rows a running fold took answers without waiting.
//!
//! Trending: each (listing, workspace) pair remembers the day of the workspace's latest install, and each
//! bucket (listing, day) counts the workspaces whose latest install fell on that day; the listing's
//! `trending_installs` is the sum of its buckets in the window. An install moves its workspace into today's
//! bucket (a workspace installing 1,000 times counts once). Buckets that fall out of the window are subtracted
//! from their listing and deleted a few at a time by later folds: aging rewrites only the listings installed 7
//! days ago, never the whole table.

use tokio_postgres::Client;

use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::statement::Statement;

/// How many days an install counts for trending, today included (also written in V17's trigger).
pub const TRENDING_DAYS: i32 = 7;

/// How many expired buckets one fold ages. Every bucket was made by at least one install, and every install
/// folds, so aging more than one per fold keeps up with any install rate.
const AGE_PER_FOLD: i32 = 8;

/// How many pending rows of other listings, left behind by requests that died between their commit and their
/// fold, one fold takes along once they are a few seconds old.
const STALE_PER_FOLD: i32 = 16;

/// Folds the pending counts of `listings` (and a few stale ones of others) into their counters, after the
/// transaction that recorded them committed: one statement, its own transaction. A deadlock or serialization
/// failure runs it again. When it still fails the install stands and answers as made: its pending rows wait
/// for the next fold of the listing, which takes every pending row of it.
pub(crate) async fn fold_counts(client: &Client, listings: &[i64]) {
    let mut attempt = 1;
    loop {
        let folded = Statement::new("SELECT marketplace_fold_counts($1, $2, $3, $4)")
            .bind(listings.to_vec())
            .bind(STALE_PER_FOLD)
            .bind(TRENDING_DAYS)
            .bind(AGE_PER_FOLD)
            .execute(client)
            .await
            .map_err(CatalogError::from);
        match folded {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            Err(error) => {
                tracing::warn!(%error, ?listings, "counts left pending for the next fold");
                return;
            }
            Ok(_) => return,
        }
    }
}
