//! `DELETE /api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}` (catalog admins, or the
//! workspace's own owners and admins): its installed copies stay; it no longer sees, installs or updates the
//! catalog's listings. Idempotent; the owner workspace cannot leave (409).

use marketplace_http::{no_content, path_id, path_workspace_id, AppState, HandlerResult, Request};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let catalog = path_id(&req, "catalog_id")?;
    let workspace = path_workspace_id(&req, "workspace_id")?;
    marketplace_catalog::remove_workspace(&*session.db, &session.caller.user, catalog, workspace)
        .await?;
    Ok(no_content())
}
