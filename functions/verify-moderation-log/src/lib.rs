//! `GET /api/marketplace/moderation-log/verify` (any caller): recomputes the moderation log's hash chain and
//! says whether it holds, and where it first breaks if not.

use marketplace_http::{json, read, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let check = read!(session, |db, _caller| {
        marketplace_catalog::verify_moderation_log(db)
    });
    Ok(json(StatusCode::OK, &check))
}
