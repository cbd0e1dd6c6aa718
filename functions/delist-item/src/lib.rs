//! `DELETE /api/marketplace/items/{id}`: delist (soft-delete) a listing; installs and installed copies stay.
//! A private listing's catalog admins may, as marketplace admins may any listing's.

use marketplace_http::{no_content, path_id, AppState, HandlerResult, Request};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::require_moderator(&*session.db, &session.caller.user, item_id).await?;
    marketplace_catalog::delist(session.db.client_mut(), session.caller.user.id, item_id).await?;
    Ok(no_content())
}
