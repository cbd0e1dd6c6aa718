//! `GET /api/marketplace/admin/queue`: submissions and versions waiting for review, oldest first
//! (`status=approved|rejected` for the review history, most recent first, with rejection reasons). Private
//! listings are in their catalog's queue instead.

use marketplace_http::{json, queue_query, read, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let query = queue_query(&req, None)?;
    let page = read!(session, |db, caller| async {
        caller.require_admin()?;
        Ok::<_, marketplace_http::ApiError>(marketplace_catalog::review_queue(db, &query).await?)
    });
    Ok(json(StatusCode::OK, &page))
}
