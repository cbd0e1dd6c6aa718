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
use crate::limits::DEFAULT_PAGE_SIZE;
use crate::statement::{Params, Placeholder, Statement};
use crate::{Audience, CatalogError, ItemKind, ItemSummary};

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
    /// Installed by the most workspaces first.
    Workspaces,
}

impl Sort {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "popular" => Some(Self::Popular),
            "newest" => Some(Self::Newest),
            "updated" => Some(Self::Updated),
            "name" => Some(Self::Name),
            "workspaces" => Some(Self::Workspaces),
            _ => None,
        }
    }

    /// The keys of this order before its `id` tie-break, matching one partial index per order in V2 (e.g.
    /// `(install_count DESC, created_at DESC, id DESC)`).
    fn keys(self) -> &'static [SortKey] {
        match self {
            Self::Popular => &[INSTALL_COUNT, CREATED_AT],
            Self::Newest => &[CREATED_AT],
            Self::Updated => &[UPDATED_AT],
            Self::Name => &[NAME_KEY],
            Self::Workspaces => &[WORKSPACE_COUNT, CREATED_AT],
        }
    }

    /// Every key of one order runs the same way, and so does its `id` tie-break.
    fn direction(self) -> &'static str {
        match self {
            Self::Popular | Self::Newest | Self::Updated | Self::Workspaces => " DESC",
            Self::Name => "",
        }
    }

    /// ORDER BY over an item table `t`.
    fn table_order(self) -> String {
        self.order_by(|key| key.expression, "t.id")
    }

    /// The same order over the columns the branches select.
    fn merged_order(self) -> String {
        self.order_by(|key| key.column, "id")
    }

    fn order_by(self, term: impl Fn(&SortKey) -> &'static str, id: &'static str) -> String {
        let direction = self.direction();
        self.keys()
            .iter()
            .map(term)
            .chain([id])
            .map(|term| format!("{term}{direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What each kind's branch selects: the sort keys of this order, and typed NULLs for the others, so that
    /// every branch has the same columns and reads nothing but its index (an index-only scan).
    fn branch_columns(self) -> String {
        SORT_KEYS
            .iter()
            .map(|key| {
                let column = key.column;
                if !self.keys().contains(key) {
                    format!("NULL::{} AS {column}", key.sql_type)
                } else if key.expression == format!("t.{column}") {
                    key.expression.to_owned()
                } else {
                    format!("{} AS {column}", key.expression)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A sort key: an expression over an item row `t`, and the column it becomes in a listing's branches.
#[derive(Debug, PartialEq, Eq)]
struct SortKey {
    expression: &'static str,
    column: &'static str,
    sql_type: &'static str,
}

const INSTALL_COUNT: SortKey = SortKey {
    expression: "t.install_count",
    column: "install_count",
    sql_type: "integer",
};
const CREATED_AT: SortKey = SortKey {
    expression: "t.created_at",
    column: "created_at",
    sql_type: "timestamptz",
};
const UPDATED_AT: SortKey = SortKey {
    expression: "t.updated_at",
    column: "updated_at",
    sql_type: "timestamptz",
};
const NAME_KEY: SortKey = SortKey {
    expression: "lower(t.name)",
    column: "name_key",
    sql_type: "text",
};

/// `sort=workspaces`, over V9's `%s_workspaces_idx`.
const WORKSPACE_COUNT: SortKey = SortKey {
    expression: "t.workspace_count",
    column: "workspace_count",
    sql_type: "integer",
};

/// Every sort key, in the order every branch selects them.
const SORT_KEYS: [SortKey; 5] = [
    INSTALL_COUNT,
    CREATED_AT,
    UPDATED_AT,
    NAME_KEY,
    WORKSPACE_COUNT,
];

/// A validated listing request (the HTTP layer enforces the bounds of docs/api.md). The default is the first
/// page of everything, popular first, of the default size.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub kind: Option<ItemKind>,
    pub category: Option<String>,
    pub search: Option<String>,
    pub featured: Option<bool>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            kind: None,
            category: None,
            search: None,
            featured: None,
            sort: Sort::default(),
            limit: DEFAULT_PAGE_SIZE,
            offset: 0,
        }
    }
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
    audience: Audience,
    query: &ListQuery,
) -> Result<Page, CatalogError> {
    let rows = listing_statement(audience, query).query(db).await?;
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
    Ok(list_items(db, Audience::Member, &query).await?.items)
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
pub fn listing_statement(audience: Audience, query: &ListQuery) -> Statement<'static> {
    let mut params = Params::default();
    let sql = listing_sql(audience, query, &mut params);
    Statement::with_params(sql, params)
}

fn listing_sql(audience: Audience, query: &ListQuery, params: &mut Params<'static>) -> String {
    let kinds: Vec<ItemKind> = match query.kind {
        Some(kind) => vec![kind],
        None => ItemKind::ALL.to_vec(),
    };
    let category_placeholder = query
        .category
        .as_ref()
        .map(|category| params.bind(category.clone()));
    let search = query.search.as_deref().filter(|term| !term.is_empty());
    let search_pattern = search.map(|term| params.bind(contains_pattern(term)));
    let filters = listing_filters(
        audience,
        category_placeholder,
        query.featured,
        search_pattern,
    );
    let offset = params.bind(query.offset);
    let limit = params.bind(query.limit);

    // Without a search, each kind contributes its first `offset + limit` rows in order, read from the
    // matching partial index. A search contributes every match (found through the trigram indexes; an
    // ordered index walk would filter its way through the whole table), and counts them for the total.
    let order_and_window = match search {
        Some(_) => String::new(),
        None => {
            let window = params.bind(query.offset + query.limit);
            format!(" ORDER BY {} LIMIT {window}", query.sort.table_order())
        }
    };
    let branches = union_all(&kinds, |kind| {
        format!(
            "(SELECT '{kind}'::text AS kind, t.id, {columns} FROM {table} t WHERE {filters}{order_and_window})",
            columns = query.sort.branch_columns(),
            table = kind.table(),
        )
    });
    let total_sql = match search {
        Some(_) => "SELECT count(*) AS total FROM branches".to_owned(),
        None => counted_total_sql(audience, &kinds, category_placeholder, query.featured),
    };
    let merged_order = query.sort.merged_order();
    let page = format!(
        "SELECT kind, id, row_number() OVER (ORDER BY {merged_order}) AS pos
         FROM branches ORDER BY {merged_order} OFFSET {offset} LIMIT {limit}"
    );
    listing_template(&branches, &page, &page_rows_sql(&kinds), &total_sql)
}

/// The listing statement around its parts: each kind's candidate rows (`branches`), the page cut from them,
/// the page's rows in full, and the total.
fn listing_template(branches: &str, page: &str, rows: &str, total: &str) -> String {
    format!(
        "WITH branches AS ({branches}),
         page AS ({page}),
         rows AS ({rows}),
         total AS ({total})
         {select}",
        select = total_and_page(
            "rows",
            "LEFT JOIN users u ON u.id = rows.original_creator_id",
            "u.display_name AS creator_name",
            "rows.pos"
        ),
    )
}

/// The predicate on an item row `t` for a listing: listed for this audience, then the request's filters.
fn listing_filters(
    audience: Audience,
    category_placeholder: Option<Placeholder>,
    featured: Option<bool>,
    search_pattern: Option<Placeholder>,
) -> String {
    let mut filters = audience.listed("t");
    if let Some(placeholder) = category_placeholder {
        filters.push_str(&format!(
            " AND lower(t.marketplace_category) = lower({placeholder})"
        ));
    }
    match featured {
        Some(true) => filters.push_str(" AND t.is_featured"),
        Some(false) => filters.push_str(" AND NOT t.is_featured"),
        None => {}
    }
    if let Some(pattern) = search_pattern {
        filters.push_str(&format!(
            " AND (t.name ILIKE {pattern} OR t.description ILIKE {pattern})"
        ));
    }
    filters
}

/// The page's rows in full, from CTE `page` (kind, id, pos), one primary-key join per kind.
fn page_rows_sql(kinds: &[ItemKind]) -> String {
    union_all(kinds, |kind| {
        format!(
            "SELECT p.pos, {columns} FROM page p JOIN {table} t ON t.id = p.id WHERE p.kind = '{kind}'",
            columns = summary_columns(kind),
            table = kind.table(),
        )
    })
}

/// The final SELECT of a paged statement over CTEs `total` (one row, column `total`) and `page`: every row of
/// the page carrying the total, or one row with only the total when the page is empty. `joins` and `columns`
/// add to each page row; `order` orders them.
pub(crate) fn total_and_page(page: &str, joins: &str, columns: &str, order: &str) -> String {
    let columns = if columns.is_empty() {
        String::new()
    } else {
        format!(", {columns}")
    };
    format!(
        "SELECT total.total, {page}.*{columns}
         FROM total
         LEFT JOIN {page} ON true
         {joins}
         ORDER BY {order}"
    )
}

/// The exact total from the per-(kind, category) counters.
fn counted_total_sql(
    audience: Audience,
    kinds: &[ItemKind],
    category_placeholder: Option<Placeholder>,
    featured: Option<bool>,
) -> String {
    let counted = match featured {
        None => "c.items",
        Some(true) => "c.featured",
        Some(false) => "c.items - c.featured",
    };
    let kinds = kinds
        .iter()
        .map(|kind| format!("'{kind}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "SELECT coalesce(sum({counted}), 0)::bigint AS total FROM marketplace_counts c WHERE c.kind IN ({kinds})"
    );
    if let Some(placeholder) = category_placeholder {
        sql.push_str(&format!(" AND c.category_key = lower({placeholder})"));
    }
    if !audience.is_admin() {
        sql.push_str(" AND c.is_approved");
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_query_is_a_first_page_of_the_default_size() {
        let query = ListQuery::default();
        assert_eq!((query.limit, query.offset), (DEFAULT_PAGE_SIZE, 0));
        assert_eq!(query.sort, Sort::Popular);
    }

    #[test]
    fn orders_follow_the_listing_indexes_of_v2() {
        let orders = [
            (
                Sort::Popular,
                "t.install_count DESC, t.created_at DESC, t.id DESC",
            ),
            (Sort::Newest, "t.created_at DESC, t.id DESC"),
            (Sort::Updated, "t.updated_at DESC, t.id DESC"),
            (Sort::Name, "lower(t.name), t.id"),
            (
                Sort::Workspaces,
                "t.workspace_count DESC, t.created_at DESC, t.id DESC",
            ),
        ];
        for (sort, table_order) in orders {
            assert_eq!(sort.table_order(), table_order, "{sort:?}");
            let merged = table_order
                .replace("t.", "")
                .replace("lower(name)", "name_key");
            assert_eq!(sort.merged_order(), merged, "{sort:?}");
        }
    }

    #[test]
    fn every_branch_selects_every_sort_key_in_the_same_place() {
        assert_eq!(
            Sort::Popular.branch_columns(),
            "t.install_count, t.created_at, NULL::timestamptz AS updated_at, NULL::text AS name_key, \
             NULL::integer AS workspace_count"
        );
        assert_eq!(
            Sort::Name.branch_columns(),
            "NULL::integer AS install_count, NULL::timestamptz AS created_at, \
             NULL::timestamptz AS updated_at, lower(t.name) AS name_key, NULL::integer AS workspace_count"
        );
    }

    #[test]
    fn search_terms_match_themselves() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("plain"), "%plain%");
    }
}
