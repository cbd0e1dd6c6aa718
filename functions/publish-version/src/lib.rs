//! `POST /api/marketplace/items/{id}/versions`: a new version of a listing from the workspace item it was
//! submitted from, pending review; the listing keeps serving its approved content meanwhile.

use marketplace_catalog::{limits, Capabilities, NewVersion, Version};
use marketplace_http::{
    json, path_id, workspace_session, Access, AppState, HandlerResult, JsonFields, Request,
    StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let item_id = path_id(&req, "id")?;
    let mut body = JsonFields::required(&req)?;
    let version = body.required_parsed("version", Version::parse);
    let changelog = body.prose("changelog", limits::CHANGELOG_CHARS);
    let capabilities = body.shaped::<Capabilities>("capabilities");
    let catalog = body.optional_id("catalog_id");
    let request = body.finish_with(|| {
        Some(NewVersion {
            item_id,
            workspace: workspace.id,
            user_id: session.caller.user.id,
            version: version?,
            changelog: changelog.unwrap_or_default(),
            capabilities,
            catalog,
        })
    })?;
    let pending = marketplace_catalog::submit_version(
        session.db.client_mut(),
        &request,
        state.config.submission_limit,
    )
    .await?;
    Ok(json(StatusCode::CREATED, &pending))
}
