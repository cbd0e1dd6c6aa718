//! The read scenarios: listings, searches (the adversarial ones included) and cursor pages, with their
//! EXPLAIN plans.

use marketplace_catalog::statements::*;
use marketplace_catalog::{Audience, ItemKind, ListQuery, Sort, WorkspaceId};
use marketplace_http::AppState;

use super::call::Call;
use super::floor::floor;
use super::floor::{Read, Viewer};
use super::{Bench, RouteResult, WARMUP};
use crate::catalog::SEARCH_PHRASE;
use crate::stats::Percentiles;
use crate::Error;

/// The 1000 most installed approved public items of every kind.
pub(super) async fn most_installed(setup: &tokio_postgres::Client) -> Result<Vec<i64>, Error> {
    Ok(setup
        .query(
            "SELECT id FROM (SELECT id, install_count, catalog_id FROM agents WHERE is_approved
                             UNION ALL SELECT id, install_count, catalog_id FROM workflow_templates WHERE is_approved
                             UNION ALL SELECT id, install_count, catalog_id FROM skills WHERE is_approved
                             UNION ALL SELECT id, install_count, catalog_id FROM llm_models WHERE is_approved
                             UNION ALL SELECT id, install_count, catalog_id FROM tools WHERE is_approved) items
             WHERE catalog_id IS NULL
             ORDER BY install_count DESC, id LIMIT 1000",
            &[],
        )
        .await?
        .iter()
        .map(|row| row.get("id"))
        .collect())
}

/// The read routes timed with one request each, and the statements under them.
pub(super) fn read_scenarios(workspace: uuid::Uuid) -> Vec<(&'static str, Call, Read)> {
    pub(super) fn query(edit: impl FnOnce(&mut ListQuery)) -> ListQuery {
        let mut query = ListQuery::default();
        edit(&mut query);
        query
    }
    let search = SEARCH_PHRASE.replace(' ', "%20");
    let lists = [
        ("list: default", "/items".to_owned(), query(|_| {})),
        (
            "list: by kind",
            "/items?type=agent".into(),
            query(|q| q.kind = Some(ItemKind::Agent)),
        ),
        (
            "list: by category",
            "/items?category=DevOps".into(),
            query(|q| q.category = Some("DevOps".into())),
        ),
        (
            "list: featured",
            "/items?featured=true".into(),
            query(|q| q.featured = Some(true)),
        ),
        (
            "list: search",
            format!("/items?search={search}"),
            query(|q| q.search = Some(SEARCH_PHRASE.into())),
        ),
        (
            "list: offset 10000",
            "/items?offset=10000&sort=newest".into(),
            query(|q| (q.offset, q.sort) = (10_000, Sort::Newest)),
        ),
        (
            "list: sort=workspaces",
            "/items?sort=workspaces".into(),
            query(|q| q.sort = Sort::Workspaces),
        ),
        (
            "featured",
            "/featured".into(),
            query(|q| (q.featured, q.limit) = (Some(true), 8)),
        ),
        (
            "list: rating",
            "/items?sort=rating".into(),
            query(|q| q.sort = Sort::Rating),
        ),
        (
            "list: trending",
            "/items?sort=trending".into(),
            query(|q| q.sort = Sort::Trending),
        ),
        (
            "featured: trending",
            "/featured?trending=true".into(),
            query(|q| (q.sort, q.limit) = (Sort::Trending, 8)),
        ),
    ];
    let others = [
        ("stats", "/stats", Read::Stats),
        ("categories", "/categories", Read::Categories),
        ("updates (500 installs)", "/updates", Read::Updates),
    ];
    let lists = lists.into_iter().map(|(name, path, query)| {
        (
            name,
            Call::get(format!("/api/marketplace{path}")),
            Read::List(query),
        )
    });
    let others = others.into_iter().map(|(name, path, read)| {
        let call = Call::get(format!("/api/marketplace{path}"));
        let call = match read {
            Read::Updates => call.in_workspace(workspace),
            _ => call,
        };
        (name, call, read)
    });
    lists.chain(others).collect()
}

/// Search classes (docs/architecture.md, "Search"): one and two characters, the commonest word of the
/// catalog (in ~15% of items), a rare word, a typo that finds nothing (so suggestions run), an exact name.
pub(super) fn search_scenarios(exact_name: &str) -> Vec<(&'static str, Call, Read)> {
    let cases = [
        ("search: 1 char", "e".to_owned()),
        ("search: 2 chars", "re".into()),
        ("search: common word", "email".into()),
        ("search: rare word", "quarterly".into()),
        ("search: no match", "Emial Reprot".into()),
        ("search: exact name", exact_name.to_owned()),
    ];
    let mut scenarios: Vec<_> = cases
        .into_iter()
        .map(|(name, term)| {
            let uri = format!("/api/marketplace/items?search={}", term.replace(' ', "%20"));
            let query = ListQuery {
                search: Some(term),
                sort: Sort::Relevance,
                ..ListQuery::default()
            };
            (name, Call::get(uri), Read::List(query))
        })
        .collect();
    scenarios.push((
        "search: common, newest",
        Call::get("/api/marketplace/items?search=email&sort=newest"),
        Read::List(ListQuery {
            search: Some("email".into()),
            sort: Sort::Newest,
            ..ListQuery::default()
        }),
    ));
    scenarios
}

