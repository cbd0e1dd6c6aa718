//! Uninstalling: the workspace copy deleted, the install record marked, and — when asked — the dependencies
//! installed or reused with it that no other live install relies on. One transaction, taking its locks in
//! the lock order every write follows (docs/architecture.md, "Lock order"): the copies it deletes, then their
//! lanes (install/locks.rs), then the install records.

use tokio_postgres::{Client, Transaction};

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;
use crate::install::locks::lock_lanes;
use crate::install::planned::MAX_DEPENDENCY_DEPTH;

/// An install to undo.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    id: i64,
    kind: ItemKind,
    listing_id: i64,
    copy_id: i64,
}

/// Uninstalls `install_id` of `workspace`. An install already uninstalled answers the same (nothing to
/// do); another workspace's install is not found. The copy's deletion takes it out of its listing's
/// `active_installs` (the trigger of V9, V17 does that, for the service and for anyone deleting a copy). A
/// transaction that lost a race (what it read changed before it held its locks, or a deadlock) runs again.
pub async fn uninstall(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    with_dependencies: bool,
) -> Result<(), CatalogError> {
    let mut attempt = 1;
    loop {
        match uninstall_once(client, workspace, install_id, with_dependencies).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

async fn uninstall_once(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    with_dependencies: bool,
) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    // What to undo, read without locks; then the copies and lanes locked in lock order; then the same read
    // again with the install records locked, which must find what the first did.
    let read = targets(&tx, workspace, install_id, with_dependencies, false).await?;
    if read.is_empty() {
        tx.commit().await?;
        return Ok(());
    }
    lock_copies(&tx, workspace, &read).await?;
    let lanes: Vec<(ItemKind, i64, bool)> = read
        .iter()
        .map(|target| (target.kind, target.listing_id, false))
        .collect();
    lock_lanes(&tx, workspace, &lanes, 0).await?;
    let targets = targets(&tx, workspace, install_id, with_dependencies, true).await?;
    if targets != read {
        return Err(CatalogError::Retry);
    }
    for target in &targets {
        Statement::new(format!(
            "DELETE FROM {table} WHERE id = $1 AND workspace_id = $2",
            table = target.kind.table()
        ))
        .bind(target.copy_id)
        .bind(workspace)
        .execute(&tx)
        .await?;
    }
    Statement::new("UPDATE marketplace_installs SET uninstalled_at = now() WHERE id = ANY($1)")
        .bind(targets.iter().map(|target| target.id).collect::<Vec<_>>())
        .execute(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The install and, `with_dependencies`, the dependencies it leaves unused, in lock order (so that their
/// copies are deleted, and their listings' counters updated by the trigger, in that order); empty when the
/// install is already uninstalled. `lock`: the install records are locked.
async fn targets(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install_id: i64,
    with_dependencies: bool,
    lock: bool,
) -> Result<Vec<Target>, CatalogError> {
    let for_update = if lock { "FOR UPDATE" } else { "" };
    let row = Statement::new(format!(
        "SELECT id, item_kind::text AS item_kind, item_id, installed_item_id,
                uninstalled_at IS NOT NULL AS uninstalled
         FROM marketplace_installs WHERE id = $1 AND workspace_id = $2 {for_update}"
    ))
    .bind(install_id)
    .bind(workspace)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("install"))?;
    if row.read("uninstalled")? {
        return Ok(Vec::new());
    }
    let mut targets = vec![Target::from_row(&row)?];
    if with_dependencies {
        let mut level = vec![install_id];
        for _ in 0..MAX_DEPENDENCY_DEPTH {
            let leaving: Vec<i64> = targets.iter().map(|target| target.id).collect();
            let found = unused_dependencies(tx, workspace, level, leaving, for_update).await?;
            if found.is_empty() {
                break;
            }
            level = found.iter().map(|target| target.id).collect();
            targets.extend(found);
        }
    }
    targets.sort_by_key(|target| (target.kind.lock_rank(), target.listing_id, target.id));
    Ok(targets)
}

impl Target {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            kind: row.read("item_kind")?,
            listing_id: row.read("item_id")?,
            copy_id: row.read("installed_item_id")?,
        })
    }
}

/// Locks the workspace copies of `targets` (in lock order already), one statement per kind: a copy is locked
/// before its listing, as a copy deleted outside the service locks it (the V9 trigger updates the listing's
/// counters after the row is deleted).
async fn lock_copies(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    targets: &[Target],
) -> Result<(), CatalogError> {
    for run in targets.chunk_by(|a, b| a.kind == b.kind) {
        Statement::new(format!(
            "SELECT 1 FROM {table} c WHERE c.id = ANY($1) AND c.workspace_id = $2 ORDER BY c.id FOR UPDATE",
            table = run[0].kind.table()
        ))
        .bind(run.iter().map(|target| target.copy_id).collect::<Vec<_>>())
        .bind(workspace)
        .execute(tx)
        .await?;
    }
    Ok(())
}

/// The live installs that one of `users` relies on (brought as a dependency or reused: both are edges of
/// `marketplace_install_dependencies`) and that no live install outside `leaving` relies on. A dependency
/// install thus ends with the last install that brought or reused it.
async fn unused_dependencies(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    users: Vec<i64>,
    leaving: Vec<i64>,
    lock: &str,
) -> Result<Vec<Target>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT d.id, d.item_kind::text AS item_kind, d.item_id, d.installed_item_id
         FROM marketplace_installs d
         WHERE d.id IN (SELECT e.dependency_id FROM marketplace_install_dependencies e
                        WHERE e.install_id = ANY($1))
           AND d.workspace_id = $2 AND d.uninstalled_at IS NULL
           AND NOT d.id = ANY($3)
           AND NOT EXISTS (
               SELECT 1 FROM marketplace_install_dependencies e
               JOIN marketplace_installs u ON u.id = e.install_id
               WHERE e.dependency_id = d.id AND u.uninstalled_at IS NULL AND NOT u.id = ANY($3))
         ORDER BY d.id
         {lock}"
    ))
    .bind(users)
    .bind(workspace)
    .bind(leaving)
    .query(tx)
    .await?;
    rows.iter().map(Target::from_row).collect()
}
