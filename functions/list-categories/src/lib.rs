//! `GET /api/marketplace/categories`: categories of approved items with their item counts.

use marketplace_catalog::ItemKind;
use marketplace_http::{json, read, AppState, HandlerResult, QueryParams, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let mut params = QueryParams::new(&req);
    let kind = params.optional("type", ItemKind::parse);
    params.finish()?;
    let categories = read!(session, |db, _caller| marketplace_catalog::categories(
        db, kind
    ));
    Ok(json(StatusCode::OK, &json!({ "categories": categories })))
}
