//! `POST /api/marketplace/catalogs` (workspace owner or admin): a private catalog owned by the workspace,
//! which is its first workspace; the workspace's owners and admins are the catalog's admins.

use marketplace_catalog::limits;
use marketplace_http::{
    json, workspace_session, Access, AppState, HandlerResult, JsonFields, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let mut body = JsonFields::required(&req)?;
    let name = body.required_label("name", limits::CATALOG_NAME_CHARS);
    let name = body.finish_with(|| name)?;
    let catalog = marketplace_catalog::create_catalog(
        &*session.db,
        &session.caller.user,
        workspace.id,
        name.trim(),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &catalog))
}
