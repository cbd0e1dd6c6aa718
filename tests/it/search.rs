//! GET /items?search=: relevance order, English stems, suggestions, tags, the capped total and short terms.

use harness::*;
use serde_json::Value;

const ITEMS: &str = "/api/marketplace/items";

async fn get(app: &TestApp, query: &str) -> TestResponse {
    let response = app
        .get(format!("{ITEMS}?{query}"))
        .as_user("reader")
        .send()
        .await;
    response.assert_status(200);
    response
}

/// Every page of a listing, followed by its cursor: the ids in order and how many pages it took.
async fn walk(app: &TestApp, query: &str) -> (Vec<i64>, usize) {
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(cursor) => format!("{query}&cursor={cursor}"),
            None => query.to_owned(),
        };
        let response = get(app, &uri).await;
        pages += 1;
        seen.extend(response.body::<ItemPage>().ids());
        match &response.json["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            Value::Null => return (seen, pages),
            other => panic!("next_cursor is {other}"),
        }
        assert!(pages < 1_000, "the walk ends");
    }
}

fn ids(response: &TestResponse) -> Vec<i64> {
    response.body::<ItemPage>().ids()
}

#[tokio::test]
async fn relevance_ranks_the_exact_name_then_prefixes_then_name_words_then_descriptions() {
    let app = TestApp::with_reader().await;
    let described = app
        .item(ItemKind::Tool, "Code helper")
        .set("description", "Leaves a review on every change")
        .installs(100)
        .insert()
        .await;
    let in_name = app
        .item(ItemKind::Agent, "PR Reviewer")
        .installs(50)
        .insert()
        .await;
    let popular_prefix = app
        .item(ItemKind::Skill, "Review checklist")
        .installs(10)
        .insert()
        .await;
    let prefix = app
        .item(ItemKind::Recipe, "Reviewer pool")
        .installs(5)
        .insert()
        .await;
    let exact = app.item(ItemKind::Agent, "REVIEW").insert().await;
    app.item(ItemKind::Agent, "Unrelated")
        .installs(1_000)
        .insert()
        .await;

    let ranked = vec![exact, popular_prefix, prefix, in_name, described];
    assert_eq!(ids(&get(&app, "search=review").await), ranked);
    assert_eq!(
        ids(&get(&app, "search=review&sort=relevance").await),
        ranked
    );
    assert_eq!(
        ids(&get(&app, "search=review&sort=popular").await),
        vec![described, in_name, popular_prefix, prefix, exact],
        "an explicit sort orders the same matches"
    );
    for limit in 1..=4 {
        let (walked, _) = walk(&app, &format!("search=review&limit={limit}")).await;
        assert_eq!(walked, ranked, "cursor pages of {limit} keep the ranking");
    }

    let response = app
        .get(format!("{ITEMS}?sort=relevance"))
        .as_user("reader")
        .send()
        .await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), ["sort"]);
}

#[tokio::test]
async fn words_match_by_english_stem_and_substrings_still_match_literally() {
    let app = TestApp::with_reader().await;
    let reviewer = app.item(ItemKind::Agent, "PR Reviewer").insert().await;
    let reviews = app
        .item(ItemKind::Skill, "Feedback")
        .set("description", "Writes reviews of essays")
        .insert()
        .await;
    let mailer = app.item(ItemKind::Tool, "Mailer").insert().await;

    let mut found = ids(&get(&app, "search=reviewing").await);
    found.sort();
    assert_eq!(found, vec![reviewer, reviews], "reviewing → review");
    assert_eq!(ids(&get(&app, "search=ailer").await), vec![mailer]);
    let nothing = get(&app, "search=zz%25review").await;
    assert_eq!(nothing.body::<ItemPage>().ids(), Vec::<i64>::new());
}

#[tokio::test]
async fn a_search_that_finds_nothing_suggests_close_names_of_listed_items() {
    let app = TestApp::with_reader().await;
    app.item(ItemKind::Agent, "Sales Assistant").insert().await;
    app.item(ItemKind::Skill, "Sales Assistant").insert().await;
    app.item(ItemKind::Agent, "Salsa Assistant")
        .unapproved()
        .insert()
        .await;
    app.item(ItemKind::Tool, "Weather").insert().await;

    let response = get(&app, "search=Salse%20Assistant").await;
    assert_eq!(response.body::<ItemPage>().ids(), Vec::<i64>::new());
    assert_eq!(response.body::<ItemPage>().total, 0);
    assert_eq!(
        response.json["suggestions"],
        serde_json::json!(["Sales Assistant"]),
        "names once each, never an unapproved item's"
    );

    let response = get(&app, "search=Weather").await;
    assert_eq!(response.body::<ItemPage>().ids().len(), 1);
    assert_eq!(response.json["suggestions"], serde_json::json!([]));
    let response = get(&app, "search=qqqqqqq").await;
    assert_eq!(response.json["suggestions"], serde_json::json!([]));
    let response = get(&app, "sort=name").await;
    assert!(
        response.json.get("suggestions").is_none(),
        "only with a search"
    );
}

