//! The marketplace listing: every kind paginated together in one global order, in one statement.
//!
//! The kinds' partial indexes in the requested order are read together, merged, for the first
//! `offset + limit + 1` candidate rows (after the cursor's position, if any); the candidates are cut to the
//! page, and only the page's rows are then read in full. The extra row tells whether a next page exists. A
//! search walks further and reads a rare term's matches through the search indexes instead (relevance:
//! `listing/relevance.rs`; a short term: bounded regions, see `search.rs`). The total comes from
//! `marketplace_counts` (O(1)); a search or tag filter counts its matches up to [`SEARCH_TOTAL_CAP`].

use serde::Serialize;
use serde_json::Value;

use crate::browse::search::{self, SearchTerm, SEARCH_TOTAL_CAP, SEARCH_WALK, SHORT_TERM_REGION};
use crate::browse::sort::Sort;
use crate::foundation::audience::sees_catalog;
use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::cursor;
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemSummary;
use crate::foundation::item::{summary_join, SUMMARY_COLUMNS};
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::paged::total_and_page;
use crate::foundation::position::PositionValue;
use crate::foundation::statement::{Params, Placeholder, Sql, Statement};

mod query;
mod reads;
mod relevance;
#[doc(hidden)]
pub mod shapes;
#[cfg(test)]
mod snapshots;
mod total;

pub use query::{ListQuery, Position};

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<ItemSummary>,
    /// Exact when `total_exact`; otherwise at least this many match (a search counts up to a cap).
    pub total: i64,
    pub total_exact: bool,
    pub limit: i64,
    pub offset: i64,
    /// The cursor of the next page; None on the last.
    pub next_cursor: Option<String>,
    /// With a search that found nothing: names of listed items close to the term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
}

pub async fn list_items(
    db: &impl Sql,
    audience: Audience,
    query: &ListQuery,
) -> Result<Page, CatalogError> {
    if query.sort.is_relevance() && query.search_term().is_none() {
        return Err(CatalogError::Unprocessable(
            "sort".into(),
            "sort=relevance needs a search term".into(),
        ));
    }
    let rows = listing_statement(audience, query).query(db).await?;
    let (mut total, mut total_exact, resume_at): (i64, bool, Option<Value>) = match rows.first() {
        Some(row) => (
            row.read("total")?,
            row.read("total_exact")?,
            row.read("resume_at")?,
        ),
        None => (0, true, None),
    };
    let mut items = Vec::with_capacity(rows.len());
    let mut positions = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.read::<Option<i64>>("id")?.is_some() {
            items.push(ItemSummary::from_row(row, audience)?);
            positions.push(row.read::<Value>("position")?);
        }
    }
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        limit
            .checked_sub(1)
            .and_then(|last| positions.get(last))
            .cloned()
    } else {
        resume_at
    };
    let next_cursor = next.map(|position| match position {
        Value::Array(values) => cursor::encode(&query.scope(), &values),
        other => cursor::encode(&query.scope(), &[other]),
    });
    // A short term's total counts the first region of each kind: never below what the pages showed.
    let shown = query.offset + items.len() as i64;
    let short = query.search_term().is_some_and(search::is_short);
    if short && !items.is_empty() && shown > total {
        total = shown;
        total_exact = next_cursor.is_none();
    }
    if let Some(catalog) = query.catalog {
        if items.is_empty() && !sees_catalog(db, audience, catalog).await? {
            return Err(CatalogError::NotFound("catalog"));
        }
    }
    let suggestions = match query.search_term() {
        Some(term)
            if total == 0
                && query.offset == 0
                && query.after.is_none()
                && next_cursor.is_none()
                && search::suggests(term) =>
        {
            Some(search::suggestions(db, audience, &query.kinds(), term).await?)
        }
        Some(_) => Some(Vec::new()),
        None => None,
    };
    Ok(Page {
        items,
        total,
        total_exact,
        limit: query.limit,
        offset: query.offset,
        next_cursor,
        suggestions,
    })
}

/// The statement behind one listing page: the page's rows (one more than the page, if there is a next),
/// each carrying the total, whether it is exact, and where a short-term search resumes.
pub fn listing_statement(audience: Audience, query: &ListQuery) -> Statement<'static> {
    let mut params = Params::default();
    let sql = ListingSql::bind(audience, query, &mut params).sql();
    Statement::with_params(compact(&sql), params)
}

