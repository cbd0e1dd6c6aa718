//! Every shape the listing statement takes: the benchmark's scenarios and the shapes the tests reach. Their
//! SQL is on file (`snapshots.rs`), and an integration test runs each on PostgreSQL, so that a read whose
//! columns do not line up with the others fails in CI, not in production.

use super::{ListQuery, Position};
use crate::browse::sort::Sort;
use crate::foundation::audience::Audience;
use crate::foundation::kind::ItemKind;
use crate::foundation::position::{KeyType, PositionValue};

fn query(edit: impl FnOnce(&mut ListQuery)) -> ListQuery {
    let mut query = ListQuery::default();
    edit(&mut query);
    query
}

/// A position of `sort`'s shape, at tier `tier` for relevance.
fn after(sort: Sort, tier: i64) -> Position {
    let mut types = sort.position_types().into_iter();
    let mut values = Vec::new();
    if sort.is_relevance() {
        types.next();
        values.push(PositionValue::Integer(tier));
    }
    values.extend(types.map(|key| match key {
        KeyType::Integer => PositionValue::Integer(41),
        KeyType::Timestamp => PositionValue::Integer(1_764_000_000_000_000),
        KeyType::Float => PositionValue::Float(3.5),
        KeyType::Text => PositionValue::Text("m".into()),
    }));
    Position(values)
}

fn search(term: &str, sort: Sort) -> ListQuery {
    query(|q| (q.search, q.sort) = (Some(term.into()), sort))
}

/// `(file name, audience, query)`: the benchmark's scenarios first (bench/src/routes/scenarios.rs), then the
/// shapes the tests reach: each sort, each filter, cursors at every relevance tier, short terms after a
/// cursor. One case a shape: the scenarios that differ from one here only in their parameters (a rare word
/// or a typo for the common word, two characters for one, `/featured` for `featured=true`, the default and
/// newest orders at offset 0) render the same statement.
pub fn listing_shapes() -> Vec<(String, Audience, ListQuery)> {
    let public = Audience::Public;
    let fixed: Vec<(&str, Audience, ListQuery)> = vec![
        ("list-default", public, query(|_| {})),
        ("list-member", Audience::Member(123_456_789), query(|_| {})),
        (
            "list-catalog",
            Audience::Member(123_456_789),
            query(|q| q.catalog = Some(987_654_321)),
        ),
        (
            "list-by-kind",
            public,
            query(|q| q.kind = Some(ItemKind::Agent)),
        ),
        (
            "list-by-category",
            public,
            query(|q| q.category = Some("DevOps".into())),
        ),
        ("list-featured", public, query(|q| q.featured = Some(true))),
        (
            "list-not-featured",
            public,
            query(|q| q.featured = Some(false)),
        ),
        ("list-search", public, search("email triage", Sort::Popular)),
        (
            "list-offset-10000",
            public,
            query(|q| (q.offset, q.sort) = (10_000, Sort::Newest)),
        ),
        (
            "featured-trending",
            public,
            query(|q| (q.sort, q.limit) = (Sort::Trending, 8)),
        ),
        (
            "list-tags",
            public,
            query(|q| q.tags = vec!["Email".into(), "ops".into()]),
        ),
        (
            "list-tags-search",
            public,
            query(|q| (q.tags, q.search) = (vec!["ops".into()], Some("report".into()))),
        ),
        ("list-admin", Audience::MarketplaceAdmin, query(|_| {})),
        (
            "search-admin",
            Audience::MarketplaceAdmin,
            search("email", Sort::Relevance),
        ),
        ("search-1-char", public, search("e", Sort::Relevance)),
        (
            "search-common-word",
            public,
            search("email", Sort::Relevance),
        ),
        (
            "search-common-newest",
            public,
            search("email", Sort::Newest),
        ),
        ("search-short-newest", public, search("ai", Sort::Newest)),
        (
            "search-short-offset",
            public,
            query(|q| (q.search, q.offset) = (Some("ai".into()), 40)),
        ),
        (
            "search-by-kind-category",
            public,
            query(|q| {
                (q.search, q.sort, q.kind, q.category) = (
                    Some("email".into()),
                    Sort::Relevance,
                    Some(ItemKind::Llm),
                    Some("Writing".into()),
                )
            }),
        ),
    ];
    let mut cases: Vec<(String, Audience, ListQuery)> = fixed
        .into_iter()
        .map(|(name, audience, query)| (name.to_owned(), audience, query))
        .collect();
    for sort in [
        Sort::Popular,
        Sort::Newest,
        Sort::Updated,
        Sort::Name,
        Sort::Rating,
        Sort::Trending,
        Sort::Workspaces,
    ] {
        let name = sort.as_str();
        if ![Sort::Popular, Sort::Newest, Sort::Trending].contains(&sort) {
            cases.push((format!("sort-{name}"), public, query(|q| q.sort = sort)));
        }
        let paged = query(|q| (q.sort, q.after) = (sort, Some(after(sort, 0))));
        cases.push((format!("cursor-{name}"), public, paged));
    }
    for tier in 0..=3 {
        let name = format!("cursor-relevance-tier-{tier}");
        let mut searched = search("email", Sort::Relevance);
        searched.after = Some(after(Sort::Relevance, tier));
        cases.push((name, public, searched));
    }
    for tier in 0..=2 {
        let name = format!("cursor-short-relevance-tier-{tier}");
        let mut searched = search("ai", Sort::Relevance);
        searched.after = Some(after(Sort::Relevance, tier));
        cases.push((name, public, searched));
    }
    // The longest statements: every filter on the deepest relevance reads.
    for (name, term, tier) in [
        ("cursor-relevance-all-filters", "email", 2),
        ("cursor-short-relevance-all-filters", "ai", 0),
    ] {
        let mut filtered = search(term, Sort::Relevance);
        filtered.after = Some(after(Sort::Relevance, tier));
        filtered.kind = Some(ItemKind::Agent);
        filtered.category = Some("Sales".into());
        filtered.tags = vec!["crm".into(), "email".into()];
        filtered.featured = Some(false);
        cases.push((name.into(), Audience::MarketplaceAdmin, filtered));
        let mut every_kind = search(term, Sort::Relevance);
        every_kind.after = Some(after(Sort::Relevance, tier));
        every_kind.category = Some("Sales".into());
        every_kind.tags = vec!["crm".into(), "email".into()];
        every_kind.featured = Some(false);
        cases.push((
            format!("{name}-every-kind"),
            Audience::Public,
            every_kind.clone(),
        ));
        // A member's reads carry the catalog rule, and one catalog's listing its filter too.
        every_kind.catalog = Some(987_654_321);
        cases.push((
            format!("{name}-every-kind-member-catalog"),
            Audience::Member(123_456_789),
            every_kind,
        ));
    }
    let mut short_after = search("ai", Sort::Popular);
    short_after.after = Some(after(Sort::Popular, 0));
    cases.push(("cursor-short-popular".into(), public, short_after));
    let mut rare_after = search("quarterly", Sort::Newest);
    rare_after.after = Some(after(Sort::Newest, 0));
    cases.push(("cursor-search-newest".into(), public, rare_after));
    cases
}
