//! `GET /api/marketplace/admin/queue`: submissions and versions waiting for review, oldest first
//! (`status=approved|rejected` for the review history, most recent first, with rejection reasons). Private
//! listings are in their catalog's queue instead.

use marketplace_http::{json, queue_query, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    session.caller.require_admin()?;
    let query = queue_query(&req, None)?;
    let page = marketplace_catalog::review_queue(&*session.db, &query).await?;
    Ok(json(StatusCode::OK, &page))
}
