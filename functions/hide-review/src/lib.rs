//! `POST /api/marketplace/reviews/{review_id}/hide`: hide a review from everyone but admins, with a reason
//! (required); recorded in `admin_actions`.

use marketplace_catalog::limits;
use marketplace_http::{json, path_id, AppState, HandlerResult, JsonFields, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let review_id = path_id(&req, "review_id")?;
    let mut body = JsonFields::required(&req)?;
    let reason = body.required_statement("reason", limits::REASON_CHARS);
    let reason = body.finish_with(|| reason)?;
    let review = marketplace_catalog::set_review_hidden(
        session.db.client_mut(),
        session.caller.user.id,
        review_id,
        Some(&reason),
    )
    .await?;
    Ok(json(StatusCode::OK, &review))
}
