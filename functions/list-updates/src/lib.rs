//! `GET /api/marketplace/updates`: the workspace's installed copies whose listing has a newer approved
//! version, a page at a time (`limit`, and `cursor` = the previous page's `next_cursor`), each with its
//! changelogs, in one statement.

use marketplace_catalog::InstallList;
use marketplace_http::{json, read, AppState, HandlerResult, InstallListPage, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, page) = InstallListPage::read(state, &req, InstallList::Updates).await?;
    let listed = read!(session, |db, _caller| {
        marketplace_catalog::available_updates(db, page.workspace, page.cursor, page.limit)
    });
    Ok(json(StatusCode::OK, &listed))
}
