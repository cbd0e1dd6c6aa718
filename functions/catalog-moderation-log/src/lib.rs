//! `GET /api/marketplace/catalogs/{catalog_id}/moderation-log` (catalog members): the moderation record of
//! the catalog's listings, its own hash chain, paged as the public log; the caller's standing and the page in
//! one statement, the page read only for a member of the catalog.

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::{LogBook, LogCursor};
use marketplace_http::{
    json, path_id, read, AppState, HandlerResult, QueryParams, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let catalog = path_id(&req, "catalog_id")?;
    let book = LogBook::Catalog(catalog);
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
    let cursor = params.optional("cursor", |token| LogCursor::parse(token, book));
    params.finish()?;
    let log = read!(session, |db, caller| marketplace_catalog::catalog_log(
        db,
        &caller.user,
        catalog,
        cursor,
        limit
    ));
    Ok(json(StatusCode::OK, &log))
}
