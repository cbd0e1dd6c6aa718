//! `GET /api/marketplace/stats`: figures over approved, listed items.

use marketplace_http::{
    json, respond, AppState, Body, HandlerResult, Request, Response, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(stats(state, &req).await)
}

async fn stats(state: &AppState, req: &Request) -> HandlerResult {
    let session = state.session(req).await?;
    let stats = marketplace_catalog::stats(&*session.db).await?;
    Ok(json(StatusCode::OK, &stats))
}
