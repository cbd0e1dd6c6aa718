//! `GET /api/marketplace/items/{id}/versions`: an item's approved versions, highest SemVer first.

use marketplace_http::{json, path_id, read, AppState, HandlerResult, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let id = path_id(&req, "id")?;
    let versions = read!(session, |db, caller| marketplace_catalog::item_versions(
        db,
        caller.audience(),
        id
    ));
    Ok(json(StatusCode::OK, &json!({ "versions": versions })))
}
