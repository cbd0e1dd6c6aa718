//! `DELETE /api/marketplace/items/{id}/reviews/mine`: delete the caller's review of a listing.

use marketplace_http::{no_content, path_id, AppState, HandlerResult, Request};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::delete_review(session.db.client_mut(), session.caller.user.id, item_id)
        .await?;
    Ok(no_content())
}
