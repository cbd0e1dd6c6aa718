//! Uninstalling: the workspace copy deleted, the install record marked, and — when asked — the dependencies
//! installed with it that nothing else in the workspace relies on. One transaction.

use tokio_postgres::{Client, Transaction};

use crate::column::ReadColumn;
use crate::plan::MAX_DEPENDENCY_DEPTH;
use crate::statement::Statement;
use crate::{CatalogError, ItemKind, WorkspaceId};

/// An install to undo.
struct Target {
    id: i64,
    kind: ItemKind,
    copy_id: i64,
}

/// Uninstalls `install_id` of `workspace`. An install already uninstalled answers the same (nothing to
/// do); another workspace's install is not found. The copy's deletion takes it out of its listing's
/// `active_installs` (the trigger of V9 does that, for the service and for anyone deleting a copy).
pub async fn uninstall(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    with_dependencies: bool,
) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    let row = Statement::new(
        "SELECT item_kind::text AS item_kind, installed_item_id, uninstalled_at IS NOT NULL AS uninstalled
         FROM marketplace_installs WHERE id = $1 AND workspace_id = $2 FOR UPDATE",
    )
    .bind(install_id)
    .bind(workspace)
    .query_opt(&tx)
    .await?
    .ok_or(CatalogError::NotFound("install"))?;
    if row.read("uninstalled")? {
        tx.commit().await?;
        return Ok(());
    }
    let mut targets = vec![Target {
        id: install_id,
        kind: row.read("item_kind")?,
        copy_id: row.read("installed_item_id")?,
    }];
    if with_dependencies {
        let mut level = vec![install_id];
        for _ in 0..MAX_DEPENDENCY_DEPTH {
            let ids: Vec<i64> = targets.iter().map(|target| target.id).collect();
            let found = unused_dependencies(&tx, workspace, level, ids).await?;
            if found.is_empty() {
                break;
            }
            level = found.iter().map(|target| target.id).collect();
            targets.extend(found);
        }
    }
    // Shallowest first (the item, then its agents, then their LLMs), as installs lock listings.
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

/// The live dependency installs made with one of `parents` that no live install outside `leaving` relies
/// on, locked.
async fn unused_dependencies(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    parents: Vec<i64>,
    leaving: Vec<i64>,
) -> Result<Vec<Target>, CatalogError> {
    let rows = Statement::new(
        "SELECT d.id, d.item_kind::text AS item_kind, d.installed_item_id
         FROM marketplace_installs d
         WHERE d.parent_install_id = ANY($1) AND d.workspace_id = $2 AND d.uninstalled_at IS NULL
           AND NOT d.id = ANY($3)
           AND NOT EXISTS (
               SELECT 1 FROM marketplace_install_dependencies e
               JOIN marketplace_installs u ON u.id = e.install_id
               WHERE e.dependency_id = d.id AND u.uninstalled_at IS NULL AND NOT u.id = ANY($3))
         ORDER BY d.id
         FOR UPDATE OF d",
    )
    .bind(parents)
    .bind(workspace)
    .bind(leaving)
    .query(tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Target {
                id: row.read("id")?,
                kind: row.read("item_kind")?,
                copy_id: row.read("installed_item_id")?,
            })
        })
        .collect()
}
