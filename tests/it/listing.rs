//! GET /items: visibility, cross-kind pagination, sorts, filters, search and parameter validation.

use harness::*;

const ITEMS: &str = "/api/marketplace/items";

#[tokio::test]
async fn lists_only_approved_listed_marketplace_items_to_members() {
    let app = TestApp::with_reader().await;
    let workspace = app.workspace("Acme").await;
    let approved = app.item(ItemKind::Agent, "Approved").insert().await;
    let pending = app
        .item(ItemKind::Skill, "Pending")
        .unapproved()
        .insert()
        .await;
    let delisted = app.item(ItemKind::Recipe, "Delisted").insert().await;
    app.exec(&format!(
        "UPDATE workflow_templates SET delisted_at = now() WHERE id = {delisted}"
    ))
    .await;
    app.item(ItemKind::Agent, "Private")
        .in_workspace(workspace)
        .insert()
        .await;

    let response = app.as_user("reader").list_items("").await;
    response.assert_status(200);
    assert_eq!(response.body::<ItemPage>().ids(), vec![approved]);
    assert_eq!(response.body::<ItemPage>().total, 1);
    assert_eq!(response.json["limit"], 50);
    assert_eq!(response.json["offset"], 0);

    let response = app.as_user("boss").list_items("").await;
    let mut seen = response.body::<ItemPage>().ids();
    seen.sort();
    assert_eq!(
        seen,
        vec![approved, pending],
        "admins see unapproved, never delisted or workspace items"
    );
    assert_eq!(response.body::<ItemPage>().total, 2);
    let pending_json = response.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == pending)
        .unwrap();
    assert_eq!(pending_json["is_approved"], false);
}

/// Items of every kind with install counts that tie across kinds, so the order is decided by created_at
/// and then id.
async fn mixed_catalog(app: &TestApp) -> Vec<(i64, i32, i64)> {
    let mut made = Vec::new();
    for i in 0..23 {
        let kind = ItemKind::ALL[i % 5];
        let installs = (i as i32 * 7) % 5;
        let age = ((i * 13) % 4) as i64 * 60;
        let id = app
            .item(kind, &format!("Item {i:02}"))
            .installs(installs)
            .age(age)
            .insert()
            .await;
        made.push((id, installs, age));
    }
    made
}

#[tokio::test]
async fn paginates_all_kinds_in_one_global_order_without_gaps_or_repeats() {
    let app = TestApp::with_reader().await;
    let mut expected = mixed_catalog(&app).await;
    // popular: install_count desc, created_at desc (smaller age first), id desc
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(b.0.cmp(&a.0)));
    let expected: Vec<i64> = expected.into_iter().map(|(id, _, _)| id).collect();

    let mut paged = Vec::new();
    for offset in (0..30).step_by(4) {
        let response = app
            .get(format!("{ITEMS}?limit=4&offset={offset}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_status(200);
        assert_eq!(
            response.body::<ItemPage>().total,
            23,
            "the total is the same on every page"
        );
        paged.extend(response.body::<ItemPage>().ids());
    }
    assert_eq!(paged, expected);

    let kinds: std::collections::HashSet<String> = app
        .get(format!("{ITEMS}?limit=10"))
        .as_user("reader")
        .send()
        .await
        .json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(kinds.len() >= 3, "the first page mixes kinds: {kinds:?}");
}

#[tokio::test]
async fn sorts_by_newest_updated_and_name() {
    let app = TestApp::with_reader().await;
    let old = app
        .item(ItemKind::Tool, "beta tool")
        .age(300)
        .insert()
        .await;
    let new = app
        .item(ItemKind::Agent, "Alpha agent")
        .age(10)
        .insert()
        .await;
    let mid = app
        .item(ItemKind::Llm, "gamma model")
        .age(100)
        .insert()
        .await;
    app.exec(&format!(
        "UPDATE tools SET updated_at = now() WHERE id = {old}"
    ))
    .await;

    let order = |sort: &'static str| {
        let app = &app;
        async move {
            let response = app
                .get(format!("{ITEMS}?sort={sort}"))
                .as_user("reader")
                .send()
                .await;
            response.assert_status(200);
            response.body::<ItemPage>().ids()
        }
    };
    assert_eq!(order("newest").await, vec![new, mid, old]);
    assert_eq!(order("updated").await, vec![old, new, mid]);
    assert_eq!(
        order("name").await,
        vec![new, old, mid],
        "case-insensitive by name"
    );
}

#[tokio::test]
async fn filters_by_type_category_and_featured_with_matching_totals() {
    let app = TestApp::with_reader().await;
    let a1 = app
        .item(ItemKind::Agent, "A1")
        .category("DevOps")
        .featured()
        .installs(5)
        .insert()
        .await;
    let a2 = app
        .item(ItemKind::Agent, "A2")
        .category("Sales")
        .insert()
        .await;
    let s1 = app
        .item(ItemKind::Skill, "S1")
        .category("devops")
        .installs(3)
        .insert()
        .await;
    let r1 = app
        .item(ItemKind::Recipe, "R1")
        .category("DEVOPS")
        .featured()
        .insert()
        .await;

    let check = |query: &'static str, expected: Vec<i64>| {
        let app = &app;
        async move {
            let response = app
                .get(format!("{ITEMS}?{query}"))
                .as_user("reader")
                .send()
                .await;
            response.assert_status(200);
            let mut got = response.body::<ItemPage>().ids();
            got.sort();
            let mut want = expected.clone();
            want.sort();
            assert_eq!(got, want, "{query}");
            assert_eq!(
                response.body::<ItemPage>().total,
                want.len() as i64,
                "{query}"
            );
        }
    };
    check("type=agent", vec![a1, a2]).await;
    check("category=DevOps", vec![a1, s1, r1]).await;
    check("category=devops&type=skill", vec![s1]).await;
    check("featured=true", vec![a1, r1]).await;
    check("featured=false", vec![a2, s1]).await;
    check("featured=true&category=devOps&type=recipe", vec![r1]).await;
    check("category=Nothing", vec![]).await;
}

