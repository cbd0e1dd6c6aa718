//! `POST /api/marketplace/items/{id}/install`: clone an approved marketplace item into the caller's workspace.

use marketplace_catalog::{CatalogError, InstallOutcome, InstallRequest};
use marketplace_http::{
    accepted_capabilities, json, path_id, remembered_workspace_session, workspace_session, Access,
    ApiError, AppState, Body, HandlerResult, JsonFields, Request, Response, StatusCode,
    WorkspaceAccess,
};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A caller this function instance has seen installs without a lookup of their own: the install's first
/// statement confirms them and their role before anything is written (one round trip fewer). Any other
/// request, and one whose caller that statement does not confirm, goes the way every workspace route goes:
/// the caller looked up and checked first, then the request read.
#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    if let Ok(asked) = Asked::read(&req) {
        if let Some((mut session, workspace, subject)) =
            remembered_workspace_session(state, &req).await?
        {
            let user_id = session.caller.user.id;
            let request = asked.request(state, workspace, user_id, Some(subject.to_owned()));
            match marketplace_catalog::install_item(session.db.client_mut(), &request).await {
                Err(CatalogError::CallerUnconfirmed) => {}
                outcome => return Ok(answer(state, outcome?)),
            }
        }
    }
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let request = Asked::read(&req)?.request(state, workspace, session.caller.user.id, None);
    let outcome = marketplace_catalog::install_item(session.db.client_mut(), &request).await?;
    Ok(answer(state, outcome))
}

/// What the request asks for, beside its caller and workspace.
struct Asked {
    item_id: i64,
    idempotency_key: Option<String>,
    accept_capabilities: Option<String>,
}

impl Asked {
    fn read(req: &Request) -> Result<Self, ApiError> {
        let item_id = path_id(req, "id")?;
        let mut body = JsonFields::optional(req)?;
        let accept_capabilities = accepted_capabilities(req, &mut body)?;
        body.finish()?;
        Ok(Self {
            item_id,
            idempotency_key: idempotency_key(req)?,
            accept_capabilities,
        })
    }

    fn request(
        self,
        state: &AppState,
        workspace: WorkspaceAccess,
        user_id: i64,
        confirm_caller: Option<String>,
    ) -> InstallRequest {
        InstallRequest {
            item_id: self.item_id,
            workspace: workspace.id,
            user_id,
            idempotency_key: self.idempotency_key,
            accept_capabilities: self.accept_capabilities,
            kind: state.listing_kind(self.item_id),
            confirm_caller,
        }
    }
}

fn answer(state: &AppState, outcome: InstallOutcome) -> Response<Body> {
    let installation = &outcome.response.installation;
    state.remember_listing_kind(installation.item.id, installation.item.kind);
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    json(status, &outcome.response)
}

fn idempotency_key(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|key| (1..=255).contains(&key.len()))
        .filter(|key| key.bytes().all(|b| (b' '..=b'~').contains(&b)))
        .map(|key| Some(key.to_owned()))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
        })
}
