//! The marketplace listing: every kind paginated together in one global order, in one statement.
//!
//! Each kind's table contributes its first `offset + limit` rows in the requested order, read from a partial
//! index; the union of those is ordered once more and cut to the page; only the page's rows are then read
//! in full. The total comes from `marketplace_counts` (O(1)), except for searches, which count their matches.

use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::column::ReadColumn;
use crate::item::{enrich_agents, summary_columns};
use crate::kind::union_all;
use crate::statement::{Params, Placeholder, Statement};
use crate::{CatalogError, ItemKind, ItemSummary, Viewer};

/// Listing order. Every order ends in `id`, unique across kinds, so pages never overlap or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Most installed first.
    #[default]
    Popular,
    Newest,
    /// Most recently updated first.
    Updated,
    /// Alphabetical, case-insensitive.
    Name,
}

impl Sort {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "popular" => Some(Self::Popular),
            "newest" => Some(Self::Newest),
            "updated" => Some(Self::Updated),
            "name" => Some(Self::Name),
            _ => None,
        }
    }

    /// ORDER BY over an item table `t`, matching that table's index for this order.
    fn table_order(self) -> &'static str {
        match self {
            Self::Popular => "t.install_count DESC, t.created_at DESC, t.id DESC",
            Self::Newest => "t.created_at DESC, t.id DESC",
            Self::Updated => "t.updated_at DESC, t.id DESC",
            Self::Name => "lower(t.name), t.id",
        }
    }

    /// What each kind's branch selects: the sort keys of this order, and typed NULLs for the others, so the
    /// branch reads nothing but its index (an index-only scan).
    fn branch_columns(self) -> &'static str {
        match self {
            Self::Popular => {
                "t.install_count, t.created_at, NULL::timestamptz AS updated_at, NULL::text AS name_key"
            }
            Self::Newest => {
                "NULL::integer AS install_count, t.created_at, NULL::timestamptz AS updated_at, NULL::text AS name_key"
            }
            Self::Updated => {
                "NULL::integer AS install_count, NULL::timestamptz AS created_at, t.updated_at, NULL::text AS name_key"
            }
            Self::Name => {
                "NULL::integer AS install_count, NULL::timestamptz AS created_at, NULL::timestamptz AS updated_at, \
                 lower(t.name) AS name_key"
            }
        }
    }

    /// The same order over the columns the branches select.
    fn merged_order(self) -> &'static str {
        match self {
            Self::Popular => "install_count DESC, created_at DESC, id DESC",
            Self::Newest => "created_at DESC, id DESC",
            Self::Updated => "updated_at DESC, id DESC",
            Self::Name => "name_key, id",
        }
    }
}

/// A validated listing request (the HTTP layer enforces the bounds of API.md).
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub kind: Option<ItemKind>,
    pub category: Option<String>,
    pub search: Option<String>,
    pub featured: Option<bool>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<ItemSummary>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list_items(
    db: &impl GenericClient,
    viewer: Viewer,
    query: &ListQuery,
) -> Result<Page, CatalogError> {
    let rows = listing_statement(viewer, query).query(db).await?;
    let total = match rows.first() {
        Some(row) => row.read("total")?,
        None => 0,
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.read::<Option<i64>>("id")?.is_some() {
            items.push(ItemSummary::from_row(row)?);
        }
    }
    enrich_agents(db, &mut items).await?;
    Ok(Page {
        items,
        total,
        limit: query.limit,
        offset: query.offset,
    })
}

/// Approved, featured, listed items of every kind, most popular first.
pub async fn featured_items(
    db: &impl GenericClient,
    limit: i64,
) -> Result<Vec<ItemSummary>, CatalogError> {
    let query = ListQuery {
        featured: Some(true),
        limit,
        ..ListQuery::default()
    };
    Ok(list_items(db, Viewer::Member, &query).await?.items)
}

