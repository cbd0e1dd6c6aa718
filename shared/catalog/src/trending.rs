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

use crate::column::ReadColumn;
use crate::kind::union_all;
use crate::listing::{list_items, ListQuery};
use crate::sort::Sort;
use crate::statement::Statement;
use crate::{Audience, CatalogError, ItemKind, ItemSummary, WorkspaceId};

/// How many days an install counts for trending, today included.
pub const TRENDING_DAYS: i32 = 7;

/// How many expired buckets one install ages. Every bucket was made by at least one install, so aging more
/// than one per install keeps up with any install rate.
const AGE_PER_INSTALL: i64 = 8;

/// Today, in UTC, as the buckets count days.
const TODAY: &str = "(now() AT TIME ZONE 'UTC')::date";

/// Counts an install of listing `item_id` from `workspace` for trending, and ages a few expired buckets.
/// Runs inside the install's transaction, after the listing's row is locked (installs of one listing then
/// queue, so its workspace row and buckets have one writer at a time).
pub async fn record_install(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    let window_start = format!("{TODAY} - {}", TRENDING_DAYS - 1);
    // The workspace's previous latest day, and today's: NULL previous for a first install.
    let row = Statement::new(format!(
        "WITH previous AS (
             SELECT last_day FROM trending_workspaces WHERE item_id = $1 AND workspace_id = $2 FOR UPDATE
         ),
         latest AS (
             INSERT INTO trending_workspaces AS w (item_id, workspace_id, last_day) VALUES ($1, $2, {TODAY})
             ON CONFLICT (item_id, workspace_id) DO UPDATE SET last_day = excluded.last_day
                 WHERE w.last_day < excluded.last_day
             RETURNING last_day
         )
         SELECT (SELECT last_day::text FROM previous) AS previous_day,
                (SELECT last_day FROM latest) IS NOT NULL AS moved,
                (SELECT last_day FROM previous) >= {window_start} AS previous_in_window"
    ))
    .bind(item_id)
    .bind(workspace)
    .query_one(tx)
    .await?;
    if row.read::<bool>("moved")? {
        let left_bucket = match row.read::<Option<bool>>("previous_in_window")? {
            Some(true) => leave_bucket(tx, item_id, &row).await?,
            _ => false,
        };
        Statement::new(format!(
            "INSERT INTO trending_days AS d (item_id, item_kind, day, workspaces) VALUES ($1, $2, {TODAY}, 1)
             ON CONFLICT (item_id, day) DO UPDATE SET workspaces = d.workspaces + 1"
        ))
        .bind(item_id)
        .bind(kind)
        .execute(tx)
        .await?;
        if !left_bucket {
            Statement::new(format!(
                "UPDATE {table} SET trending_installs = trending_installs + 1 WHERE id = $1",
                table = kind.table()
            ))
            .bind(item_id)
            .execute(tx)
            .await?;
        }
    }
    age_expired_buckets(tx).await
}

/// Takes the workspace out of the bucket of its previous latest day; false when that bucket was aged out
/// meanwhile (it no longer counts towards the listing, so neither does the workspace).
async fn leave_bucket(
    tx: &Transaction<'_>,
    item_id: i64,
    previous: &tokio_postgres::Row,
) -> Result<bool, CatalogError> {
    let day: String = previous.read("previous_day")?;
    let left = Statement::new(
        "UPDATE trending_days SET workspaces = workspaces - 1 WHERE item_id = $1 AND day = $2::date",
    )
    .bind(item_id)
    .bind(day)
    .execute(tx)
    .await?;
    Ok(left > 0)
}

/// Subtracts a few buckets that fell out of the window from their listings and deletes them. Buckets and
/// listings locked by other transactions are skipped (a later install ages them), so aging never waits
/// and never deadlocks with installs.
async fn age_expired_buckets(tx: &Transaction<'_>) -> Result<(), CatalogError> {
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
    .bind(AGE_PER_INSTALL)
    .query_one(tx)
    .await?;
    Ok(())
}

/// The top trending listings of every kind (approved, listed), ties by all-time popularity.
pub async fn trending_items(
    db: &impl tokio_postgres::GenericClient,
    limit: i64,
) -> Result<Vec<ItemSummary>, CatalogError> {
    let query = ListQuery {
        sort: Sort::Trending,
        limit,
        ..ListQuery::default()
    };
    Ok(list_items(db, Audience::Member, &query).await?.items)
}
