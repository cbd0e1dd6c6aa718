//! `GET /api/marketplace/featured`: approved, featured items of every kind, most popular first; with
//! `trending=true`, the top trending items instead (featured or not).

use marketplace_http::{json, AppState, HandlerResult, QueryParams, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.session(&req).await?;
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", state.config.featured_limit, 1..=20);
    let trending = params.boolean("trending").unwrap_or(false);
    params.finish()?;
    // Approved listings only, for admins too: public ones and those of the caller's catalogs.
    let audience = session.caller.member_audience();
    let items = if trending {
        marketplace_catalog::trending_items(&*session.db, audience, limit).await?
    } else {
        marketplace_catalog::featured_items(&*session.db, audience, limit).await?
    };
    Ok(json(StatusCode::OK, &json!({ "items": items })))
}
