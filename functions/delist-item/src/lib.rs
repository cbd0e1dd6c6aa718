//! `DELETE /api/marketplace/items/{id}`: delist (soft-delete) a listing; installs and installed copies stay.
//! A private listing's catalog admins may, as marketplace admins may any listing's.

use marketplace_http::{path_id, AppState, Body, HandlerResult, Request, Response, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::require_moderator(&*session.db, &session.caller.user, item_id).await?;
    marketplace_catalog::delist(session.db.client_mut(), session.caller.user.id, item_id).await?;
    Ok(Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("a status alone is a valid response"))
}
