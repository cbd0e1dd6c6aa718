//! `GET /api/marketplace/items/{id}/install-plan`: what installing an item into the caller's workspace would
//! do — each listing cloned or reused, skills linked, tools to connect, warnings — without doing it.

use marketplace_http::{
    json, path_id, workspace_session, Access, AppState, HandlerResult, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, workspace) = workspace_session(state, &req, Access::Read).await?;
    let item_id = path_id(&req, "id")?;
    let plan = marketplace_catalog::install_plan(&*session.db, workspace.id, item_id).await?;
    Ok(json(StatusCode::OK, &plan))
}
