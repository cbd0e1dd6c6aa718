//! `GET /api/marketplace/categories`: categories of approved items with their item counts.

use marketplace_catalog::ItemKind;
use marketplace_http::{json, AppState, HandlerResult, QueryParams, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let mut params = QueryParams::new(&req);
    let kind = params.optional("type", ItemKind::parse);
    params.finish()?;
    let categories = marketplace_catalog::categories(&*session.db, kind).await?;
    Ok(json(StatusCode::OK, &json!({ "categories": categories })))
}
