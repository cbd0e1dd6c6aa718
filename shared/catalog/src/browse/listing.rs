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
use tokio_postgres::GenericClient;

use crate::browse::search::{self, SearchTerm, SEARCH_TOTAL_CAP, SEARCH_WALK, SHORT_TERM_REGION};
use crate::browse::sort::Sort;
use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemSummary;
use crate::foundation::item::{enrich_agents, summary_columns};
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::limits::DEFAULT_PAGE_SIZE;
use crate::foundation::paged::total_and_page;
use crate::foundation::position::PositionValue;
use crate::foundation::statement::{Params, Placeholder, Statement};

mod relevance;

/// A validated listing request (the HTTP layer enforces the bounds of docs/api.md). The default is the first
/// page of everything, popular first, of the default size.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub kind: Option<ItemKind>,
    pub category: Option<String>,
    pub search: Option<String>,
    /// Items must carry every one of these tags (case-insensitive).
    pub tags: Vec<String>,
    pub featured: Option<bool>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
    /// Start after this position (from a cursor) instead of at `offset`.
    pub after: Option<Position>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            kind: None,
            category: None,
            search: None,
            tags: Vec::new(),
            featured: None,
            sort: Sort::Popular,
            limit: DEFAULT_PAGE_SIZE,
            offset: 0,
            after: None,
        }
    }
}

/// Where a page starts: the position of the last row the previous page showed, read from its cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Position(Vec<PositionValue>);

impl ListQuery {
    /// The position a cursor names, if it was issued for this listing (same filters, search and sort).
    pub fn position(&self, cursor: &str) -> Result<Position, CursorError> {
        cursor::decode(cursor, &self.scope(), &self.sort.position_types()).map(Position)
    }

    /// What a cursor is bound to: everything that selects and orders the rows, not the page size.
    fn scope(&self) -> String {
        let mut tags: Vec<String> = self.tags.iter().map(|tag| tag.to_lowercase()).collect();
        tags.sort();
        format!(
            "items\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
            self.kind.map(ItemKind::as_str),
            self.category.as_deref().map(str::to_lowercase),
            self.search,
            tags,
            self.featured,
            self.sort.as_str(),
        )
    }

    fn search_term(&self) -> Option<&str> {
        self.search.as_deref().filter(|term| !term.is_empty())
    }

    fn kinds(&self) -> Vec<ItemKind> {
        match self.kind {
            Some(kind) => vec![kind],
            None => ItemKind::ALL.to_vec(),
        }
    }
}

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
    db: &impl GenericClient,
    audience: Audience,
    query: &ListQuery,
) -> Result<Page, CatalogError> {
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
            items.push(ItemSummary::from_row(row)?);
            positions.push(row.read::<Value>("position")?);
        }
    }
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        positions.get(limit - 1).cloned()
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
    enrich_agents(db, audience, &mut items).await?;
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
    Statement::with_params(sql, params)
}

