//! `DELETE /api/marketplace/items/{id}`: delist (soft-delete) a listing; installs and installed copies stay.

use marketplace_http::{path_id, AppState, Body, HandlerResult, Request, Response, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::delist(session.db.client_mut(), session.caller.user.id, item_id).await?;
    Ok(Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("a status alone is a valid response"))
}
