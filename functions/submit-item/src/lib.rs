//! `POST /api/marketplace/items/submit`: list a workspace item in the marketplace, pending review.

use marketplace_catalog::{ItemKind, Submission, Version};
use marketplace_http::{
    json, respond, workspace_access, Access, AppState, Body, HandlerResult, JsonFields, Request,
    Response, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(submit(state, &req).await)
}

async fn submit(state: &AppState, req: &Request) -> HandlerResult {
    let mut session = state.session(req).await?;
    let workspace = workspace_access(req, &*session.db, &session.caller, Access::Write).await?;
    let mut body = JsonFields::required(req)?;
    let kind = body.parsed("item_type", true, ItemKind::parse);
    let source_id = body.id("item_id", true);
    let submission = Submission {
        workspace: workspace.id,
        user_id: session.caller.user.id,
        kind: kind.unwrap_or(ItemKind::Agent),
        source_id: source_id.unwrap_or_default(),
        name: body.text("name", 1..=200, false),
        description: body.text("description", 0..=5000, false),
        category: body.text("category", 1..=100, false),
        icon: body.text("icon", 1..=2000, false),
        tags: body.string_list("tags", 20, 1..=50),
        version: body
            .parsed("version", false, Version::parse)
            .unwrap_or_else(Version::initial),
        changelog: body
            .text("changelog", 0..=10_000, false)
            .unwrap_or_default(),
    };
    body.finish()?;
    let pending = marketplace_catalog::submit_item(
        session.db.client_mut(),
        &submission,
        state.config.submission_limit,
    )
    .await?;
    Ok(json(StatusCode::CREATED, &pending))
}