/// A listing request's parts, bound to one statement's parameters.
struct ListingSql<'q> {
    query: &'q ListQuery,
    audience: Audience,
    kinds: Vec<ItemKind>,
    category: Option<Placeholder>,
    tags: Option<Placeholder>,
    search: Option<SearchTerm>,
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
    walk: Placeholder,
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
        Self {
            query,
            audience,
            kinds: query.kinds(),
            category: query.category.clone().map(|category| params.bind(category)),
            tags: (!query.tags.is_empty()).then(|| params.bind(query.tags.clone())),
            search: query
                .search_term()
                .map(|term| SearchTerm::bind(term, params)),
            after,
            window: params.bind(query.offset + query.limit + 1),
            region: params.bind(SHORT_TERM_REGION),
            whole_regions: query.after.is_none(),
            offset: params.bind(query.offset),
            fetch: params.bind(query.limit + 1),
            walk: params.bind(query.offset + query.limit + SEARCH_WALK),
            ctes: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn sort(&self) -> Sort {
        self.query.sort
    }

    fn short_search(&self) -> Option<&SearchTerm> {
        self.search.as_ref().filter(|term| term.is_short())
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
        let branches = if sort.is_relevance() {
            self.relevance_branches()
        } else {
            self.ordered_branches()
        };
        let valid = if self.short_search().is_some() {
            format!(
                " AND NOT EXISTS (SELECT 1 FROM boundary e WHERE NOT {})",
                sort.at_or_before("b", "e")
            )
        } else {
            String::new()
        };
        let total = self.total_sql();
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
            rows = page_rows_sql(&self.kinds),
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
        let mut filters = self.audience.listed("t");
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

    /// One candidate read of `kind`: `tier` and `matched` as given, ordered by the stored keys.
    fn read(
        &self,
        kind: ItemKind,
        tier: &str,
        matched: &str,
        conditions: &str,
        limit: Placeholder,
    ) -> String {
        format!(
            "SELECT '{kind}'::text AS kind, t.id, {tier} AS tier, {columns}, {matched} AS matched
             FROM {table} t WHERE {filters}{conditions}
             ORDER BY {order} LIMIT {limit}",
            columns = self.sort().branch_columns(),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().table_order(),
        )
    }

    /// The first `window` rows in order that match the search, whatever its frequency: the walk of the
    /// next `walk` rows of every kind together finds them when the term is common; when it finds fewer, the
    /// term is rare, and each kind's candidates (its matches, through the search indexes) replace it. The
    /// planner cannot choose a walk of a whole index for a rare term it misjudges as common.
    fn searched_reads(&self, term: &SearchTerm, conditions: &str) -> String {
        let window = self.window;
        let stored = self.sort().stored_order();
        let walk = self.shared_cte(walk_key(conditions), || {
            self.walk(&term.matches(), "NULL::integer", "w.m", conditions)
        });
        let walked = self.walk_holds_page(&walk, "matched");
        let candidates = union_all(&self.kinds, |kind| {
            let candidates = self.shared_cte(candidates_key(kind, conditions), || {
                self.candidates(kind, "NULL::integer", term, conditions)
            });
            format!("(SELECT * FROM {candidates} ORDER BY {stored} LIMIT {window})")
        });
        format!(
            "(SELECT *, false AS region_end FROM (
                  SELECT * FROM {walk} WHERE matched ORDER BY {stored} LIMIT {window}) w
              WHERE {walked})
             UNION ALL
             (SELECT * FROM ({candidates}) c WHERE NOT {walked})"
        )
    }

    /// Whether `walk` holds the page's window of rows satisfying `rows`: counted once, however many reads
    /// ask.
    fn walk_holds_page(&self, walk: &str, rows: &str) -> String {
        let counted = self.shared_cte(format!("{walk} holds a page of {rows}"), || {
            format!(
                "SELECT count(*) >= {} AS filled FROM {walk} WHERE {rows}",
                self.window
            )
        });
        format!("(SELECT filled FROM {counted})")
    }

    /// `kind`'s first matches of the search in order, at most `CANDIDATES + 1` (or the page's window, if
    /// more), each with `tier`.
    fn candidates(
        &self,
        kind: ItemKind,
        tier: &str,
        term: &SearchTerm,
        conditions: &str,
    ) -> String {
        let limit = format!("greatest({}, {})", self.window, CANDIDATES + 1);
        self.lookup(kind, tier, &term.matches(), conditions, &limit)
    }

    /// `kind`'s first `limit` rows in order that satisfy `predicate`, each with `tier`, found through the
    /// indexes of the predicate: ordered by `ROW(keys)`, which no index provides, so that the planner looks
    /// the matches up and sorts them instead of walking the order's index.
    fn lookup(
        &self,
        kind: ItemKind,
        tier: &str,
        predicate: &str,
        conditions: &str,
        limit: &str,
    ) -> String {
        format!(
            "SELECT '{kind}'::text AS kind, t.id, {tier} AS tier, {columns}, true AS matched,
                    false AS region_end
             FROM {table} t WHERE {filters} AND {predicate}{conditions}
             ORDER BY {order} LIMIT {limit}",
            columns = self.sort().branch_columns(),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().unindexed_order(),
        )
    }

    /// The total of a first page of a rare term, from the candidates its reads already hold:
    /// `(when, total, total_exact)`, or None when this page reads no candidates.
    fn candidates_total(&self) -> Option<(String, String, String)> {
        let walk = self.find_cte(&walk_key(""))?;
        let counts = self
            .kinds
            .iter()
            .map(|kind| {
                self.find_cte(&candidates_key(*kind, ""))
                    .map(|candidates| format!("(SELECT count(*) FROM {candidates})"))
            })
            .collect::<Option<Vec<_>>>()?
            .join(" + ");
        let counted = self.cte(format!("SELECT {counts} AS n"));
        Some((
            format!("NOT {}", self.walk_holds_page(&walk, "matched")),
            format!("least((SELECT n FROM {counted}), {SEARCH_TOTAL_CAP})"),
            format!("(SELECT n FROM {counted}) <= {SEARCH_TOTAL_CAP}"),
        ))
    }

    /// A bounded region of `kind`: of its next `region` rows in order, the first `window` that match, and
    /// the region's last row (`region_end`, not a match), which bounds the page when the kind has fewer
    /// than `window` matches in the region and more rows beyond it.
    fn region(&self, kind: ItemKind, tier: &str, matched: &str, conditions: &str) -> String {
        if self.whole_regions {
            let matching = format!("{conditions} AND {matched}");
            let rows = self.read(kind, tier, "true", &matching, self.window);
            return format!("(SELECT *, false AS region_end FROM ({rows}) r)");
        }
        let region_rows = self.read(kind, tier, matched, conditions, self.region);
        let end = format!(
            "SELECT '{kind}'::text AS kind, t.id, {tier} AS tier, {columns}, false AS matched
             FROM {table} t WHERE {filters}{conditions}
             ORDER BY {order} OFFSET {region} - 1 LIMIT 1",
            columns = self.sort().branch_columns(),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().table_order(),
            region = self.region,
        );
        format!(
            "(SELECT *, false AS region_end FROM ({region_rows}) r WHERE matched
              ORDER BY {order} LIMIT {window})
             UNION ALL (SELECT *, true AS region_end FROM ({end}) e)",
            order = self.sort().stored_order(),
            window = self.window,
        )
    }

    /// The first `walk` rows of every kind together in this listing's order (one merge of the kinds' ordered
    /// indexes), each with `m`, an expression over the row (`t`), and the `tier` and `matched` it gives (over
    /// `w.m`). The kinds' rows are a union with no conditions of its own (PostgreSQL merges ordered reads of
    /// a union only then); the conditions apply to it as to one table.
    fn walk(&self, m: &str, tier: &str, matched: &str, conditions: &str) -> String {
        self.merged_read(m, tier, matched, conditions, self.walk)
    }

    /// The first `limit` rows of every kind together in this listing's order: see [`Self::walk`].
    fn merged_read(
        &self,
        m: &str,
        tier: &str,
        matched: &str,
        conditions: &str,
        limit: Placeholder,
    ) -> String {
        let columns = WALKED_COLUMNS.join(", t.");
        let rows = union_all(&self.kinds, |kind| {
            format!(
                "SELECT '{kind}'::text AS kind, t.{columns} FROM {table} t",
                table = kind.table()
            )
        });
        format!(
            "SELECT w.kind, w.id, {tier} AS tier, {names}, {matched} AS matched FROM (
                 SELECT t.kind, t.id, {m} AS m, {branch_columns}
                 FROM ({rows}) t WHERE {filters}{conditions}
                 ORDER BY {order} LIMIT {limit}) w",
            names = Sort::branch_column_names("w"),
            branch_columns = self.sort().branch_columns(),
            filters = self.filters(),
            order = self.sort().table_order(),
        )
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

    /// Non-relevance orders: the first `window` rows of every kind together; for a search, the walk of every
    /// kind and the reads that replace it for a rare term; for a short term, a region of each kind.
    fn ordered_branches(&self) -> String {
        let conditions = self.stored_after();
        match &self.search {
            Some(term) if term.is_short() => union_all(&self.kinds, |kind| {
                format!(
                    "({})",
                    self.region(kind, "NULL::integer", &term.matches(), &conditions)
                )
            }),
            Some(term) => self.searched_reads(term, &conditions),
            None => format!(
                "SELECT *, false AS region_end FROM ({}) r",
                self.merged_read("true", "NULL::integer", "w.m", &conditions, self.window)
            ),
        }
    }

    /// The total and whether it is exact: the counters when nothing but kind, category and featured filter;
    /// otherwise the matches, counted up to the cap (a short term: within each kind's first region). A
    /// search whose names alone start with the term more often than the cap is at the cap (the name index
    /// counts that); a rare term's first page counts the candidates it read.
    fn total_sql(&self) -> String {
        if self.search.is_none() && self.tags.is_none() {
            return format!(
                "SELECT ({}) AS total, true AS total_exact",
                counted_total_sql(
                    self.audience,
                    &self.kinds,
                    self.category,
                    self.query.featured
                )
            );
        }
        let Some(term) = &self.search else {
            return self.counted_matches_sql();
        };
        let over = SEARCH_TOTAL_CAP + 1;
        let prefixed = union_all(&self.kinds, |kind| {
            format!(
                "SELECT 1 FROM {table} t WHERE {filters} AND {prefix}",
                table = kind.table(),
                filters = self.filters(),
                prefix = term.tier_predicate(1),
            )
        });
        let prefixed = self.cte(format!(
            "SELECT count(*) AS n FROM ({prefixed} LIMIT {over}) p"
        ));
        let mut cases = vec![(
            format!("(SELECT n FROM {prefixed}) > {SEARCH_TOTAL_CAP}"),
            format!("{SEARCH_TOTAL_CAP}"),
            "false".to_owned(),
        )];
        if self.after.is_none() {
            cases.extend(self.candidates_total());
        }
        let counted = self.cte(self.counted_matches_sql());
        let case = |value: fn(&(String, String, String)) -> &String, otherwise: &str| {
            let whens: String = cases
                .iter()
                .map(|case| format!(" WHEN {} THEN {}", case.0, value(case)))
                .collect();
            format!("CASE{whens} ELSE (SELECT {otherwise} FROM {counted}) END")
        };
        format!(
            "SELECT ({})::bigint AS total, {} AS total_exact",
            case(|case| &case.1, "total"),
            case(|case| &case.2, "total_exact"),
        )
    }

    /// The matches of the search and tags, counted up to the cap (a short term: within each kind's first
    /// region).
    fn counted_matches_sql(&self) -> String {
        if let Some(term) = self.short_search() {
            let regions = union_all(&self.kinds, |kind| {
                format!(
                    "SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
                     FROM (SELECT {matches} AS m FROM {table} t WHERE {filters}
                           ORDER BY t.id LIMIT {SHORT_TERM_REGION}) r",
                    matches = term.matches(),
                    table = kind.table(),
                    filters = self.filters(),
                )
            });
            return format!(
                "SELECT least(sum(matches), {SEARCH_TOTAL_CAP})::bigint AS total,
                        bool_and(examined < {SHORT_TERM_REGION}) AND sum(matches) <= {SEARCH_TOTAL_CAP} AS total_exact
                 FROM ({regions}) regions"
            );
        }
        let matches = match &self.search {
            Some(term) => format!(" AND {}", term.matches()),
            None => String::new(),
        };
        let matching = union_all(&self.kinds, |kind| {
            format!(
                "SELECT 1 FROM {table} t WHERE {filters}{matches}",
                table = kind.table(),
                filters = self.filters(),
            )
        });
        format!(
            "SELECT least(count(*), {SEARCH_TOTAL_CAP}) AS total, count(*) <= {SEARCH_TOTAL_CAP} AS total_exact
             FROM ({matching} LIMIT {over}) matching",
            over = SEARCH_TOTAL_CAP + 1
        )
    }
}

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
    let checks: String = conditions
        .into_iter()
        .map(|condition| format!(" WHEN NOT ({condition}) THEN false"))
        .collect();
    if checks.is_empty() {
        "true".into()
    } else {
        format!("CASE{checks} ELSE true END")
    }
}

/// The columns of an item row that a walk's conditions, tiers and sort keys read: those every kind has.
const WALKED_COLUMNS: [&str; 17] = [
    "id",
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

/// The page's rows in full, from CTE `page` (kind, id, position, pos), one primary-key join per kind.
fn page_rows_sql(kinds: &[ItemKind]) -> String {
    union_all(kinds, |kind| {
        format!(
            "SELECT p.pos, p.position, {columns} FROM page p JOIN {table} t ON t.id = p.id WHERE p.kind = '{kind}'",
            columns = summary_columns(kind),
            table = kind.table(),
        )
    })
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
