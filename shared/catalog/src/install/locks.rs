//! The listings an install locks, in the one lock order every write follows (docs/architecture.md, "Lock
//! order"): by [`ItemKind::lock_rank`], then id.

use std::collections::HashMap;

use tokio_postgres::Transaction;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::version::Version;
use crate::install::planned::{Node, Plan};

/// Locks the listing for this install and returns its version: installs of one item queue here instead of
/// racing each other for the same copy names.
pub(crate) async fn lock_listing(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
) -> Result<Version, CatalogError> {
    let listing = Statement::new(format!(
        "SELECT t.version::text AS version FROM {table} t
         WHERE t.id = $1 AND {listed} FOR NO KEY UPDATE",
        table = kind.table(),
        listed = Audience::Member.listed("t")
    ))
    .bind(item_id)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    listing.read("version")
}

/// Locks every dependency of the plan (cloned or reused), as [`lock_listing`] locks the item, in the one
/// lock order ([`ItemKind::lock_rank`], then id), before any copy is read under lock: installs and
/// uninstalls of overlapping plans then queue on their first common listing instead of waiting in a
/// circle. Returns their versions by listing id. A dependency delisted since the plan was read is a
/// conflict: the plan no longer holds.
pub(crate) async fn lock_dependencies(
    tx: &Transaction<'_>,
    plan: &Plan,
) -> Result<HashMap<i64, Version>, CatalogError> {
    let dependencies = in_lock_order(plan.nodes.iter().skip(1));
    let mut versions = HashMap::new();
    for run in dependencies.chunk_by(locked_together) {
        let rows = Statement::new(format!(
            "SELECT t.id, t.version::text AS version FROM {table} t
             WHERE t.id = ANY($1) AND {listed}
             ORDER BY t.id FOR NO KEY UPDATE",
            table = run[0].kind.table(),
            listed = Audience::Member.listed("t"),
        ))
        .bind(listing_ids(run))
        .query(tx)
        .await?;
        if rows.len() < run.len() {
            return Err(CatalogError::Conflict(
                "A dependency of this item changed during the install; retry it.".into(),
            ));
        }
        for row in &rows {
            versions.insert(row.read("id")?, row.read("version")?);
        }
    }
    Ok(versions)
}

/// `nodes` in the lock order: by [`ItemKind::lock_rank`], then id.
pub(crate) fn in_lock_order<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<&'a Node> {
    let mut ordered: Vec<&Node> = nodes.collect();
    ordered.sort_by_key(|node| (node.kind.lock_rank(), node.listing_id));
    ordered
}

/// Whether two listings next to each other in lock order are locked (and counted) by one statement: one
/// kind, so one table, in id order.
pub(crate) fn locked_together(a: &&Node, b: &&Node) -> bool {
    a.kind == b.kind
}

pub(crate) fn listing_ids(nodes: &[&Node]) -> Vec<i64> {
    nodes.iter().map(|node| node.listing_id).collect()
}
