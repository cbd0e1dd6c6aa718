//! `POST /api/marketplace/installs/{install_id}/update`: bring an installed copy to the latest approved
//! version; `{"force": true}` overwrites changes made in the workspace, and `accept_capabilities` consents
//! to what an update adds to what the copy reaches.

use marketplace_http::{
    accepted_capabilities, json, path_id, workspace_session, Access, AppState, HandlerResult,
    JsonFields, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let install_id = path_id(&req, "install_id")?;
    let mut body = JsonFields::optional(&req)?;
    let force = body.boolean("force").unwrap_or(false);
    let accepted = accepted_capabilities(&req, &mut body)?;
    body.finish()?;
    let applied = marketplace_catalog::apply_update(
        session.db.client_mut(),
        workspace.id,
        install_id,
        force,
        accepted.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &applied))
}