/// What a member of three private catalogs sees (bench/src/catalog.rs: 10 % of the catalog is private,
/// across 1,000 catalogs): the default listing and the common-word search, mixing the public listings with
/// their catalogs' in one order. The same scenarios without "(catalog member)" are an outsider's.
pub(super) fn catalog_member_scenarios(insider: Viewer) -> Vec<(&'static str, Call, Read)> {
    vec![
        (
            "list: default (catalog member)",
            Call::get("/api/marketplace/items").sent_by(insider.subject),
            Read::ListAs(insider, ListQuery::default()),
        ),
        (
            "search: common word (catalog member)",
            Call::get("/api/marketplace/items?search=email").sent_by(insider.subject),
            Read::ListAs(
                insider,
                ListQuery {
                    search: Some("email".into()),
                    sort: Sort::Relevance,
                    ..ListQuery::default()
                },
            ),
        ),
    ]
}

/// Writes `EXPLAIN (ANALYZE, BUFFERS)` of each listing scenario's statements to `dir/<scenario>.txt`.
pub(super) async fn explain(
    bench: &Bench,
    scenarios: &[(&'static str, Call, Read)],
    dir: &std::path::Path,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)?;
    let db = bench.state.pool.get().await?;
    for (name, call, read) in scenarios {
        eprintln!("explain: {name}");
        let mut text = format!("-- {name}: GET {}\n", call.uri);
        let audience = match read {
            Read::ListAs(viewer, _) => Audience::Member(viewer.id),
            _ => Audience::Member(bench.member),
        };
        let (Read::List(query) | Read::ListAs(_, query)) = read else {
            continue;
        };
        let statement = listing_statement(audience, query);
        text.push_str(&statement.explain(&**db).await?);
        let found_nothing = statement
            .query(&**db)
            .await?
            .iter()
            .all(|row| row.get::<_, Option<i64>>("id").is_none());
        if let (Some(term), true) = (&query.search, found_nothing) {
            text.push_str("\n\n-- suggestions (run because the search found nothing)\n");
            let suggestions = suggestions_statement(audience, &ItemKind::ALL, term);
            text.push_str(&suggestions.explain(&**db).await?);
        }
        text.push('\n');
        let file: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        std::fs::write(dir.join(format!("{file}.txt")), text)?;
    }
    Ok(())
}

/// Rows a cursor page holds in the cursor scenarios.
pub(super) const CURSOR_PAGE: i64 = 20;

impl Bench {
    /// Cursor pages 1, 200 and 2000 of the default and name orders (where the catalog is that deep), each
    /// reached by following cursors from the first page.
    pub(super) async fn cursor_scenarios(&self) -> Result<Vec<(&'static str, Call, Read)>, Error> {
        let orders: [(Sort, &str, [&'static str; 3]); 2] = [
            (
                Sort::Popular,
                "popular",
                [
                    "cursor: popular p1",
                    "cursor: popular p200",
                    "cursor: popular p2000",
                ],
            ),
            (
                Sort::Name,
                "name",
                ["cursor: name p1", "cursor: name p200", "cursor: name p2000"],
            ),
        ];
        let mut scenarios = Vec::new();
        for (sort, sort_name, names) in orders {
            let query = ListQuery {
                sort,
                limit: CURSOR_PAGE,
                ..ListQuery::default()
            };
            let base = format!("/api/marketplace/items?sort={sort_name}&limit={CURSOR_PAGE}");
            let mut cursor: Option<String> = None;
            let mut page = 1;
            for (target, name) in [1, 200, 2000].into_iter().zip(names) {
                while page < target {
                    let uri = match &cursor {
                        Some(cursor) => format!("{base}&cursor={cursor}"),
                        None => base.clone(),
                    };
                    let (_, body) = Call::get(uri).run(&self.state).await?;
                    cursor = body["next_cursor"].as_str().map(str::to_owned);
                    page += 1;
                    if cursor.is_none() {
                        break;
                    }
                }
                if page < target {
                    break;
                }
                let (uri, after) = match &cursor {
                    Some(token) => (
                        format!("{base}&cursor={token}"),
                        Some(query.position(token).map_err(|e| e.to_string())?),
                    ),
                    None => (base.clone(), None),
                };
                let query = ListQuery {
                    after,
                    ..query.clone()
                };
                scenarios.push((name, Call::get(uri), Read::List(query)));
            }
        }
        Ok(scenarios)
    }
}

/// Alternates the route and its floor, `samples` times each after a warm-up.
pub(super) async fn time_read<'a>(
    state: &AppState,
    name: &'static str,
    call: impl Fn(usize) -> &'a Call,
    read: impl Fn(usize) -> &'a Read,
    samples: usize,
    member: i64,
    workspace: WorkspaceId,
) -> Result<RouteResult, Error> {
    let mut route = Vec::with_capacity(samples);
    let mut floor_times = Vec::with_capacity(samples);
    for i in 0..WARMUP + samples {
        let (elapsed, _) = call(i).run(state).await?;
        let db = state.pool.get().await?;
        let floor_elapsed = floor(&**db, read(i), member, workspace).await?;
        if i >= WARMUP {
            route.push(elapsed);
            floor_times.push(floor_elapsed);
        }
    }
    Ok(RouteResult {
        name,
        route: Percentiles::of(&route),
        floor: Some(Percentiles::of(&floor_times)),
        samples,
    })
}
