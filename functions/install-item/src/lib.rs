//! `POST /api/marketplace/items/{id}/install`: clone an approved marketplace item into the caller's workspace.

use marketplace_catalog::InstallRequest;
use marketplace_http::{
    accepted_capabilities, json, path_id, workspace_session, Access, ApiError, AppState,
    HandlerResult, JsonFields, Request, StatusCode,
};

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let (mut session, workspace) = workspace_session(state, &req, Access::Write).await?;
    let item_id = path_id(&req, "id")?;
    let mut body = JsonFields::optional(&req)?;
    let accept_capabilities = accepted_capabilities(&req, &mut body)?;
    body.finish()?;
    let request = InstallRequest {
        item_id,
        workspace: workspace.id,
        user_id: session.caller.user.id,
        idempotency_key: idempotency_key(&req)?,
        accept_capabilities,
        kind: state.listing_kind(item_id),
    };
    let outcome = marketplace_catalog::install_item(session.db.client_mut(), &request).await?;
    state.remember_listing_kind(item_id, outcome.response.installation.item.kind);
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &outcome.response))
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
