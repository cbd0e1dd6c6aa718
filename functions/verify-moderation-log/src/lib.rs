//! `GET /api/marketplace/moderation-log/verify` (any caller): recomputes the moderation log's hash chain and
//! says whether it holds, and where it first breaks if not.

use marketplace_http::{json, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let check = marketplace_catalog::verify_moderation_log(&*session.db).await?;
    Ok(json(StatusCode::OK, &check))
}
