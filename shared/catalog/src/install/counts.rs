//! The counters an install moves: `install_count`, `active_installs`, `workspace_count`, and the trending
//! order (installs from distinct workspaces in the last [`TRENDING_DAYS`] days, UTC, kept in per-day buckets
//! by V8 so that no request scans install history).
//!
//! Every install of a listing moves these, so they are never written by the install's transaction (a row
//! every install writes would be held by each for all its round trips). The transaction records a pending
//! row per listing it cloned ([`record_counts`]); right after commit, [`fold_counts`] folds every pending row
//! of those listings into the counters with one statement (V17's `marketplace_fold_counts`), which holds the
//! listing's row, its `marketplace_counts` row and its buckets only while it runs. Installs that queue behind
//! one fold find their rows folded by it.
//!
//! Trending: each (listing, workspace) pair remembers the day of the workspace's latest install, and each
//! bucket (listing, day) counts the workspaces whose latest install fell on that day; the listing's
//! `trending_installs` is the sum of its buckets in the window. An install moves its workspace into today's
//! bucket (a workspace installing 1,000 times counts once). Buckets that fall out of the window are subtracted
//! from their listing and deleted a few at a time by later folds: aging rewrites only the listings installed 7
//! days ago, never the whole table.

use std::collections::HashSet;

use tokio_postgres::{Client, Transaction};

use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;

/// How many days an install counts for trending, today included (also written in V17's trigger).
pub const TRENDING_DAYS: i32 = 7;

/// How many expired buckets one fold ages. Every bucket was made by at least one install, and every install
/// folds, so aging more than one per fold keeps up with any install rate.
const AGE_PER_FOLD: i32 = 8;

/// How many pending rows of other listings, left behind by requests that died between their commit and their
/// fold, one fold takes along once they are a few seconds old.
const STALE_PER_FOLD: i32 = 16;

/// Records, inside the install's transaction, the counts of the install of each of `listings` (`(kind, id)`,
/// the listings it cloned, each once) into `workspace`: a pending row each (one install, one active install,
/// one more workspace for those in `first`), and the move of the workspace into today's trending bucket. The
/// workspace's (listing, workspace) trending row is the only shared row written, and only installs holding
/// that listing's lane in that workspace write it. One statement.
pub(crate) async fn record_counts(
    tx: &Transaction<'_>,
    listings: &[(ItemKind, i64)],
    first: &HashSet<i64>,
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    let (kinds, (ids, firsts)): (Vec<String>, (Vec<i64>, Vec<bool>)) = listings
        .iter()
        .map(|(kind, id)| (kind.as_str().to_owned(), (*id, first.contains(id))))
        .unzip();
    // `latest`: each workspace row moved to today (inserted, or updated from an earlier day) with the day it
    // held before, which the statement's own snapshot still sees; a row already on today does not move.
    Statement::new(
        "WITH installed AS (
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS i(item_kind, item_id, first)
         ),
         latest AS (
             INSERT INTO trending_workspaces AS w (item_id, workspace_id, last_day)
             SELECT item_id, $4, (now() AT TIME ZONE 'UTC')::date FROM installed
             ON CONFLICT (item_id, workspace_id) DO UPDATE SET last_day = excluded.last_day
                 WHERE w.last_day < excluded.last_day
             RETURNING w.item_id, w.last_day,
                       (SELECT p.last_day FROM trending_workspaces p
                        WHERE p.item_id = w.item_id AND p.workspace_id = w.workspace_id) AS previous_day
         ),
         installing AS (
             INSERT INTO marketplace_installing_workspaces (workspace_id) VALUES ($4) ON CONFLICT DO NOTHING
         )
         INSERT INTO marketplace_pending_counts (item_id, item_kind, installs, active, workspaces, trending_from,
                                                 trending_to)
         SELECT i.item_id, i.item_kind::item_kind, 1, 1, i.first::integer, l.previous_day, l.last_day
         FROM installed i LEFT JOIN latest l USING (item_id)",
    )
    .bind(kinds)
    .bind(ids)
    .bind(firsts)
    .bind(workspace)
    .execute(tx)
    .await?;
    Ok(())
}

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
