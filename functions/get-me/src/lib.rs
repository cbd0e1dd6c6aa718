//! `GET /api/marketplace/me`: the caller (`{"id", "display_name", "is_admin", "workspaces": [{"id", "name",
//! "role"}]}`), so that a frontend can draw its workspace switcher and admin menu. A first request of a
//! subject the service has never seen makes its user (unless `USER_PROVISIONING=off`).

use marketplace_http::{json, read, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let me = read!(session, |db, caller| marketplace_catalog::accounts::me(
        db,
        &caller.user
    ));
    Ok(json(StatusCode::OK, &me))
}
