//! What an install holds while it runs: the lanes of its plan's listings in its workspace, in the one lock
//! order every write follows (docs/architecture.md, "Lock order"): by [`ItemKind::lock_rank`], then id. A
//! lane is a (listing, workspace) row of `marketplace_install_workspaces` (V17); installs of one listing into
//! different workspaces never meet on it.

use std::collections::HashSet;

use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;
use crate::install::planned::Node;

/// Locks the lanes of `listings` (`(listing id, cloned)`, in lock order already) in `workspace`: a cloned
/// listing's lane is made if it is the workspace's first install of it, a reused one's is locked where it
/// exists (an uninstall that could delete the copy holds it). Installs and uninstalls touching the same
/// listings in the same workspace then queue on their first common lane. Returns the listings this install
/// is the workspace's first of, and `records` install record ids drawn in the same statement.
pub(crate) async fn lock_lanes(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    listings: &[(i64, bool)],
    records: usize,
) -> Result<(HashSet<i64>, Vec<i64>), CatalogError> {
    if listings.is_empty() {
        return Ok((HashSet::new(), Vec::new()));
    }
    let (listings, cloned): (Vec<i64>, Vec<bool>) = listings.iter().copied().unzip();
    // Ids through a function: a sequence function in the statement itself would pin the proxy session.
    let row = Statement::new(
        "SELECT ARRAY(SELECT id FROM marketplace_lock_lanes($1, $2, $3) AS l(id)) AS first,
                ARRAY(SELECT id FROM marketplace_reserve_install_ids($4) WITH ORDINALITY AS r(id, n)
                      ORDER BY n) AS ids",
    )
    .bind(workspace)
    .bind(listings)
    .bind(cloned)
    .bind(records as i32)
    .query_one(tx)
    .await?;
    let first: Vec<i64> = row.read("first")?;
    Ok((first.into_iter().collect(), row.read("ids")?))
}

/// `nodes` in the lock order: by [`ItemKind::lock_rank`], then id.
///
/// [`ItemKind::lock_rank`]: crate::foundation::kind::ItemKind::lock_rank
pub(crate) fn in_lock_order<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<&'a Node> {
    let mut ordered: Vec<&Node> = nodes.collect();
    ordered.sort_by_key(|node| (node.kind.lock_rank(), node.listing_id));
    ordered
}
