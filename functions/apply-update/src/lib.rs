//! `POST /api/marketplace/installs/{install_id}/update`: bring an installed copy to the latest approved
//! version; `{"force": true}` overwrites changes made in the workspace.

use marketplace_http::{
    json, optional_json_body, path_id, respond, workspace_access, Access, AppState, Body,
    HandlerResult, Request, Response, StatusCode,
};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default)]
    force: bool,
}

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(apply_update(state, &req).await)
}

async fn apply_update(state: &AppState, req: &Request) -> HandlerResult {
    let mut session = state.session(req).await?;
    let install_id = path_id(req, "install_id")?;
    let workspace = workspace_access(req, &*session.db, &session.caller, Access::Write).await?;
    let body: UpdateBody = optional_json_body(req)?.unwrap_or_default();
    let applied = marketplace_catalog::apply_update(
        session.db.client_mut(),
        workspace.id,
        install_id,
        body.force,
    )
    .await?;
    Ok(json(StatusCode::OK, &applied))
}
