//! A listing's total and whether it is exact: the counters when nothing but kind, category and featured
//! filter; otherwise the matches, counted up to the cap.

use super::{candidates_key, walk_key, Branches, ListingSql};
use crate::browse::search::SEARCH_TOTAL_CAP;
use crate::browse::search::SHORT_TERM_REGION;
use crate::foundation::audience::{Audience, Catalogs};
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Placeholder;

impl ListingSql<'_> {
    /// The total of a first page of a rare term, from the candidates its reads already hold:
    /// `(when, total, total_exact)`, or None when this page reads no candidates.
    pub(super) fn candidates_total(&self) -> Option<(String, String, String)> {
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

    /// The total and whether it is exact: the counters when nothing but kind, category and featured filter;
    /// otherwise the matches, counted up to the cap (a short term: within each kind's first region). A
    /// search whose names alone start with the term more often than the cap is at the cap (the name index
    /// counts that); a rare term's first page counts the candidates it read.
    pub(super) fn total_sql(&self, _after: &Branches) -> String {
        if self.search().is_none() && self.tags.is_none() {
            return format!(
                "SELECT ({}) AS total, true AS total_exact",
                counted_total_sql(
                    self.audience,
                    &self.kinds,
                    self.category,
                    self.query.featured,
                    self.query.catalog,
                )
            );
        }
        let Some(term) = self.search() else {
            return self.counted_matches_sql();
        };
        let over = SEARCH_TOTAL_CAP + 1;
        let prefixed = self.cte(format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM {rows} t WHERE {filters} AND {prefix} LIMIT {over}) p",
            filters = self.filters(),
            rows = self.rows(),
            prefix = term.tier_predicate(1),
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
    pub(super) fn counted_matches_sql(&self) -> String {
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
        let matches = match self.search() {
            Some(term) => format!(" AND {}", term.matches()),
            None => String::new(),
        };
        format!(
            "SELECT least(count(*), {SEARCH_TOTAL_CAP}) AS total, count(*) <= {SEARCH_TOTAL_CAP} AS total_exact
             FROM (SELECT 1 FROM {rows} t WHERE {filters}{matches} LIMIT {over}) matching",
            filters = self.filters(),
            rows = self.rows(),
            over = SEARCH_TOTAL_CAP + 1
        )
    }
}

/// The exact total from the per-(kind, category) counters: the public ones (`marketplace_counts`) and those
/// of the private catalogs the audience sees (`catalog_counts`; catalog 0 counts every private listing).
fn counted_total_sql(
    audience: Audience,
    kinds: &[ItemKind],
    category_placeholder: Option<Placeholder>,
    featured: Option<bool>,
    catalog: Option<i64>,
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
    let mut filters = format!("c.kind IN ({kinds})");
    if let Some(placeholder) = category_placeholder {
        filters.push_str(&format!(" AND c.category_key = lower({placeholder})"));
    }
    if !audience.is_admin() {
        filters.push_str(" AND c.is_approved");
    }
    let sum = |table: &str, catalogs: &str| {
        format!("(SELECT coalesce(sum({counted}), 0) FROM {table} c WHERE {filters}{catalogs})")
    };
    let total = match (catalog, audience.catalogs()) {
        (Some(catalog), _) => sum(
            "catalog_counts",
            &format!(
                " AND c.catalog_id = {catalog} AND {}",
                audience.sees_catalog("c.catalog_id")
            ),
        ),
        (None, Catalogs::Every) => format!(
            "{} + {}",
            sum("marketplace_counts", ""),
            sum("catalog_counts", " AND c.catalog_id = 0")
        ),
        (None, Catalogs::None) => sum("marketplace_counts", ""),
        (None, Catalogs::Of(catalogs)) => format!(
            "{} + {}",
            sum("marketplace_counts", ""),
            sum(
                "catalog_counts",
                &format!(" AND c.catalog_id IN ({catalogs})")
            )
        ),
    };
    format!("SELECT ({total})::bigint AS total")
}