/// A listing request's parts, bound to one statement's parameters.
struct ListingSql<'q> {
    query: &'q ListQuery,
    audience: Audience,
    kinds: Vec<ItemKind>,
    category: Option<Placeholder>,
    tags: Option<Placeholder>,
    /// The order the statement runs in (relevance without a term runs in the default order).
    sort: Sort,
    walk: Walk,
    /// The cursor's tier (relevance) and the placeholders of its stored keys and id.
    after: Option<(Option<i32>, Vec<Placeholder>)>,
    /// How many candidate rows each ordered read contributes.
    window: Placeholder,
    /// How many rows a short term's region holds per kind.
    region: Placeholder,
    /// A short term's page that starts a walk (the first page, or one at an offset), rather than continuing
    /// one after a cursor: each kind's matches are read in order up to the page, whatever region they are
    /// in, so that offset paging shows the rows cursor paging shows at that position.
    whole_regions: bool,
    offset: Placeholder,
    fetch: Placeholder,
    /// How many rows a search's ordered walk examines before the search indexes take over.
    walk_rows: Placeholder,
    /// The materialized CTEs of the reads built so far (named `read_<n>`), with the keys of shared ones.
    ctes: std::cell::RefCell<Vec<(Option<String>, String)>>,
}

impl<'q> ListingSql<'q> {
    fn bind(audience: Audience, query: &'q ListQuery, params: &mut Params<'static>) -> Self {
        let after = query.after.as_ref().map(|Position(values)| {
            let tier = match values.first() {
                Some(PositionValue::Integer(tier)) if query.sort.is_relevance() => {
                    Some(i32::try_from(*tier).unwrap_or(i32::MAX))
                }
                _ => None,
            };
            (tier, query.sort.bind_position(values, params))
        });
        let kinds = query.kinds();
        let category = query.category.clone().map(|category| params.bind(category));
        let tags = (!query.tags.is_empty()).then(|| params.bind(query.tags.clone()));
        let term = query
            .search_term()
            .map(|term| SearchTerm::bind(term, params));
        let (sort, walk) = match term {
            None if query.sort.is_relevance() => (Sort::Popular, Walk::Merged),
            None => (query.sort, Walk::Merged),
            Some(term) if query.sort.is_relevance() => (query.sort, Walk::Relevance(term)),
            Some(term) => (query.sort, Walk::Searched(term)),
        };
        Self {
            query,
            audience,
            kinds,
            category,
            tags,
            sort,
            walk,
            after,
            window: params.bind(query.offset + query.limit + 1),
            region: params.bind(SHORT_TERM_REGION),
            whole_regions: query.after.is_none(),
            offset: params.bind(query.offset),
            fetch: params.bind(query.limit + 1),
            walk_rows: params.bind(query.offset + query.limit + SEARCH_WALK),
            ctes: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn sort(&self) -> Sort {
        self.sort
    }

    /// The search term, whatever the walk.
    fn search(&self) -> Option<&SearchTerm> {
        match &self.walk {
            Walk::Merged => None,
            Walk::Searched(term) | Walk::Relevance(term) => Some(term),
        }
    }

    fn short_search(&self) -> Option<&SearchTerm> {
        self.search().filter(|term| term.is_short())
    }

    /// Registers `sql` as a materialized CTE (computed once, and only if a row of it is asked for) and
    /// returns its name.
    fn cte(&self, sql: String) -> String {
        let mut ctes = self.ctes.borrow_mut();
        ctes.push((None, sql));
        format!("read_{}", ctes.len() - 1)
    }

    /// The CTE registered under `key`, registering `make()` under it the first time.
    fn shared_cte(&self, key: String, make: impl FnOnce() -> String) -> String {
        if let Some(name) = self.find_cte(&key) {
            return name;
        }
        let sql = make();
        let mut ctes = self.ctes.borrow_mut();
        ctes.push((Some(key), sql));
        format!("read_{}", ctes.len() - 1)
    }

    /// The CTE registered under `key`, if any.
    fn find_cte(&self, key: &str) -> Option<String> {
        self.ctes
            .borrow()
            .iter()
            .position(|(k, _)| k.as_deref() == Some(key))
            .map(|n| format!("read_{n}"))
    }

    fn sql(&self) -> String {
        let sort = self.sort();
        let merged = sort.merged_order();
        let branches = self.branches();
        let valid = if self.short_search().is_some() {
            format!(
                " AND NOT EXISTS (SELECT 1 FROM boundary e WHERE NOT {})",
                sort.at_or_before("b", "e")
            )
        } else {
            String::new()
        };
        let total = self.total_sql(&branches);
        let branches = branches.0;
        let ctes: String = self
            .ctes
            .borrow()
            .iter()
            .enumerate()
            .map(|(n, (_, sql))| format!("read_{n} AS MATERIALIZED ({sql}),\n"))
            .collect();
        format!(
            "WITH {ctes}branches AS ({branches}),
             boundary AS (
                 SELECT * FROM branches e
                 WHERE e.region_end
                   AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < {window}
                 ORDER BY {merged} LIMIT 1),
             page AS (
                 SELECT p.kind, p.id, p.pos, {position} AS position FROM (
                     SELECT b.*, row_number() OVER (ORDER BY {merged}) AS pos
                     FROM branches b WHERE b.matched{valid}
                     ORDER BY {merged} OFFSET {offset} LIMIT {fetch}) p),
             rows AS ({rows}),
             total AS (SELECT counted.*, (SELECT {resume} FROM boundary e) AS resume_at
                       FROM ({total}) counted)
             {select}",
            position = sort.position_json("p"),
            window = self.window,
            offset = self.offset,
            fetch = self.fetch,
            rows = page_rows_sql(),
            resume = sort.position_json("e"),
            select = total_and_page(
                "rows",
                "LEFT JOIN users u ON u.id = rows.original_creator_id",
                "u.display_name AS creator_name",
                "rows.pos"
            ),
        )
    }

    /// The predicate on an item row `t` for this listing: listed for this audience, then the filters.
    fn filters(&self) -> String {
        let mut filters = match self.query.catalog {
            Some(catalog) => self.audience.listed_in_catalog("t", catalog),
            None => self.audience.listed("t"),
        };
        if let Some(category) = self.category {
            filters.push_str(&format!(
                " AND lower(t.marketplace_category) = lower({category})"
            ));
        }
        match self.query.featured {
            Some(true) => filters.push_str(" AND t.is_featured"),
            Some(false) => filters.push_str(" AND NOT t.is_featured"),
            None => {}
        }
        if let Some(tags) = self.tags {
            filters.push_str(&format!(
                " AND lower_tags(t.tags) @> lower_tags(to_jsonb({tags}::text[]))"
            ));
        }
        filters
    }

    /// The columns every candidate row has, in the one order every read of a page selects them (their
    /// union lines up by position): `kind` (the expression given, named `kind`), `id`, `tier`, this sort's
    /// keys, `matched`; each read then adds `region_end`. Only the merged walk names its own, from the
    /// same lists ([`Sort::branch_columns`], [`Sort::branch_column_names`]).
    fn candidate_columns(&self, kind: &str, tier: &str, matched: &str) -> String {
        format!(
            "{kind}, t.id, {tier} AS tier, {keys}, {matched} AS matched",
            keys = self.sort().branch_columns()
        )
    }

    /// The rows of this listing's kinds, as a relation with a `kind` column: the view `item_rows` (V16) for
    /// every kind, one table for one (the planner then has no other kinds' tables to plan and rule out).
    fn rows(&self) -> String {
        match self.kinds.as_slice() {
            [kind] => format!(
                "(SELECT '{kind}'::text AS kind, k.{} FROM {} k)",
                ITEM_ROWS_COLUMNS.join(", k."),
                kind.table()
            ),
            _ => "item_rows".to_owned(),
        }
    }

    /// The cursor's bound on the stored keys, as an extra condition on `t`.
    fn stored_after(&self) -> String {
        match &self.after {
            Some((_, position)) => {
                format!(" AND {}", self.sort().stored_after(position))
            }
            None => String::new(),
        }
    }

    /// The candidate rows of the page, by walk: the first `window` rows of every kind together; for a
    /// search, the walk of every kind and the reads that replace it for a rare term; for a short term, a
    /// region of each kind; for relevance, tier by tier.
    fn branches(&self) -> Branches {
        let conditions = self.stored_after();
        Branches(match &self.walk {
            Walk::Merged => format!(
                "SELECT *, false AS region_end FROM ({}) r",
                self.merged_read("true", "NULL::integer", "w.m", &conditions, self.window)
            ),
            Walk::Searched(term) if term.is_short() => union_all(&self.kinds, |kind| {
                format!(
                    "({})",
                    self.region(kind, "NULL::integer", &term.matches(), &conditions)
                )
            }),
            Walk::Searched(term) => self.searched_reads(term, &conditions),
            Walk::Relevance(term) => self.relevance_branches(term),
        })
    }
}

/// The columns of `item_rows` (V16) besides `kind`: what a walk's conditions, tiers and sort keys read. A
/// one-kind listing selects them from its table (its whole row would make every plan longer to make).
const ITEM_ROWS_COLUMNS: [&str; 18] = [
    "id",
    "catalog_id",
    "owner_type",
    "delisted_at",
    "is_approved",
    "is_featured",
    "marketplace_category",
    "tags",
    "name",
    "description",
    "name_words",
    "search_words",
    "install_count",
    "created_at",
    "updated_at",
    "rating_score",
    "trending_installs",
    "workspace_count",
];

/// How a page's candidate rows are read: decided once, from the sort and the search term.
enum Walk {
    /// No search: the first `window` rows of every kind's order together.
    Merged,
    /// A search in a stored order: the shared walk (or each kind's matches) for a term with a trigram, a
    /// region of each kind for a shorter one.
    Searched(SearchTerm),
    /// `sort=relevance` with a term: tier by tier (`listing/relevance.rs`).
    Relevance(SearchTerm),
}

/// The SQL of a page's candidate rows, once built: the total is built after it (it counts from the reads
/// the branches registered).
struct Branches(String);

/// How many of a kind's matches a rare term's candidate read holds (one more tells there are more).
const CANDIDATES: i64 = SEARCH_TOTAL_CAP;

fn walk_key(conditions: &str) -> String {
    format!("walk{conditions}")
}

fn candidates_key(kind: ItemKind, conditions: &str) -> String {
    format!("candidates {kind}{conditions}")
}

/// All of `conditions`, evaluated in the order given (a later one only when every earlier one holds), so
/// that a costly read behind a condition runs only when it is needed. "true" for none.
fn in_order(conditions: impl IntoIterator<Item = String>) -> String {
    let checks: Vec<String> = conditions.into_iter().collect();
    match checks.as_slice() {
        [] => "true".into(),
        // What CASE makes of one condition: only false fails.
        [condition] => format!("({condition}) IS NOT FALSE"),
        _ => {
            let whens: String = checks
                .iter()
                .map(|condition| format!(" WHEN NOT ({condition}) THEN false"))
                .collect();
            format!("CASE{whens} ELSE true END")
        }
    }
}

/// `sql` without the indentation and runs of blanks its builders' source lines leave (outside quoted
/// literals): the listing's statements stay readable on file and well under RDS Proxy's pinning size.
fn compact(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        if !quoted && c.is_whitespace() {
            match out.chars().last() {
                Some(' ') if c == '\n' => {
                    out.pop();
                    out.push('\n');
                }
                Some(' ' | '\n') | None => {}
                _ => out.push(if c == '\n' { '\n' } else { ' ' }),
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The page's rows in full, from CTE `page` (kind, id, position, pos), by their primary keys.
fn page_rows_sql() -> String {
    format!(
        "SELECT p.pos, p.position, {SUMMARY_COLUMNS} FROM page p {}",
        summary_join("p")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::cursor::CursorError;
    use crate::foundation::limits::DEFAULT_PAGE_SIZE;

    #[test]
    fn the_default_query_is_a_first_page_of_the_default_size() {
        let query = ListQuery::default();
        assert_eq!((query.limit, query.offset), (DEFAULT_PAGE_SIZE, 0));
        assert_eq!(query.sort, Sort::Popular);
    }

    #[test]
    fn a_cursor_is_bound_to_the_filters_and_sort_but_not_the_page_size() {
        let query = ListQuery {
            search: Some("mail".into()),
            tags: vec!["B".into(), "a".into()],
            sort: Sort::Newest,
            ..ListQuery::default()
        };
        let token = cursor::encode(
            &query.scope(),
            &[serde_json::json!(5), serde_json::json!(9)],
        );
        let resized = ListQuery {
            limit: 7,
            tags: vec!["A".into(), "b".into()],
            ..query.clone()
        };
        assert!(resized.position(&token).is_ok());
        for other in [
            ListQuery {
                search: Some("mails".into()),
                ..query.clone()
            },
            ListQuery {
                sort: Sort::Updated,
                ..query.clone()
            },
            ListQuery {
                featured: Some(true),
                ..query.clone()
            },
            ListQuery {
                kind: Some(ItemKind::Agent),
                ..query.clone()
            },
        ] {
            assert_eq!(other.position(&token), Err(CursorError::OtherListing));
        }
    }
}
