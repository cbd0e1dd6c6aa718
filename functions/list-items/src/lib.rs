//! `GET /api/marketplace/items`: approved items of every kind (admins: unapproved too), public and those of
//! the caller's private catalogs (`catalog`: one catalog's), filtered, sorted and paginated together. One
//! statement; a second only when the first found nothing: a search's suggestions, or whether the caller may
//! see the `catalog` asked for (an empty page or 404).

use marketplace_catalog::limits::{
    CATEGORY_CHARS, DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE, MAX_TAG_FILTERS, SEARCH_CHARS,
    TAG_CHARS,
};
use marketplace_catalog::{ItemKind, ListQuery, Sort};
use marketplace_http::{json, read, AppState, HandlerResult, QueryParams, Request, StatusCode};

#[tracing::instrument(skip_all)]
pub async fn handle(state: &AppState, req: Request) -> HandlerResult {
    let session = state.read_session(&req).await?;
    let query = list_query(&req)?;
    let page = read!(session, |db, caller| marketplace_catalog::list_items(
        db,
        caller.audience(),
        &query
    ));
    Ok(json(StatusCode::OK, &page))
}

fn list_query(req: &Request) -> Result<ListQuery, marketplace_http::ApiError> {
    let mut params = QueryParams::new(req);
    let search = params.text("search", SEARCH_CHARS);
    let searching = search.as_deref().is_some_and(|term| !term.is_empty());
    let sort = params.optional("sort", |raw| match Sort::parse(raw) {
        Some(Sort::Relevance) if !searching => Err("relevance needs a search term".to_owned()),
        Some(sort) => Ok(sort),
        None => Err(format!("must be one of {}", Sort::NAMES)),
    });
    let mut query = ListQuery {
        kind: params.optional("type", ItemKind::parse),
        category: params.text("category", CATEGORY_CHARS),
        search,
        tags: params.repeated("tag", MAX_TAG_FILTERS, TAG_CHARS),
        featured: params.boolean("featured"),
        catalog: params.optional("catalog", |raw| {
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or("must be a catalog id (a positive integer)")
        }),
        sort: sort.unwrap_or(if searching {
            Sort::Relevance
        } else {
            Sort::Popular
        }),
        limit: params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE),
        offset: params.integer("offset", 0, 0..=MAX_OFFSET),
        after: None,
    };
    query.after = params.cursor(query.offset, |cursor| query.position(cursor));
    params.finish_with(|| Some(query))
}
