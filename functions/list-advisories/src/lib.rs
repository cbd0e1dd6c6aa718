//! `GET /api/marketplace/advisories`: the workspace's live installs of revoked versions, most severe first,
//! each with what to update to (`fixed_in`), a page at a time (`limit`, `cursor`).

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::AdvisoryCursor;
use marketplace_http::{
    json, read, Access, AppState, HandlerResult, QueryParams, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, workspace) = state.read_workspace_session(&req, Access::Read).await?;
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
    let cursor = params.optional("cursor", |raw| AdvisoryCursor::parse(raw, workspace.id));
    params.finish()?;
    let page = read!(session, |db, _caller| marketplace_catalog::list_advisories(
        db,
        workspace.id,
        cursor,
        limit
    ));
    Ok(json(StatusCode::OK, &page))
}
