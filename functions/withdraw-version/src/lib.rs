//! `POST /api/marketplace/items/{id}/versions/{version}/withdraw` (writers of the publishing workspace):
//! withdraws a version still waiting for review, which can then never be approved. 204, also when it was
//! already withdrawn; 409 once reviewed.

use marketplace_catalog::Puller;
use marketplace_http::{
    no_content, path_id, path_version, workspace_session, Access, AppState, HandlerResult, Request,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let item_id = path_id(&req, "id")?;
    let version = path_version(&req, "version")?;
    let puller = Puller {
        user_id: session.caller.user.id,
        is_admin: false,
        workspace: Some(workspace.id),
    };
    marketplace_catalog::withdraw(session.db.client_mut(), &puller, item_id, &version).await?;
    Ok(no_content())
}
