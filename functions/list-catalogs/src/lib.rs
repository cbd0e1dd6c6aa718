//! `GET /api/marketplace/catalogs`: the private catalogs one of the caller's workspaces is in, by name.

use marketplace_http::{json, AppState, HandlerResult, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let catalogs = marketplace_catalog::list_catalogs(&*session.db, &session.caller.user).await?;
    Ok(json(StatusCode::OK, &json!({ "catalogs": catalogs })))
}
