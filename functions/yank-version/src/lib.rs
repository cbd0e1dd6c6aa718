//! `POST /api/marketplace/items/{id}/versions/{version}/yank` (writers of the publishing workspace, or
//! marketplace admins, who need not name a workspace they belong to): yanks an approved version with a reason (required).
//! It is never installed or offered as an update again; the listing serves its highest installable version.

use marketplace_catalog::{limits, Puller};
use marketplace_http::{
    admin_or_workspace_session, json, path_id, path_version, Access, AppState, HandlerResult,
    JsonFields, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = admin_or_workspace_session(state, &req, Access::Write).await?;
    if workspace.is_none() {
        session.caller.require_admin()?;
    }
    let item_id = path_id(&req, "id")?;
    let version = path_version(&req, "version")?;
    let mut body = JsonFields::required(&req)?;
    let reason = body.required_statement("reason", limits::REASON_CHARS);
    let reason = body.finish_with(|| reason)?;
    let puller = Puller {
        user_id: session.caller.user.id,
        is_admin: session.caller.user.is_admin,
        workspace: workspace.map(|workspace| workspace.id),
    };
    let state = marketplace_catalog::set_yank(
        session.db.client_mut(),
        &puller,
        item_id,
        &version,
        Some(&reason),
    )
    .await?;
    Ok(json(StatusCode::OK, &state))
}