/// Escapes `%`, `_` and `\` so that a search term matches itself, inside a substring LIKE pattern.
fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The statement behind one listing page: the page's rows, each carrying the total.
pub fn listing_statement(viewer: Viewer, query: &ListQuery) -> Statement<'static> {
    let mut params = Params::default();
    let sql = listing_sql(viewer, query, &mut params);
    Statement::with_params(sql, params)
}

fn listing_sql(viewer: Viewer, query: &ListQuery, params: &mut Params<'static>) -> String {
    let kinds: Vec<ItemKind> = match query.kind {
        Some(kind) => vec![kind],
        None => ItemKind::ALL.to_vec(),
    };

    let mut filters = viewer.listed("t");
    let category = query
        .category
        .as_ref()
        .map(|category| params.bind(category.clone()));
    if let Some(category) = category {
        filters.push_str(&format!(
            " AND lower(t.marketplace_category) = lower({category})"
        ));
    }
    match query.featured {
        Some(true) => filters.push_str(" AND t.is_featured"),
        Some(false) => filters.push_str(" AND NOT t.is_featured"),
        None => {}
    }
    let search = query.search.as_deref().filter(|term| !term.is_empty());
    if let Some(term) = search {
        let pattern = params.bind(contains_pattern(term));
        filters.push_str(&format!(
            " AND (t.name ILIKE {pattern} OR t.description ILIKE {pattern})"
        ));
    }

    let offset = params.bind(query.offset);
    let limit = params.bind(query.limit);
    let table_order = query.sort.table_order();
    let merged_order = query.sort.merged_order();

    // Without a search, each kind contributes its first `offset + limit` rows in order, read from the
    // matching partial index. A search contributes every match (found through the trigram indexes; an
    // ordered index walk would filter its way through the whole table), and counts them for the total.
    let order_and_window = if search.is_some() {
        String::new()
    } else {
        let window = params.bind(query.offset + query.limit);
        format!(" ORDER BY {table_order} LIMIT {window}")
    };
    let branches = union_all(&kinds, |kind| {
        format!(
            "(SELECT '{kind}'::text AS kind, t.id, {columns} FROM {table} t WHERE {filters}{order_and_window})",
            kind = kind.as_str(),
            columns = query.sort.branch_columns(),
            table = kind.table(),
        )
    });
    let rows = union_all(&kinds, |kind| {
        format!(
            "SELECT p.pos, {columns} FROM page p JOIN {table} t ON t.id = p.id WHERE p.kind = '{kind}'",
            columns = summary_columns(kind),
            table = kind.table(),
            kind = kind.as_str(),
        )
    });
    let total = if search.is_some() {
        "SELECT count(*) AS total FROM branches".to_owned()
    } else {
        counted_total_sql(viewer, &kinds, category, query.featured)
    };

    format!(
        "WITH branches AS ({branches}),
         page AS (SELECT kind, id, row_number() OVER (ORDER BY {merged_order}) AS pos
                  FROM branches ORDER BY {merged_order} OFFSET {offset} LIMIT {limit}),
         rows AS ({rows}),
         total AS ({total})
         SELECT total.total, rows.*, u.display_name AS creator_name
         FROM total
         LEFT JOIN rows ON true
         LEFT JOIN users u ON u.id = rows.original_creator_id
         ORDER BY rows.pos"
    )
}

/// The exact total from the per-(kind, category) counters.
fn counted_total_sql(
    viewer: Viewer,
    kinds: &[ItemKind],
    category: Option<Placeholder>,
    featured: Option<bool>,
) -> String {
    let counted = match featured {
        None => "c.items",
        Some(true) => "c.featured",
        Some(false) => "c.items - c.featured",
    };
    let kinds = kinds
        .iter()
        .map(|kind| format!("'{}'", kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "SELECT coalesce(sum({counted}), 0)::bigint AS total FROM marketplace_counts c WHERE c.kind IN ({kinds})"
    );
    if let Some(category) = category {
        sql.push_str(&format!(" AND c.category_key = lower({category})"));
    }
    if !viewer.is_admin() {
        sql.push_str(" AND c.is_approved");
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_match_themselves() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("plain"), "%plain%");
    }
}
