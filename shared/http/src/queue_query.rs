//! What the marketplace's review queue and a catalog's both take: `status`, `limit`, and `offset` or the
//! previous page's `cursor`.

use lambda_http::Request;
use marketplace_catalog::limits::{DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE};
use marketplace_catalog::{QueueQuery, ReviewStatus};

use crate::error::ApiError;
use crate::query_params::QueryParams;

/// The page of the queue of `catalog` (`None`: the marketplace's) that the request asks for.
pub fn queue_query(req: &Request, catalog: Option<i64>) -> Result<QueueQuery, ApiError> {
    let mut params = QueryParams::new(req);
    let status = params
        .optional("status", |raw| {
            ReviewStatus::parse(raw).ok_or("must be one of pending, approved, rejected")
        })
        .unwrap_or_default();
    let mut query = QueueQuery {
        status,
        limit: params.integer("limit", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE),
        offset: params.integer("offset", 0, 0..=MAX_OFFSET),
        after: None,
        catalog,
    };
    query.after = params.cursor(query.offset, |cursor| query.position(cursor));
    params.finish()?;
    Ok(query)
}
