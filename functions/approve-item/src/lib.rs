//! `POST /api/marketplace/items/{id}/approve`: publish the pending submission or version (idempotent).

use marketplace_http::{json, path_id, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let item_id = path_id(&req, "id")?;
    let reviewed =
        marketplace_catalog::approve(session.db.client_mut(), session.caller.user.id, item_id)
            .await?;
    Ok(json(StatusCode::OK, &reviewed))
}
