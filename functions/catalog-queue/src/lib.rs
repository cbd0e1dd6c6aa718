//! `GET /api/marketplace/catalogs/{catalog_id}/queue` (catalog admins): the review queue of the catalog's
//! listings, paged as `GET /admin/queue` pages the marketplace's; the caller's standing and the page in one
//! statement, the page read only for an admin of the catalog.

use marketplace_http::{
    json, path_id, queue_query, read, AppState, HandlerResult, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let catalog = path_id(&req, "catalog_id")?;
    let query = queue_query(&req, Some(catalog))?;
    let page = read!(session, |db, caller| marketplace_catalog::catalog_queue(
        db,
        &caller.user,
        catalog,
        &query
    ));
    Ok(json(StatusCode::OK, &page))
}
