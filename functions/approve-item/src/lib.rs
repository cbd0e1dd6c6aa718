//! `POST /api/marketplace/items/{id}/approve`: publish the pending submission or version (idempotent). A
//! private listing's catalog admins may, as marketplace admins may any listing's.

use marketplace_http::{json, path_id, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::require_moderator(&*session.db, &session.caller.user, item_id).await?;
    let reviewed =
        marketplace_catalog::approve(session.db.client_mut(), session.caller.user.id, item_id)
            .await?;
    Ok(json(StatusCode::OK, &reviewed))
}
