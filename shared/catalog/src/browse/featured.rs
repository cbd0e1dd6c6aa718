//! The featured route's two lists: the featured listings, and the trending ones (installs from distinct
//! workspaces in the last 7 days, counted as installs happen: `install/counts.rs`).

use crate::browse::listing::{list_items, ListQuery};
use crate::browse::sort::Sort;
use crate::foundation::audience::Audience;
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemSummary;
use crate::foundation::statement::Sql;

/// Approved, featured, listed items of every kind that `audience` sees, most popular first.
pub async fn featured_items(
    db: &impl Sql,
    audience: Audience,
    limit: i64,
) -> Result<Vec<ItemSummary>, CatalogError> {
    let query = ListQuery {
        featured: Some(true),
        limit,
        ..ListQuery::default()
    };
    Ok(list_items(db, audience, &query).await?.items)
}

/// The top trending listings of every kind (approved, listed) that `audience` sees, ties by all-time
/// popularity.
pub async fn trending_items(
    db: &impl Sql,
    audience: Audience,
    limit: i64,
) -> Result<Vec<ItemSummary>, CatalogError> {
    let query = ListQuery {
        sort: Sort::Trending,
        limit,
        ..ListQuery::default()
    };
    Ok(list_items(db, audience, &query).await?.items)
}
