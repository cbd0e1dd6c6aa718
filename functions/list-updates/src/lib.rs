//! `GET /api/marketplace/updates`: the workspace's installed copies whose listing has a newer approved
//! version, a page at a time (`limit`, and `cursor` = the previous page's `next_cursor`).

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::{InstallCursor, InstallList};
use marketplace_http::{
    json, respond, workspace_access, Access, AppState, Body, HandlerResult, QueryParams, Request,
    Response, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(list_updates(state, &req).await)
}

async fn list_updates(state: &AppState, req: &Request) -> HandlerResult {
    let session = state.session(req).await?;
    let workspace = workspace_access(req, &*session.db, &session.caller, Access::Read).await?;
    let mut params = QueryParams::new(req);
    let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
    let cursor = params.optional("cursor", |raw| {
        InstallCursor::parse(raw, InstallList::Updates, workspace.id)
    });
    params.finish()?;
    let page =
        marketplace_catalog::available_updates(&*session.db, workspace.id, cursor, limit).await?;
    Ok(json(StatusCode::OK, &page))
}
