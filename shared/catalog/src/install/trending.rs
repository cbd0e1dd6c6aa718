//! The trending order: installs from distinct workspaces in the last 7 days (UTC), kept in per-day buckets
//! (V8) as installs happen, so no request ever scans install history.
//!
//! Each (listing, workspace) pair remembers the day of the workspace's latest install, and each bucket
//! (listing, day) counts the workspaces whose latest install fell on that day; the listing's
//! `trending_installs` is the sum of its buckets in the window. An install moves its workspace into today's
//! bucket (a workspace installing 1,000 times counts once). Buckets that fall out of the window are
//! subtracted from their listing and deleted a few at a time by later installs: aging rewrites only the
//! listings installed 7 days ago, never the whole table.

use tokio_postgres::Transaction;

use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;

/// How many days an install counts for trending, today included.
pub const TRENDING_DAYS: i32 = 7;

/// How many expired buckets one install ages. Every bucket was made by at least one install, so aging more
/// than one per install keeps up with any install rate.
const AGE_PER_INSTALL: i64 = 8;

/// Today, in UTC, as the buckets count days.
const TODAY: &str = "(now() AT TIME ZONE 'UTC')::date";

/// Counts installs of `listings` (`(kind, id)`, each once) from `workspace` for trending, and ages a few
/// expired buckets for each. Runs inside the install's transaction, after the listings' rows are locked
/// (installs of one listing then queue, so its workspace row and buckets have one writer at a time). Two
/// statements, however many listings.
pub async fn record_installs(
    tx: &Transaction<'_>,
    listings: &[(ItemKind, i64)],
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    if listings.is_empty() {
        return Ok(());
    }
    let window_start = format!("{TODAY} - {}", TRENDING_DAYS - 1);
    let kinds: Vec<ItemKind> = ItemKind::ALL
        .into_iter()
        .filter(|kind| listings.iter().any(|(listed, _)| listed == kind))
        .collect();
    // A workspace new to a listing's window adds one to the listing; one that moves from a bucket still in
    // the window does not (it already counts).
    let count_new = kinds
        .iter()
        .map(|kind| {
            format!(
                "counted_{kind} AS (
                     UPDATE {table} t SET trending_installs = t.trending_installs + 1
                     FROM moved m
                     WHERE t.id = m.item_id AND m.item_kind = '{kind}'
                       AND m.item_id NOT IN (SELECT item_id FROM left_bucket))",
                table = kind.table()
            )
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let (kinds, ids): (Vec<String>, Vec<i64>) = listings
        .iter()
        .map(|(kind, id)| (kind.as_str().to_owned(), *id))
        .unzip();
    // `latest`: each workspace row moved to today (inserted, or updated from an earlier day) with the day it
    // held before, which the statement's own snapshot still sees; a row already on today does not move.
    // `left_bucket`: the workspace leaves the bucket of that earlier day if it is in the window and was not
    // aged out meanwhile (then the workspace no longer counts towards the listing either).
    Statement::new(format!(
        "WITH installed AS (
             SELECT * FROM unnest($1::text[], $2::bigint[]) AS i(item_kind, item_id)
         ),
         latest AS (
             INSERT INTO trending_workspaces AS w (item_id, workspace_id, last_day)
             SELECT item_id, $3, {TODAY} FROM installed
             ON CONFLICT (item_id, workspace_id) DO UPDATE SET last_day = excluded.last_day
                 WHERE w.last_day < excluded.last_day
             RETURNING w.item_id,
                       (SELECT p.last_day FROM trending_workspaces p
                        WHERE p.item_id = w.item_id AND p.workspace_id = w.workspace_id) AS previous_day
         ),
         moved AS (
             SELECT i.item_id, i.item_kind, l.previous_day FROM installed i JOIN latest l USING (item_id)
         ),
         left_bucket AS (
             UPDATE trending_days d SET workspaces = d.workspaces - 1
             FROM moved m
             WHERE d.item_id = m.item_id AND d.day = m.previous_day AND m.previous_day >= {window_start}
             RETURNING d.item_id
         ),
         joined_bucket AS (
             INSERT INTO trending_days AS d (item_id, item_kind, day, workspaces)
             SELECT item_id, item_kind, {TODAY}, 1 FROM moved
             ON CONFLICT (item_id, day) DO UPDATE SET workspaces = d.workspaces + 1
         ),
         {count_new}
         SELECT 1"
    ))
    .bind(kinds)
    .bind(ids)
    .bind(workspace)
    .execute(tx)
    .await?;
    age_expired_buckets(tx, AGE_PER_INSTALL * listings.len() as i64).await
}

/// Subtracts up to `buckets` buckets that fell out of the window from their listings and deletes them.
/// Buckets and listings locked by other transactions are skipped (a later install ages them), so aging never
/// waits and never deadlocks with installs.
async fn age_expired_buckets(tx: &Transaction<'_>, buckets: i64) -> Result<(), CatalogError> {
    let expired = format!("{TODAY} - {}", TRENDING_DAYS - 1);
    // A locking SELECT cannot be an arm of a UNION: one CTE per kind, their ids joined afterwards.
    let lock_listings = ItemKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "locked_{kind} AS (
                     SELECT t.id FROM {table} t JOIN candidates c ON c.item_id = t.id AND c.item_kind = '{kind}'
                     FOR NO KEY UPDATE OF t SKIP LOCKED)",
                table = kind.table()
            )
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let locked = union_all(&ItemKind::ALL, |kind| {
        format!("SELECT id FROM locked_{kind}")
    });
    let subtract = ItemKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "aged_{kind} AS (
                     UPDATE {table} t SET trending_installs = t.trending_installs - a.workspaces
                     FROM (SELECT item_id, sum(workspaces)::integer AS workspaces FROM aged
                           WHERE item_kind = '{kind}' GROUP BY item_id) a
                     WHERE t.id = a.item_id
                     RETURNING t.id)",
                table = kind.table()
            )
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let returned = ItemKind::ALL
        .iter()
        .map(|kind| format!("(SELECT count(*) FROM aged_{kind})"))
        .collect::<Vec<_>>()
        .join(" + ");
    Statement::new(format!(
        "WITH candidates AS (
             SELECT item_id, item_kind::text AS item_kind, day FROM trending_days WHERE day < {expired}
             ORDER BY day, item_id LIMIT $1 FOR UPDATE SKIP LOCKED
         ),
         {lock_listings},
         aged AS (
             DELETE FROM trending_days d USING candidates c
             WHERE d.item_id = c.item_id AND d.day = c.day AND c.item_id IN ({locked})
             RETURNING d.item_id, d.item_kind::text AS item_kind, d.workspaces
         ),
         {subtract}
         SELECT {returned} AS listings_aged"
    ))
    .bind(buckets)
    .query_one(tx)
    .await?;
    Ok(())
}
