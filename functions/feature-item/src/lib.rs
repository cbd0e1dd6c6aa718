//! `POST /api/marketplace/items/{id}/feature`: `{"featured": true|false}` sets the flag; an empty body toggles it.

use marketplace_http::{json, path_id, AppState, HandlerResult, JsonFields, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let mut session = state.session(&req).await?;
    session.caller.require_admin()?;
    let item_id = path_id(&req, "id")?;
    let mut body = JsonFields::optional(&req)?;
    let featured = body.boolean("featured");
    body.finish()?;
    let result = marketplace_catalog::set_featured(
        session.db.client_mut(),
        session.caller.user.id,
        item_id,
        featured,
    )
    .await?;
    Ok(json(StatusCode::OK, &result))
}