#[tokio::test]
async fn tags_filter_exactly_case_insensitively_and_all_must_match() {
    let app = TestApp::with_reader().await;
    let both = app
        .item(ItemKind::Agent, "Both")
        .set("tags", serde_json::json!(["Email", "automation"]))
        .insert()
        .await;
    let email = app
        .item(ItemKind::Tool, "Only email")
        .set("tags", serde_json::json!(["email"]))
        .insert()
        .await;
    app.item(ItemKind::Skill, "Emails")
        .set("tags", serde_json::json!(["emails", "automation"]))
        .insert()
        .await;

    let mut found = ids(&get(&app, "tag=EMAIL").await);
    found.sort();
    assert_eq!(found, vec![both, email]);
    let response = get(&app, "tag=email&tag=Automation").await;
    assert_eq!(response.body::<ItemPage>().ids(), vec![both]);
    assert_eq!(
        (
            response.json["total"].clone(),
            response.json["total_exact"].clone()
        ),
        (1.into(), true.into())
    );
    assert_eq!(ids(&get(&app, "tag=email&search=only").await), vec![email]);

    for (query, field) in [
        ("tag=a&tag=b&tag=c&tag=d&tag=e&tag=f", "tag"),
        ("tag=", "tag"),
        (&format!("tag={}", "t".repeat(51)), "tag"),
    ] {
        let response = app
            .get(format!("{ITEMS}?{query}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), [field], "{query}");
    }
}

/// `n` approved agents named "`prefix` 1"…, described by `description`, with falling install counts.
async fn bulk_agents(app: &TestApp, n: i64, prefix: &str, description: &str) {
    app.exec(&format!(
        "INSERT INTO agents (name, description, owner_type, is_approved, install_count)
         SELECT '{prefix} ' || i, '{description}', 'marketplace', true, {n} - i
         FROM generate_series(1, {n}) AS i"
    ))
    .await;
}

#[tokio::test]
async fn a_common_term_counts_up_to_the_cap_and_says_so() {
    let app = TestApp::with_reader().await;
    bulk_agents(&app, 1_005, "Bulk helper", "").await;
    let rare = app.item(ItemKind::Tool, "Rare find").insert().await;

    let response = get(&app, "search=helper&limit=5").await;
    assert_eq!(response.body::<ItemPage>().total, 1_000);
    assert!(!response.body::<ItemPage>().total_exact);
    assert_eq!(response.body::<ItemPage>().ids().len(), 5);
    assert!(response.json["next_cursor"].is_string());

    let response = get(&app, "search=rare").await;
    assert_eq!(response.body::<ItemPage>().ids(), vec![rare]);
    assert_eq!(
        (
            response.json["total"].clone(),
            response.json["total_exact"].clone()
        ),
        (1.into(), true.into())
    );
    assert!(get(&app, "").await.body::<ItemPage>().total_exact);
}

#[tokio::test]
async fn a_short_term_is_found_everywhere_by_following_cursors_through_bounded_regions() {
    let app = TestApp::with_reader().await;
    bulk_agents(&app, 4_500, "Filler", "nothing to see").await;
    let top = app
        .item(ItemKind::Agent, "Top zq")
        .installs(100_000)
        .insert()
        .await;
    let middle = app
        .item(ItemKind::Agent, "Middle")
        .set("description", "has zq inside")
        .installs(2_300)
        .insert()
        .await;
    let bottom = app.item(ItemKind::Agent, "Bottom zq").insert().await;

    // The first page reads matches in order up to the page (so that offset paging agrees with it); a page
    // after a cursor examines a bounded region of each kind.
    let first = get(&app, "search=zq&sort=popular&limit=10").await;
    assert_eq!(first.body::<ItemPage>().ids(), vec![top, middle, bottom]);
    let (found, pages) = walk(&app, "search=zq&sort=popular&limit=1").await;
    assert_eq!(found, vec![top, middle, bottom]);
    assert!(
        pages >= 4,
        "each page after the first examines a bounded region: {pages} pages"
    );
    assert_eq!(
        (
            first.json["total"].clone(),
            first.json["total_exact"].clone()
        ),
        (3.into(), true.into()),
        "a first page that read every match knows the total"
    );

    let (found, _) = walk(&app, "search=zq&limit=2").await;
    assert_eq!(
        found,
        vec![top, middle, bottom],
        "relevance: a short term's substring matches are one tier, by popularity"
    );
    let (found, _) = walk(&app, "search=bottom%20zq").await;
    assert_eq!(found, vec![bottom]);

    // Regions of two kinds end at different places: the page stops at the earlier end, and nothing is lost.
    app.exec(
        "INSERT INTO skills (name, description, owner_type, is_approved, install_count)
         SELECT 'Skill ' || i || CASE WHEN i % 700 = 0 THEN ' zq' ELSE '' END, '', 'marketplace', true, i % 90
         FROM generate_series(1, 3000) AS i",
    )
    .await;
    for order in ["popular", "newest", "name"] {
        let (found, _) = walk(&app, &format!("search=zq&sort={order}&limit=3")).await;
        let mut unique = found.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), found.len(), "{order}: no item twice");
        assert_eq!(found.len(), 3 + 4, "{order}: every match");
    }
}

