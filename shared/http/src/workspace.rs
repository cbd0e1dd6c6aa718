use lambda_http::Request;
use marketplace_catalog::accounts;
use marketplace_catalog::WorkspaceId;
use tokio_postgres::GenericClient;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::request_scope::RequestScope;

pub const WORKSPACE_HEADER: &str = "x-workspace-id";

/// What the route does in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The workspace named by `X-Workspace-ID`, checked against the caller's membership.
#[derive(Debug, Clone, Copy)]
pub struct WorkspaceAccess {
    pub id: WorkspaceId,
}

/// Missing or malformed header: 400. Not a member, or a viewer asking to write: 403. The header is never
/// replaced by another workspace.
pub async fn workspace_access(
    req: &Request,
    db: &impl GenericClient,
    caller: &Caller,
    access: Access,
) -> Result<WorkspaceAccess, ApiError> {
    let value = req
        .headers()
        .get(WORKSPACE_HEADER)
        .ok_or_else(|| ApiError::invalid_field("X-Workspace-ID", "this header is required"))?;
    let id = value
        .to_str()
        .ok()
        .and_then(|value| WorkspaceId::parse(value.trim()).ok())
        .ok_or_else(|| ApiError::invalid_field("X-Workspace-ID", "must be a workspace UUID"))?;
    RequestScope::record_workspace(&id);
    let role = accounts::workspace_role(db, id, caller.user.id)
        .await?
        .ok_or_else(|| ApiError::forbidden("You are not a member of this workspace."))?;
    if access == Access::Write && !role.can_write() {
        return Err(ApiError::forbidden(
            "Viewers cannot change this workspace; ask an owner, admin or editor.",
        ));
    }
    Ok(WorkspaceAccess { id })
}
