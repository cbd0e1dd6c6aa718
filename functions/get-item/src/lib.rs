//! `GET /api/marketplace/items/{id}`: one marketplace item with its content (secrets redacted),
//! dependencies and latest changelog.

use marketplace_http::{json, path_id, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let id = path_id(&req, "id")?;
    let item =
        marketplace_catalog::item_detail(&*session.db, session.caller.audience(), id).await?;
    Ok(json(StatusCode::OK, &item))
}
