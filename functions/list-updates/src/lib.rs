//! `GET /api/marketplace/updates`: the workspace's installed copies whose listing has a newer approved version.

use marketplace_http::{
    json, respond, workspace_access, Access, AppState, Body, HandlerResult, Request, Response,
    StatusCode,
};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(list_updates(state, &req).await)
}

async fn list_updates(state: &AppState, req: &Request) -> HandlerResult {
    let session = state.session(req).await?;
    let workspace = workspace_access(req, &*session.db, &session.caller, Access::Read).await?;
    let updates = marketplace_catalog::available_updates(&*session.db, workspace.id).await?;
    Ok(json(StatusCode::OK, &json!({ "updates": updates })))
}
