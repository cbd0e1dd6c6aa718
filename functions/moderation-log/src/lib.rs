//! `GET /api/marketplace/moderation-log` (any caller): the public record of moderation, newest first, a page
//! at a time (`limit`, `cursor`). Each entry carries the hash chain that makes an edit or a gap visible.

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::{LogBook, LogCursor};
use marketplace_http::{json, read, AppState, HandlerResult, QueryParams, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
    let cursor = params.optional("cursor", |token| LogCursor::parse(token, LogBook::Public));
    params.finish()?;
    let log = read!(session, |db, _caller| marketplace_catalog::moderation_log(
        db,
        LogBook::Public,
        cursor,
        limit
    ));
    Ok(json(StatusCode::OK, &log))
}
