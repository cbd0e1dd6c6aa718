//! `DELETE /api/marketplace/items/{id}/official` (admins): clears a listing's official mark. Listings that
//! already pinned it as a dependency keep it; new versions of other publishers no longer resolve to it.

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
        false,
    )
    .await?;
    Ok(json(StatusCode::OK, &official))
}
