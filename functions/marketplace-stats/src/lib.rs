//! `GET /api/marketplace/stats`: figures over approved, listed items.

use marketplace_http::{json, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let stats = marketplace_catalog::stats(&*session.db).await?;
    Ok(json(StatusCode::OK, &stats))
}
