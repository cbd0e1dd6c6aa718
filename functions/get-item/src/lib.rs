//! `GET /api/marketplace/items/{id}`: one marketplace item with its content (secrets redacted),
//! dependencies and latest changelog.

use marketplace_http::{json, path_id, read, AppState, HandlerResult, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let id = path_id(&req, "id")?;
    let item = read!(session, |db, caller| marketplace_catalog::item_detail(
        db,
        caller.audience(),
        id
    ));
    Ok(json(StatusCode::OK, &item))
}
