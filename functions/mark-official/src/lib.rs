//! `POST /api/marketplace/items/{id}/official` (admins): marks a listing official, so that any publisher's
//! versions submitted from then on may depend on it (docs/api.md, "Dependencies").

use marketplace_http::{json, path_id, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let item_id = path_id(&req, "id")?;
    let official = marketplace_catalog::set_official(
        session.db.client_mut(),
        session.caller.user.id,
        item_id,
        true,
    )
    .await?;
    Ok(json(StatusCode::OK, &official))
}
