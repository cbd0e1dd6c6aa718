//! `GET /api/marketplace/featured`: approved, featured items of every kind, most popular first; with
//! `trending=true`, the top trending items instead (featured or not).

use marketplace_http::{json, read, AppState, HandlerResult, QueryParams, Request, StatusCode};
use serde_json::json;

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let mut params = QueryParams::new(&req);
    let limit = params.integer("limit", state.config.featured_limit, 1..=20);
    let trending = params.boolean("trending").unwrap_or(false);
    params.finish()?;
    // Approved listings only, for admins too: public ones and those of the caller's catalogs.
    let items = read!(session, |db, caller| async {
        let audience = caller.member_audience();
        if trending {
            marketplace_catalog::trending_items(db, audience, limit).await
        } else {
            marketplace_catalog::featured_items(db, audience, limit).await
        }
    });
    Ok(json(StatusCode::OK, &json!({ "items": items })))
}
