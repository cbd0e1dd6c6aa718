//! `GET /api/marketplace/stats`: figures over approved, listed items.

use marketplace_http::{json, read, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let stats = read!(session, |db, _caller| marketplace_catalog::stats(db));
    Ok(json(StatusCode::OK, &stats))
}
