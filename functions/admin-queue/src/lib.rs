//! `GET /api/marketplace/admin/queue`: submissions and versions waiting for review, oldest first
//! (`status=approved|rejected` for the review history, most recent first, with rejection reasons).

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE};
use marketplace_catalog::{QueueQuery, ReviewStatus};
use marketplace_http::{json, AppState, HandlerResult, QueryParams, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    session.caller.require_admin()?;
    let mut params = QueryParams::new(&req);
    let status = params
        .optional("status", |raw| {
            ReviewStatus::parse(raw).ok_or("must be one of pending, approved, rejected")
        })
        .unwrap_or_default();
    let mut query = QueueQuery {
        status,
        limit: params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE),
        offset: params.integer("offset", 0, 0..=MAX_OFFSET),
        after: None,
    };
    query.after = params.cursor(query.offset, |cursor| query.position(cursor));
    params.finish()?;
    let page = marketplace_catalog::review_queue(&*session.db, &query).await?;
    Ok(json(StatusCode::OK, &page))
}
