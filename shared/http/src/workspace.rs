use lambda_http::Request;
use marketplace_catalog::{WorkspaceId, WorkspaceRole};

use crate::caller::{subject, Caller};
use crate::error::ApiError;
use crate::request_scope::RequestScope;
use crate::state::{AppState, Session};

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

/// How a workspace route starts: a connection, the authenticated caller and the workspace named by
/// `X-Workspace-ID`, checked against the caller's membership — the caller lookup and the membership check in
/// one statement. No token, or a subject that is no user (without provisioning): 401. Missing or malformed
/// header: 400. Not a member, or a viewer asking to write: 403. The header is never replaced by another
/// workspace.
pub async fn workspace_session(
    state: &AppState,
    req: &Request,
    access: Access,
) -> Result<(Session, WorkspaceAccess), ApiError> {
    let (subject, id) = named_workspace(state, req).await?;
    let db = state.db().await?;
    let (caller, role) =
        Caller::authenticate_in(req, &*db, state.config.user_provisioning, id).await?;
    state.callers.remember(subject, &caller.user);
    RequestScope::record_user(caller.user.id);
    allow(role, access)?;
    Ok((Session { db, caller }, WorkspaceAccess { id }))
}

/// A workspace write route's start when this function instance has seen the token's subject: a connection,
/// the caller it remembers, the workspace named by `X-Workspace-ID` and the subject, with nothing looked up.
/// The route's first statement must confirm the caller and their role before anything is written (an
/// install's does: `InstallRequest::confirm_caller`), and the route falls back to [`workspace_session`]
/// when it does not. `None` when the subject is new to this instance.
pub async fn remembered_workspace_session<'r>(
    state: &AppState,
    req: &'r Request,
) -> Result<Option<(Session, WorkspaceAccess, &'r str)>, ApiError> {
    let (subject, id) = named_workspace(state, req).await?;
    let Some(user) = state.callers.get(subject) else {
        return Ok(None);
    };
    let db = state.db().await?;
    RequestScope::record_user(user.id);
    let session = Session {
        db,
        caller: Caller { user },
    };
    Ok(Some((session, WorkspaceAccess { id }, subject)))
}

/// The token's subject and the workspace named by `X-Workspace-ID`, added to the request's log lines. Who is
/// asking is answered first: with a missing or malformed header, an unknown subject is still a 401.
pub(crate) async fn named_workspace<'r>(
    state: &AppState,
    req: &'r Request,
) -> Result<(&'r str, WorkspaceId), ApiError> {
    let subject = subject(req)?;
    let id = match workspace_header(req) {
        Ok(id) => id,
        Err(bad_header) => {
            state.session(req).await?;
            return Err(bad_header);
        }
    };
    RequestScope::record_workspace(&id);
    Ok((subject, id))
}

/// [`workspace_session`] when the request names a workspace, else the session alone (routes an admin may
/// call without one).
pub async fn optional_workspace_session(
    state: &AppState,
    req: &Request,
    access: Access,
) -> Result<(Session, Option<WorkspaceAccess>), ApiError> {
    if req.headers().contains_key(WORKSPACE_HEADER) {
        let (session, workspace) = workspace_session(state, req, access).await?;
        Ok((session, Some(workspace)))
    } else {
        Ok((state.session(req).await?, None))
    }
}

/// [`optional_workspace_session`] for a route a marketplace admin may call in any workspace: an admin who is
/// not a member of the workspace named (or names none) gets a session without one.
pub async fn admin_or_workspace_session(
    state: &AppState,
    req: &Request,
    access: Access,
) -> Result<(Session, Option<WorkspaceAccess>), ApiError> {
    match optional_workspace_session(state, req, access).await {
        Err(refused) if refused.status() == lambda_http::http::StatusCode::FORBIDDEN => {
            let session = state.session(req).await?;
            if session.caller.user.is_admin {
                Ok((session, None))
            } else {
                Err(refused)
            }
        }
        outcome => outcome,
    }
}

fn workspace_header(req: &Request) -> Result<WorkspaceId, ApiError> {
    let value = req
        .headers()
        .get(WORKSPACE_HEADER)
        .ok_or_else(|| ApiError::invalid_field("X-Workspace-ID", "this header is required"))?;
    value
        .to_str()
        .ok()
        .and_then(|value| WorkspaceId::parse(value.trim()).ok())
        .ok_or_else(|| ApiError::invalid_field("X-Workspace-ID", "must be a workspace UUID"))
}

pub(crate) fn allow(role: Option<WorkspaceRole>, access: Access) -> Result<(), ApiError> {
    let role =
        role.ok_or_else(|| ApiError::forbidden("You are not a member of this workspace."))?;
    if access == Access::Write && !role.can_write() {
        return Err(ApiError::forbidden(
            "Viewers cannot change this workspace; ask an owner, admin or editor.",
        ));
    }
    Ok(())
}
