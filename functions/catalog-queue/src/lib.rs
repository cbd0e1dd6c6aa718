//! `GET /api/marketplace/catalogs/{catalog_id}/queue` (catalog admins): the review queue of the catalog's
//! listings, paged as `GET /admin/queue` pages the marketplace's. A second statement reads the page once
//! the first found the caller an admin of the catalog.

use marketplace_http::{
    json, path_id, queue_query, read, AppState, HandlerResult, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let catalog = path_id(&req, "catalog_id")?;
    let query = queue_query(&req, Some(catalog))?;
    let page = read!(session, |db, caller| async {
        marketplace_catalog::standing(db, &caller.user, catalog)
            .await?
            .require_admin()?;
        marketplace_catalog::review_queue(db, &query).await
    });
    Ok(json(StatusCode::OK, &page))
}
