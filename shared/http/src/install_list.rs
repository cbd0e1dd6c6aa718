//! What `GET /installs` and `GET /updates` both take: the workspace (read access), `limit` and the
//! previous page's `cursor`, issued by the same list for the same workspace.

use lambda_http::Request;
use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use marketplace_catalog::{InstallCursor, InstallList, WorkspaceId};

use crate::error::ApiError;
use crate::query_params::QueryParams;
use crate::read::ReadSession;
use crate::state::AppState;
use crate::workspace::Access;

/// One page of a workspace's install list, as asked for.
pub struct InstallListPage {
    pub workspace: WorkspaceId,
    pub cursor: Option<InstallCursor>,
    pub limit: i64,
}

impl InstallListPage {
    /// The session of the request (a workspace route with read access) and the page it asks for.
    pub async fn read<'s>(
        state: &'s AppState,
        req: &'s Request,
        list: InstallList,
    ) -> Result<(ReadSession<'s>, Self), ApiError> {
        let (session, workspace) = state.read_workspace_session(req, Access::Read).await?;
        let mut params = QueryParams::new(req);
        let limit = params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE);
        let cursor = params.optional("cursor", |raw| {
            InstallCursor::parse(raw, list, workspace.id)
        });
        params.finish()?;
        let page = Self {
            workspace: workspace.id,
            cursor,
            limit,
        };
        Ok((session, page))
    }
}
