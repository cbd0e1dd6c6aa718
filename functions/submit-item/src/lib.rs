//! `POST /api/marketplace/items/submit`: list a workspace item in the marketplace, pending review.

use marketplace_catalog::{limits, Capabilities, ItemKind, Submission, Version};
use marketplace_http::{
    json, workspace_session, Access, AppState, HandlerResult, JsonFields, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let mut body = JsonFields::required(&req)?;
    let kind = body.required_parsed("item_type", ItemKind::parse);
    let source_id = body.required_id("item_id");
    let name = body.label("name", limits::NAME_CHARS);
    let description = body.prose("description", limits::DESCRIPTION_CHARS);
    let category = body.label("category", limits::CATEGORY_CHARS);
    let icon = body.line("icon", limits::ICON_CHARS);
    let tags = body.label_list("tags", limits::MAX_TAGS, limits::TAG_CHARS);
    let version = body.parsed("version", Version::parse);
    let changelog = body.prose("changelog", limits::CHANGELOG_CHARS);
    let capabilities = body.shaped::<Capabilities>("capabilities");
    let catalog = body.optional_id("catalog_id");
    let submission = body.finish_with(|| {
        Some(Submission {
            workspace: workspace.id,
            user_id: session.caller.user.id,
            kind: kind?,
            source_id: source_id?,
            name,
            description,
            category,
            icon,
            tags,
            version: version.unwrap_or_else(Version::initial),
            changelog: changelog.unwrap_or_default(),
            capabilities,
            catalog,
        })
    })?;
    let pending = marketplace_catalog::submit_item(
        session.db.client_mut(),
        &submission,
        state.config.submission_limit,
    )
    .await?;
    Ok(json(StatusCode::CREATED, &pending))
}
