//! `GET /api/marketplace/items/{id}/reviews`: a page of a listing's reviews (keyset cursor) and its rating.
//! Hidden reviews are shown to marketplace admins only, marked.

use marketplace_catalog::{limits, ReviewCursor, ReviewQuery, ReviewSort};
use marketplace_http::{
    json, path_id, read, AppState, HandlerResult, QueryParams, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let item_id = path_id(&req, "id")?;
    let mut params = QueryParams::new(&req);
    let sort = params
        .optional("sort", |raw| {
            ReviewSort::parse(raw).ok_or("must be one of newest, rating_high, rating_low")
        })
        .unwrap_or_default();
    let limit = params.integer(
        "limit",
        limits::DEFAULT_REVIEW_PAGE_SIZE,
        1..=limits::MAX_PAGE_SIZE,
    );
    let cursor = params.optional("cursor", |raw| ReviewCursor::parse(raw, item_id, sort));
    let query = params.finish_with(|| {
        Some(ReviewQuery {
            sort,
            limit,
            cursor,
        })
    })?;
    let page = read!(session, |db, caller| marketplace_catalog::list_reviews(
        db,
        caller.audience(),
        item_id,
        &query
    ));
    Ok(json(StatusCode::OK, &page))
}
