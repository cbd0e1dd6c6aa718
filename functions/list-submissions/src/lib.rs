//! `GET /api/marketplace/submissions`: what the workspace submitted (new listings and new versions), newest
//! first, a page at a time (`limit`, and `cursor` = the previous page's `next_cursor`), with each one's
//! status, the admin's reason when rejected, and the findings of the checks at submit.

use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::SubmissionCursor;
use marketplace_http::{
    json, read, Access, AppState, HandlerResult, QueryParams, Request, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, workspace) = state.read_workspace_session(&req, Access::Read).await?;
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
    let cursor = params.optional("cursor", |raw| SubmissionCursor::parse(raw, workspace.id));
    params.finish()?;
    let page = read!(
        session,
        |db, _caller| marketplace_catalog::list_submissions(db, workspace.id, cursor, limit)
    );
    Ok(json(StatusCode::OK, &page))
}
