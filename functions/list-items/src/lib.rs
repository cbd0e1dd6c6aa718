//! `GET /api/marketplace/items`: approved items of every kind (admins: unapproved too), filtered, sorted
//! and paginated together.

use marketplace_catalog::limits::{
    CATEGORY_CHARS, DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE, SEARCH_CHARS,
};
use marketplace_catalog::{ItemKind, ListQuery, Sort};
use marketplace_http::{
    json, respond, AppState, Body, HandlerResult, QueryParams, Request, Response, StatusCode,
};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> Response<Body> {
    respond(list_items(state, &req).await)
}

async fn list_items(state: &AppState, req: &Request) -> HandlerResult {
    let session = state.session(req).await?;
    let query = list_query(req)?;
    let page =
        marketplace_catalog::list_items(&*session.db, session.caller.audience(), &query).await?;
    Ok(json(StatusCode::OK, &page))
}

fn list_query(req: &Request) -> Result<ListQuery, marketplace_http::ApiError> {
    let mut params = QueryParams::new(req);
    let query = ListQuery {
        kind: params.optional("type", ItemKind::parse),
        category: params.text("category", CATEGORY_CHARS),
        search: params.text("search", SEARCH_CHARS),
        featured: params.boolean("featured"),
        sort: params
            .optional("sort", |raw| {
                Sort::parse(raw).ok_or("must be one of popular, newest, updated, name, workspaces")
            })
            .unwrap_or_default(),
        limit: params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE),
        offset: params.integer("offset", 0, 0..=MAX_OFFSET),
    };
    params.finish_with(|| Some(query))
}
