//! `DELETE /api/marketplace/installs/{install_id}`: uninstall — the workspace copy deleted, the install
//! marked; `?with_dependencies=true` also uninstalls the dependencies installed with it that no other live
//! install in the workspace relies on.

use marketplace_http::{
    no_content, path_id, workspace_session, Access, AppState, HandlerResult, QueryParams, Request,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let install_id = path_id(&req, "install_id")?;
    let mut params = QueryParams::new(&req);
    let with_dependencies = params.boolean("with_dependencies").unwrap_or(false);
    params.finish()?;
    marketplace_catalog::uninstall(
        session.db.client_mut(),
        workspace.id,
        install_id,
        with_dependencies,
    )
    .await?;
    Ok(no_content())
}
