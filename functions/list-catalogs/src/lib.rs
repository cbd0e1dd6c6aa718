//! `GET /api/marketplace/catalogs`: the private catalogs one of the caller's workspaces is in, by name.

use marketplace_http::{json, read, AppState, HandlerResult, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let catalogs = read!(session, |db, caller| marketplace_catalog::list_catalogs(
        db,
        &caller.user
    ));
    Ok(json(StatusCode::OK, &json!({ "catalogs": catalogs })))
}