#[tokio::test]
async fn a_rare_term_below_a_popular_catalog_ranks_and_walks_every_match_once() {
    let app = TestApp::with_reader().await;
    // 3,000 popular items without the term: the walk of the most popular rows finds none of it, so the
    // kinds' candidates serve the page; agents hold more matches than one candidate read.
    bulk_agents(&app, 3_000, "Filler", "nothing to see").await;
    app.exec(
        "INSERT INTO agents (name, description, owner_type, is_approved, install_count, created_at)
         SELECT 'Described ' || i, 'a zebra in the text', 'marketplace', true, 0,
                now() - i * interval '1 second'
         FROM generate_series(1, 1100) AS i",
    )
    .await;
    let mut in_name = Vec::new();
    for (name, installs) in [("Striped zebra", 3), ("Plain zebras", 2), ("Tiny zebra", 1)] {
        in_name.push(
            app.item(ItemKind::Agent, name)
                .installs(installs)
                .insert()
                .await,
        );
    }
    let prefix = app.item(ItemKind::Tool, "Zebra crossing").insert().await;
    let exact = app.item(ItemKind::Skill, "zebra").insert().await;

    let first = get(&app, "search=zebra&limit=5").await;
    let mut best = vec![exact, prefix];
    best.extend(&in_name);
    assert_eq!(
        first.body::<ItemPage>().ids(),
        best,
        "exact, prefix, name words, then descriptions"
    );
    assert_eq!(first.body::<ItemPage>().total, 1_000);
    assert!(!first.body::<ItemPage>().total_exact);

    for limit in [7, 100] {
        let (found, _) = walk(&app, &format!("search=zebra&limit={limit}")).await;
        assert_eq!(found.len(), 5 + 1_100, "page size {limit}: every match");
        assert_eq!(found[..5], best[..], "page size {limit}: best first");
        let mut unique = found.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            found.len(),
            "page size {limit}: no item twice"
        );
    }

    let (walked, _) = walk(&app, "search=zebra&limit=100").await;
    let deep = get(&app, "search=zebra&offset=1000&limit=100").await;
    assert_eq!(
        deep.body::<ItemPage>().ids(),
        walked[1_000..1_100],
        "an offset past one candidate read"
    );
    let deep = get(&app, "search=zebra&sort=newest&offset=1000&limit=100").await;
    let (newest, _) = walk(&app, "search=zebra&sort=newest&limit=100").await;
    assert_eq!(newest.len(), 5 + 1_100);
    assert_eq!(
        deep.body::<ItemPage>().ids(),
        newest[1_000..1_100],
        "the same under another order"
    );

    let crossing = get(&app, "search=crossing").await;
    assert_eq!(crossing.body::<ItemPage>().ids(), vec![prefix]);
    assert_eq!(
        (
            crossing.json["total"].clone(),
            crossing.json["total_exact"].clone()
        ),
        (1.into(), true.into()),
        "a rare term's total comes exact from its candidates"
    );
}

#[tokio::test]
async fn every_listing_shape_on_file_runs_on_postgresql_with_its_reads_lined_up() {
    use marketplace_catalog::statements::{listing_shapes, listing_statement};
    let app = TestApp::with_reader().await;
    for kind in ItemKind::ALL {
        for name in ["Email triage", "AI mailer", "Quarterly report"] {
            app.item(kind, &format!("{name} {kind}"))
                .category("Sales")
                .set("tags", json!(["crm", "email"]))
                .insert()
                .await;
        }
    }
    let shapes = listing_shapes();
    assert!(shapes.len() >= 40, "{} shapes", shapes.len());
    for (name, audience, query) in shapes {
        let rows = listing_statement(audience, &query)
            .query(&app.db)
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(
            !rows.is_empty(),
            "{name}: every page has at least its total's row"
        );
    }
}
