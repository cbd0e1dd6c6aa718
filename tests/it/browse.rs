//! GET /featured, /categories and /stats.

use harness::*;
use marketplace_http::Config;

#[tokio::test]
async fn featured_shows_approved_featured_items_most_popular_first() {
    let app = TestApp::with_config(Config {
        featured_limit: 2,
        ..Config::default()
    })
    .await;
    app.user("reader").await;
    let top = app
        .item(ItemKind::Recipe, "Top")
        .featured()
        .installs(50)
        .insert()
        .await;
    let second = app
        .item(ItemKind::Agent, "Second")
        .featured()
        .installs(40)
        .insert()
        .await;
    let third = app
        .item(ItemKind::Llm, "Third")
        .featured()
        .installs(30)
        .insert()
        .await;
    app.item(ItemKind::Skill, "Not featured")
        .installs(100)
        .insert()
        .await;
    app.item(ItemKind::Tool, "Pending")
        .featured()
        .unapproved()
        .installs(90)
        .insert()
        .await;

    let response = app
        .get("/api/marketplace/featured")
        .as_user("reader")
        .send()
        .await;
    response.assert_status(200);
    let ids: Vec<i64> = response.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![top, second],
        "FEATURED_LIMIT sets the default size"
    );

    let response = app
        .get("/api/marketplace/featured?limit=20")
        .as_user("reader")
        .send()
        .await;
    let ids: Vec<i64> = response.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![top, second, third]);

    for bad in ["0", "21", "x"] {
        let response = app
            .get(format!("/api/marketplace/featured?limit={bad}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec!["limit"]);
    }
}

#[tokio::test]
async fn categories_count_approved_items_case_insensitively_with_an_optional_type() {
    let app = TestApp::new().await;
    app.user("reader").await;
    app.item(ItemKind::Agent, "a")
        .category("DevOps")
        .insert()
        .await;
    app.item(ItemKind::Skill, "b")
        .category("devops")
        .insert()
        .await;
    app.item(ItemKind::Skill, "c")
        .category("Sales")
        .insert()
        .await;
    app.item(ItemKind::Skill, "d")
        .category("Sales")
        .unapproved()
        .insert()
        .await;
    app.item(ItemKind::Tool, "e").insert().await;

    let response = app.as_user("reader").categories().await;
    response.assert_status(200);
    let categories = response.json["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 2);
    assert_eq!(categories[0]["count"], 2);
    assert!(categories[0]["category"]
        .as_str()
        .unwrap()
        .eq_ignore_ascii_case("devops"));
    assert_eq!(categories[1], json!({"category": "Sales", "count": 1}));

    let response = app
        .get("/api/marketplace/categories?type=agent")
        .as_user("reader")
        .send()
        .await;
    assert_eq!(
        response.json["categories"],
        json!([{"category": "DevOps", "count": 1}])
    );

    let response = app
        .get("/api/marketplace/categories?type=widget")
        .as_user("reader")
        .send()
        .await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), vec!["type"]);
}

#[tokio::test]
async fn stats_follow_approvals_installs_and_delisting() {
    let app = TestApp::new().await;
    app.user("reader").await;
    app.item(ItemKind::Agent, "a")
        .category("Ops")
        .featured()
        .installs(10)
        .insert()
        .await;
    let skill = app
        .item(ItemKind::Skill, "b")
        .category("Sales")
        .installs(5)
        .insert()
        .await;
    let pending = app
        .item(ItemKind::Tool, "c")
        .category("Other")
        .unapproved()
        .installs(7)
        .insert()
        .await;

    let stats = || async { app.as_user("reader").stats().await.json };
    assert_eq!(
        stats().await,
        json!({"total_items": 2, "featured_count": 1, "total_installs": 15, "active_installs": 0, "workspace_count": 0, "categories": 2,
               "by_type": {"agent": 1, "recipe": 0, "skill": 1, "llm": 0, "tool": 0}})
    );

    app.exec(&format!(
        "UPDATE tools SET is_approved = true WHERE id = {pending}"
    ))
    .await;
    app.exec(&format!(
        "UPDATE skills SET install_count = install_count + 1 WHERE id = {skill}"
    ))
    .await;
    app.exec(&format!(
        "UPDATE skills SET delisted_at = now() WHERE id = {skill}"
    ))
    .await;
    assert_eq!(
        stats().await,
        json!({"total_items": 2, "featured_count": 1, "total_installs": 17, "active_installs": 0, "workspace_count": 0, "categories": 2,
               "by_type": {"agent": 1, "recipe": 0, "skill": 0, "llm": 0, "tool": 1}})
    );
}

#[tokio::test]
async fn listing_totals_agree_with_a_count_of_the_rows() {
    let app = TestApp::new().await;
    app.user("reader").await;
    for i in 0..12 {
        let item = app
            .item(ItemKind::ALL[i % 5], &format!("i{i}"))
            .category(["A", "b", "B"][i % 3]);
        let item = if i % 4 == 0 { item.featured() } else { item };
        let item = if i % 5 == 1 { item.unapproved() } else { item };
        item.insert().await;
    }
    app.exec("UPDATE agents SET marketplace_category = 'A' WHERE marketplace_category = 'b'")
        .await;
    for query in [
        "",
        "category=b",
        "category=a&featured=true",
        "type=agent&featured=false",
    ] {
        let listed = app
            .get(format!("/api/marketplace/items?limit=100&{query}"))
            .as_user("reader")
            .send()
            .await;
        assert_eq!(
            listed.json["total"],
            listed.json["items"].as_array().unwrap().len(),
            "{query}"
        );
    }
    let counters = || async {
        app.db
            .query(
                "SELECT kind::text AS kind, category_key, is_approved, items, featured, installs FROM marketplace_counts
                 WHERE items <> 0 OR featured <> 0 OR installs <> 0 ORDER BY 1, 2, 3",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let row: (String, String, bool, i64, i64, i64) = (
                    r.get("kind"),
                    r.get("category_key"),
                    r.get("is_approved"),
                    r.get("items"),
                    r.get("featured"),
                    r.get("installs"),
                );
                row
            })
            .collect::<Vec<_>>()
    };
    let kept = counters().await;
    app.exec("SELECT marketplace_counts_rebuild()").await;
    assert_eq!(
        kept,
        counters().await,
        "the trigger-kept counters equal a recount"
    );
}
