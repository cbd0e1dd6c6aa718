//! `POST /api/marketplace/items/{id}/reject`: reject what waits for review; the reason (required) is kept,
//! and shown on the public moderation log when `public_reason` is true. A private listing's catalog admins
//! may, as marketplace admins may any listing's.

use marketplace_catalog::{limits, Rejection};
use marketplace_http::{json, path_id, AppState, HandlerResult, JsonFields, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    let item_id = path_id(&req, "id")?;
    marketplace_catalog::require_moderator(&*session.db, &session.caller.user, item_id).await?;
    let mut body = JsonFields::optional(&req)?;
    let reason = body.required_statement("reason", limits::REASON_CHARS);
    let public = body.boolean("public_reason").unwrap_or(false);
    let reason = body.finish_with(|| reason)?;
    let reviewed = marketplace_catalog::reject(
        session.db.client_mut(),
        session.caller.user.id,
        item_id,
        &Rejection {
            reason: &reason,
            public,
        },
    )
    .await?;
    Ok(json(StatusCode::OK, &reviewed))
}
