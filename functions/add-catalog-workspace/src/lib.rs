//! `PUT /api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}` (catalog admins): the workspace's
//! members see and install the catalog's listings from now on. Idempotent.

use marketplace_http::{no_content, path_id, path_workspace_id, AppState, HandlerResult, Request};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let catalog = path_id(&req, "catalog_id")?;
    let workspace = path_workspace_id(&req, "workspace_id")?;
    marketplace_catalog::add_workspace(&*session.db, &session.caller.user, catalog, workspace)
        .await?;
    Ok(no_content())
}
