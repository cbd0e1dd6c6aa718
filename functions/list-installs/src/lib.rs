//! `GET /api/marketplace/installs`: the workspace's installs, newest first, a page at a time (`limit`,
//! and `cursor` = the previous page's `next_cursor`).

use marketplace_catalog::InstallList;
use marketplace_http::{json, read, AppState, HandlerResult, InstallListPage, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (session, page) = InstallListPage::read(state, &req, InstallList::Installs).await?;
    let listed = read!(session, |db, _caller| marketplace_catalog::list_installs(
        db,
        page.workspace,
        page.cursor,
        page.limit
    ));
    Ok(json(StatusCode::OK, &listed))
}
