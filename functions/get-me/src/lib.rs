//! `GET /api/marketplace/me`: the caller (`{"id", "display_name", "is_admin", "workspaces": [{"id", "name",
//! "role"}]}`), so that a frontend can draw its workspace switcher and admin menu. A first request of a
//! subject the service has never seen makes its user (unless `USER_PROVISIONING=off`).

use marketplace_http::{json, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let me = marketplace_catalog::accounts::me(&*session.db, &session.caller.user).await?;
    Ok(json(StatusCode::OK, &me))
}
