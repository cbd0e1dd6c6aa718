//! `DELETE /api/marketplace/items/{id}/versions/{version}/yank` (writers of the publishing workspace, or
//! marketplace admins, who need not name a workspace they belong to): takes a yank back; a version above the listing's live
//! one becomes live again.

use marketplace_catalog::Puller;
use marketplace_http::{
    admin_or_workspace_session, json, path_id, path_version, Access, AppState, HandlerResult,
    Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = admin_or_workspace_session(state, &req, Access::Write).await?;
    if workspace.is_none() {
        session.caller.require_admin()?;
    }
    let item_id = path_id(&req, "id")?;
    let version = path_version(&req, "version")?;
    let puller = Puller {
        user_id: session.caller.user.id,
        is_admin: session.caller.user.is_admin,
        workspace: workspace.map(|workspace| workspace.id),
    };
    let state =
        marketplace_catalog::set_yank(session.db.client_mut(), &puller, item_id, &version, None)
            .await?;
    Ok(json(StatusCode::OK, &state))
}
