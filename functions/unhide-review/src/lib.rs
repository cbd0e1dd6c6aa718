//! `POST /api/marketplace/reviews/{review_id}/unhide`: show a hidden review again; recorded in
//! `admin_actions`.

use marketplace_http::{json, path_id, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let review_id = path_id(&req, "review_id")?;
    let review = marketplace_catalog::set_review_hidden(
        session.db.client_mut(),
        session.caller.user.id,
        review_id,
        None,
    )
    .await?;
    Ok(json(StatusCode::OK, &review))
}