#[tokio::test]
async fn search_matches_substrings_and_treats_wildcards_literally() {
    let app = TestApp::with_reader().await;
    let percent = app.item(ItemKind::Agent, "Save 50% now").insert().await;
    let underscore = app
        .item(ItemKind::Skill, "snake_case helper")
        .insert()
        .await;
    let backslash = app
        .item(ItemKind::Tool, "Path tool")
        .set("description", "Handles C:\\temp paths")
        .insert()
        .await;
    let plain = app
        .item(ItemKind::Recipe, "Save 50 percent")
        .set("description", "snakeXcase")
        .insert()
        .await;

    let search = |term: &'static str| {
        let app = &app;
        async move {
            let response = app
                .get(format!("{ITEMS}?search={}", encode(term)))
                .as_user("reader")
                .send()
                .await;
            response.assert_status(200);
            let page = response.body::<ItemPage>();
            assert_eq!(page.total, page.items.len() as i64, "{term}");
            let mut found = response.body::<ItemPage>().ids();
            found.sort();
            found
        }
    };
    assert_eq!(search("50%").await, vec![percent]);
    assert_eq!(search("e_c").await, vec![underscore]);
    assert_eq!(search(":\\t").await, vec![backslash]);
    assert_eq!(
        search("SAVE 50").await,
        vec![percent, plain],
        "case-insensitive"
    );
    assert_eq!(
        search("handles c:").await,
        vec![backslash],
        "descriptions are searched too"
    );
    assert_eq!(search("%").await, vec![percent]);
    assert_eq!(search("_").await, vec![underscore]);
}

fn encode(term: &str) -> String {
    term.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn rejects_bad_parameter_values_with_a_field_list() {
    let app = TestApp::with_reader().await;
    let long = "x".repeat(201);
    let cases: Vec<(String, &str)> = vec![
        ("limit=0".into(), "limit"),
        ("limit=101".into(), "limit"),
        ("limit=ten".into(), "limit"),
        ("limit=1.5".into(), "limit"),
        ("offset=-1".into(), "offset"),
        ("offset=10001".into(), "offset"),
        ("offset=abc".into(), "offset"),
        ("type=agents".into(), "type"),
        ("type=".into(), "type"),
        ("sort=popularity".into(), "sort"),
        ("featured=yes".into(), "featured"),
        ("featured=1".into(), "featured"),
        ("category=".into(), "category"),
        (format!("category={}", "c".repeat(101)), "category"),
        (format!("search={long}"), "search"),
        ("search=a%00b".into(), "search"),
        ("category=x%00".into(), "category"),
    ];
    for (query, field) in cases {
        let response = app
            .get(format!("{ITEMS}?{query}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec![field.to_owned()], "{query}");
    }

    let response = app
        .get(format!("{ITEMS}?limit=0&offset=-5&sort=x"))
        .as_user("reader")
        .send()
        .await;
    response.assert_problem(400, "bad_request");
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["limit", "offset", "sort"],
        "every bad field is reported at once"
    );

    for query in [
        "limit=1",
        "limit=100",
        "offset=0",
        "offset=10000",
        "unknown=whatever",
        "search=",
    ] {
        app.get(format!("{ITEMS}?{query}"))
            .as_user("reader")
            .send()
            .await
            .assert_status(200);
    }
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_but_keeps_the_total() {
    let app = TestApp::with_reader().await;
    app.item(ItemKind::Agent, "Only").insert().await;
    let response = app
        .get(format!("{ITEMS}?offset=10"))
        .as_user("reader")
        .send()
        .await;
    response.assert_status(200);
    assert_eq!(response.json["items"], json!([]));
    assert_eq!(response.body::<ItemPage>().total, 1);
}

#[tokio::test]
async fn statements_per_page_do_not_grow_with_page_size() {
    let app = TestApp::with_reader().await;
    if app
        .db
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .is_err()
    {
        eprintln!("skipped: pg_stat_statements is not preloaded on this server");
        return;
    }
    app.tool_app("gmail", "Gmail", "https://logo/gmail").await;
    for i in 0..60 {
        app.item(ItemKind::ALL[i % 5], &format!("Item {i}"))
            .set("tools", json!(["gmail"]))
            .installs(i as i32)
            .insert()
            .await;
    }
    let statements = || async {
        app.db
            .query_one(
                "SELECT coalesce(sum(calls), 0)::bigint AS calls FROM pg_stat_statements
                 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>("calls")
    };
    // The reader is seen once first: later reads check the caller on the page's own statement.
    app.get(ITEMS)
        .as_user("reader")
        .send()
        .await
        .assert_status(200);
    let mut per_page = Vec::new();
    for limit in [5, 50] {
        let before = statements().await;
        let response = app
            .get(format!("{ITEMS}?limit={limit}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_status(200);
        assert_eq!(response.body::<ItemPage>().ids().len(), limit);
        // Minus the counting statement itself.
        per_page.push(statements().await - before - 1);
    }
    assert_eq!(
        per_page[0], per_page[1],
        "statements for 5 and 50 items: {per_page:?}"
    );
    assert!(
        per_page[0] <= 2,
        "page (with the caller check) + enrichment, got {}",
        per_page[0]
    );
}
