//! `POST /api/marketplace/items/{id}/revoke` (admins): revokes the named approved versions of a listing
//! (`versions`), or every one, with a reason and a severity. Revoked versions are never installed; their
//! installed copies carry an advisory, and a `critical` one marks the copies.

use marketplace_catalog::{limits, RevokeRequest, Severity, Version};
use marketplace_http::{json, path_id, AppState, HandlerResult, JsonFields, Request, StatusCode};

/// How many versions one revocation may name.
const MAX_VERSIONS: usize = 100;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let item_id = path_id(&req, "id")?;
    let mut body = JsonFields::required(&req)?;
    let reason = body.required_statement("reason", limits::REASON_CHARS);
    let severity = body.required_parsed("severity", |raw: &str| raw.parse::<Severity>());
    let versions = body.parsed_list("versions", 1..=MAX_VERSIONS, Version::parse);
    let request = body.finish_with(|| {
        Some(RevokeRequest {
            reason: reason?,
            severity: severity?,
            versions,
        })
    })?;
    let revoked = marketplace_catalog::revoke(
        session.db.client_mut(),
        session.caller.user.id,
        item_id,
        &request,
    )
    .await?;
    Ok(json(StatusCode::OK, &revoked))
}
