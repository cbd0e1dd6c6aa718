//! `GET /api/marketplace/items/{id}/install-plan`: what installing an item into the caller's workspace would
//! do — each listing cloned or reused, skills linked, tools to connect, warnings — without doing it. Reads a
//! level of dependencies per round trip (each level is what the previous one pinned), then the copies' names,
//! the tools to connect and what lies below reused copies.

use marketplace_http::{json, path_id, read, Access, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, workspace) = state.read_workspace_session(&req, Access::Read).await?;
    let item_id = path_id(&req, "id")?;
    let plan = read!(session, |db, _caller| marketplace_catalog::install_plan(
        db,
        workspace.id,
        item_id
    ));
    Ok(json(StatusCode::OK, &plan))
}
