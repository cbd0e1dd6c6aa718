//! What an install holds while it runs: the lanes of its plan's listings in its workspace, in the one lock
//! order every write follows (docs/architecture.md, "Lock order"): by [`ItemKind::lock_rank`], then id. A
//! lane is a (listing, workspace) row of `marketplace_install_workspaces` (V17); installs of one listing into
//! different workspaces never meet on it.

use std::collections::HashSet;

use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;
use crate::install::planned::Node;

/// What [`lock_lanes`] holds and read.
pub(crate) struct Held {
    /// The listings this install is the workspace's first of.
    pub(crate) first: HashSet<i64>,
    /// Install record ids drawn for the install.
    pub(crate) install_ids: Vec<i64>,
    /// The workspace's copy of each listing locked, in the order given, read once they were locked.
    pub(crate) copies: Vec<Option<i64>>,
}

/// Locks the lanes of `listings` (`(kind, listing id, cloned)`, in lock order already) in `workspace`: a
/// cloned listing's lane is made if it is the workspace's first install of it, a reused one's is locked where
/// it exists (an uninstall that could delete the copy holds it). Installs and uninstalls touching the same
/// listings in the same workspace then queue on their first common lane. In the same statement (V25), draws
/// `records` install record ids and reads the workspace's copy of each listing under those locks.
pub(crate) async fn lock_lanes(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    listings: &[(ItemKind, i64, bool)],
    records: usize,
) -> Result<Held, CatalogError> {
    if listings.is_empty() {
        return Ok(Held {
            first: HashSet::new(),
            install_ids: Vec::new(),
            copies: Vec::new(),
        });
    }
    let kinds: Vec<String> = listings.iter().map(|(kind, ..)| kind.to_string()).collect();
    let ids: Vec<i64> = listings.iter().map(|(_, id, _)| *id).collect();
    let cloned: Vec<bool> = listings.iter().map(|(.., cloned)| *cloned).collect();
    // A function: a sequence function in the statement itself would pin the proxy session.
    let row =
        Statement::new("SELECT first, ids, copies FROM marketplace_lock_plan($1, $2, $3, $4, $5)")
            .bind(workspace)
            .bind(kinds)
            .bind(ids)
            .bind(cloned)
            .bind(records as i32)
            .query_one(tx)
            .await?;
    let first: Vec<i64> = row.read("first")?;
    Ok(Held {
        first: first.into_iter().collect(),
        install_ids: row.read("ids")?,
        copies: row.read::<Vec<Option<i64>>>("copies")?,
    })
}

/// `nodes` in the lock order: by [`ItemKind::lock_rank`], then id.
///
/// [`ItemKind::lock_rank`]: crate::foundation::kind::ItemKind::lock_rank
pub(crate) fn in_lock_order<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<&'a Node> {
    let mut ordered: Vec<&Node> = nodes.collect();
    ordered.sort_by_key(|node| (node.kind.lock_rank(), node.listing_id));
    ordered
}
