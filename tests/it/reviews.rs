//! User reviews and ratings (POST/GET /items/{id}/reviews, DELETE …/reviews/mine, admin hide/unhide), the
//! rating on every summary and detail, sort=rating, and the trending order.

use harness::*;
use marketplace_catalog::RateLimit;
use marketplace_http::Config;
use uuid::Uuid;

fn reviews_path(id: i64) -> String {
    format!("/api/marketplace/items/{id}/reviews")
}

async fn install(app: &TestApp, item: i64, workspace: Uuid, user: &str) -> TestResponse {
    let response = app
        .as_user(user)
        .in_workspace(workspace)
        .install(item)
        .await;
    response.assert_status(201);
    response
}

async fn review(
    app: &TestApp,
    item: i64,
    workspace: Uuid,
    user: &str,
    body: Value,
) -> TestResponse {
    app.as_user(user)
        .in_workspace(workspace)
        .review(item, &body)
        .await
}

async fn reviews(app: &TestApp, item: i64, user: &str, query: &str) -> TestResponse {
    let response = app
        .get(format!("{}{query}", reviews_path(item)))
        .as_user(user)
        .send()
        .await;
    response.assert_status(200);
    response
}

/// The listing's rating as its detail, the listing, the featured section and its reviews' summary show
/// it; all four must agree.
async fn rating(app: &TestApp, item: i64, user: &str) -> Value {
    let detail = app.as_user(user).item(item).await;
    detail.assert_status(200);
    let listed = app
        .get("/api/marketplace/items?limit=100")
        .as_user(user)
        .send()
        .await;
    let in_list = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|summary| summary["id"] == item)
        .expect("listed")["rating"]
        .clone();
    let summary = reviews(app, item, user, "").await.json["summary"].clone();
    assert_eq!(detail.json["rating"], in_list, "detail vs listing");
    assert_eq!(
        json!({"average": summary["average"], "count": summary["count"]}),
        in_list,
        "reviews' summary vs listing"
    );
    summary
}

/// An approved agent, a workspace (members acme-owner, acme-editor, acme-viewer) that installed it.
async fn installed_agent(app: &TestApp) -> (i64, Uuid) {
    let agent = app.item(ItemKind::Agent, "Helper").insert().await;
    let workspace = app.workspace_with_members("acme").await;
    install(app, agent, workspace, "acme-editor").await;
    (agent, workspace)
}

#[tokio::test]
async fn only_members_of_a_workspace_that_installed_the_listing_may_review_it() {
    let app = TestApp::new().await;
    let agent = app.item(ItemKind::Agent, "Helper").insert().await;
    let acme = app.workspace_with_members("acme").await;
    let globex = app.workspace_with_members("globex").await;

    let refused = review(&app, agent, acme, "acme-viewer", json!({"rating": 5})).await;
    refused.assert_problem(403, "forbidden");
    assert!(
        refused.json["detail"].as_str().unwrap().contains("install"),
        "{}",
        refused.text
    );

    let installed = install(&app, agent, acme, "acme-editor").await;
    // Any member, a viewer too, and whether or not the copy is still there.
    let copy = installed.body::<Install>().installed.id;
    app.exec(&format!("DELETE FROM agents WHERE id = {copy}"))
        .await;
    let posted = review(
        &app,
        agent,
        acme,
        "acme-viewer",
        json!({"rating": 4, "title": "Useful", "body": "Saves time."}),
    )
    .await;
    posted.assert_status(201);
    let viewer = app
        .count("SELECT id FROM users WHERE auth_subject = 'acme-viewer'")
        .await;
    assert_eq!(
        posted.json,
        json!({
            "id": posted.json["id"], "rating": 4, "title": "Useful", "body": "Saves time.",
            "author": {"id": viewer, "display_name": "acme-viewer"}, "verified_install": true,
            "installed_version": "1.0.0", "created_at": posted.json["created_at"],
            "updated_at": posted.json["updated_at"],
        })
    );

    // Another workspace did not install it; a non-member cannot speak for acme.
    review(&app, agent, globex, "globex-owner", json!({"rating": 1}))
        .await
        .assert_problem(403, "forbidden");
    review(&app, agent, acme, "globex-owner", json!({"rating": 1}))
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(app.count("SELECT count(*) FROM user_reviews").await, 1);

    // Unapproved and delisted listings have no reviews to write or read.
    let pending = app
        .item(ItemKind::Agent, "Pending")
        .unapproved()
        .insert()
        .await;
    review(&app, pending, acme, "acme-owner", json!({"rating": 5}))
        .await
        .assert_problem(404, "not_found");
    app.as_user("acme-owner")
        .reviews(pending, "")
        .await
        .assert_problem(404, "not_found");
    app.exec(&format!(
        "UPDATE agents SET delisted_at = now() WHERE id = {agent}"
    ))
    .await;
    review(&app, agent, acme, "acme-owner", json!({"rating": 5}))
        .await
        .assert_problem(404, "not_found");
    app.as_user("acme-owner")
        .reviews(agent, "")
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_second_review_replaces_the_first_and_the_rating_follows_every_change() {
    let app = TestApp::new().await;
    let (agent, acme) = installed_agent(&app).await;
    app.admin("root").await;

    let unrated = rating(&app, agent, "acme-owner").await;
    assert_eq!(
        unrated,
        json!({"average": null, "count": 0, "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}})
    );

    let first = review(
        &app,
        agent,
        acme,
        "acme-owner",
        json!({"rating": 2, "title": "Meh"}),
    )
    .await;
    first.assert_status(201);
    let second = review(&app, agent, acme, "acme-editor", json!({"rating": 5})).await;
    second.assert_status(201);
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 3.5, "count": 2, "histogram": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}})
    );

    let replaced = review(
        &app,
        agent,
        acme,
        "acme-owner",
        json!({"rating": 4, "body": "Better now."}),
    )
    .await;
    replaced.assert_status(200);
    assert_eq!(replaced.json["id"], first.json["id"]);
    assert_eq!(replaced.json["created_at"], first.json["created_at"]);
    assert_eq!(
        replaced.json["title"],
        Value::Null,
        "the whole review is replaced"
    );
    assert_eq!(replaced.json["body"], "Better now.");
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 4.5, "count": 2, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}})
    );
    let page = reviews(&app, agent, "acme-viewer", "").await;
    assert_eq!(page.json["reviews"].as_array().unwrap().len(), 2);

    // 4 and 5 and 5: the average is kept to two decimals.
    review(&app, agent, acme, "acme-viewer", json!({"rating": 5}))
        .await
        .assert_status(201);
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 4.67, "count": 3, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 2}})
    );

    app.delete(format!("{}/mine", reviews_path(agent)))
        .as_user("acme-editor")
        .send()
        .await
        .assert_status(204);
    app.delete(format!("{}/mine", reviews_path(agent)))
        .as_user("acme-editor")
        .send()
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 4.5, "count": 2, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}})
    );

    // Hiding takes a review out of the rating, showing it puts it back.
    let viewer_review = app
        .count(
            "SELECT r.id FROM user_reviews r JOIN users u ON u.id = r.user_id
             WHERE u.auth_subject = 'acme-viewer'",
        )
        .await;
    app.post(format!("/api/marketplace/reviews/{viewer_review}/hide"))
        .as_user("root")
        .json(&json!({"reason": "Off topic."}))
        .send()
        .await
        .assert_status(200);
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 4.0, "count": 1, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}})
    );
    app.post(format!("/api/marketplace/reviews/{viewer_review}/unhide"))
        .as_user("root")
        .send()
        .await
        .assert_status(200);
    assert_eq!(
        rating(&app, agent, "acme-owner").await,
        json!({"average": 4.5, "count": 2, "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}})
    );

    // The row holds exactly what the reviews add up to.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM agents a WHERE a.id = {agent}
               AND (a.rating_count, a.rating_sum) = (SELECT count(*)::int, sum(rating)::int FROM user_reviews
                                                     WHERE item_id = {agent} AND hidden_at IS NULL)"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn admins_hide_and_unhide_reviews_and_both_are_logged() {
    let app = TestApp::new().await;
    let (agent, acme) = installed_agent(&app).await;
    let admin = app.admin("root").await;
    let posted = review(
        &app,
        agent,
        acme,
        "acme-owner",
        json!({"rating": 1, "body": "Spam spam."}),
    )
    .await;
    posted.assert_status(201);
    let id = posted.json["id"].as_i64().unwrap();
    let hide = format!("/api/marketplace/reviews/{id}/hide");
    let unhide = format!("/api/marketplace/reviews/{id}/unhide");

    app.post(&hide)
        .as_user("acme-owner")
        .json(&json!({"reason": "mine"}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    app.post(&unhide)
        .as_user("acme-owner")
        .send()
        .await
        .assert_problem(403, "forbidden");
    for body in [
        json!({}),
        json!({"reason": ""}),
        json!({"reason": "   "}),
        json!({"reason": "x".repeat(2001)}),
    ] {
        let refused = app.post(&hide).as_user("root").json(&body).send().await;
        refused.assert_problem(400, "bad_request");
        assert_eq!(refused.error_fields(), ["reason"], "{body}");
    }
    app.post("/api/marketplace/reviews/999999/hide")
        .as_user("root")
        .json(&json!({"reason": "Spam."}))
        .send()
        .await
        .assert_problem(404, "not_found");

    let hidden = app
        .post(&hide)
        .as_user("root")
        .json(&json!({"reason": "Spam."}))
        .send()
        .await;
    hidden.assert_status(200);
    assert_eq!(hidden.json["hidden"], true);
    assert_eq!(
        reviews(&app, agent, "acme-owner", "").await.json["reviews"],
        json!([])
    );
    let admin_view = reviews(&app, agent, "root", "").await;
    assert_eq!(admin_view.json["reviews"][0]["id"], id);
    assert_eq!(admin_view.json["reviews"][0]["hidden"], true);
    assert_eq!(
        admin_view.json["summary"]["count"], 0,
        "hidden reviews do not count"
    );

    // Replacing a hidden review does not show it again, nor does deleting it and posting anew.
    review(&app, agent, acme, "acme-owner", json!({"rating": 2}))
        .await
        .assert_status(200);
    assert_eq!(
        reviews(&app, agent, "acme-owner", "").await.json["reviews"],
        json!([])
    );
    let mine = format!("{}/mine", reviews_path(agent));
    app.delete(&mine)
        .as_user("acme-owner")
        .workspace(acme)
        .send()
        .await
        .assert_status(204);
    let reposted = review(&app, agent, acme, "acme-owner", json!({"rating": 5})).await;
    reposted.assert_status(200);
    assert_eq!(reposted.json["id"], id, "the hidden review was replaced");
    assert_eq!(
        reviews(&app, agent, "acme-owner", "").await.json["reviews"],
        json!([]),
        "still hidden"
    );
    assert_eq!(rating(&app, agent, "acme-owner").await["count"], 0);

    let shown = app.post(&unhide).as_user("root").send().await;
    shown.assert_status(200);
    assert_eq!(shown.json["hidden"], false);
    let member_view = reviews(&app, agent, "acme-viewer", "").await;
    assert_eq!(member_view.json["reviews"][0]["id"], id);
    assert!(
        member_view.json["reviews"][0].get("hidden").is_none(),
        "members are not told about hiding"
    );

    let log = app
        .db
        .query(
            "SELECT action, reason, review_id, item_id, item_kind::text AS kind, admin_id FROM admin_actions
             ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let log: Vec<Value> = log
        .iter()
        .map(|r| {
            json!([
                r.get::<_, String>("action"),
                r.get::<_, Option<String>>("reason"),
                r.get::<_, Option<i64>>("review_id"),
                r.get::<_, i64>("item_id"),
                r.get::<_, String>("kind"),
                r.get::<_, i64>("admin_id"),
            ])
        })
        .collect();
    assert_eq!(
        log,
        [
            json!(["hide_review", "Spam.", id, agent, "agent", admin]),
            json!(["unhide_review", null, id, agent, "agent", admin]),
        ]
    );

    // A review of a delisted listing is not found, for admins too.
    app.exec(&format!(
        "UPDATE agents SET delisted_at = now() WHERE id = {agent}"
    ))
    .await;
    app.post(&hide)
        .as_user("root")
        .json(&json!({"reason": "Spam."}))
        .send()
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn reviews_page_by_cursor_in_each_order() {
    let app = TestApp::new().await;
    let agent = app.item(ItemKind::Agent, "Helper").insert().await;
    let workspace = app.workspace("crowd").await;
    let ratings = [3, 5, 1, 4, 5, 2, 3];
    for (i, stars) in ratings.iter().enumerate() {
        let subject = format!("r{i}");
        let user = app.user(&subject).await;
        app.member(workspace, user, "viewer").await;
        if i == 0 {
            app.member(workspace, app.user("installer").await, "editor")
                .await;
            install(&app, agent, workspace, "installer").await;
        }
        review(&app, agent, workspace, &subject, json!({"rating": stars}))
            .await
            .assert_status(201);
    }
    // Written in order r0 … r6: newest first is r6 … r0.
    let order = |sort: &str| -> Vec<String> {
        let mut written: Vec<(usize, i32)> = ratings.iter().copied().enumerate().collect();
        written.reverse();
        match sort {
            "rating_high" => written.sort_by_key(|(_, stars)| -stars),
            "rating_low" => written.sort_by_key(|(_, stars)| *stars),
            _ => {}
        }
        written.iter().map(|(i, _)| format!("r{i}")).collect()
    };
    for sort in ["newest", "rating_high", "rating_low"] {
        let mut seen = Vec::new();
        let mut query = format!("?sort={sort}&limit=3");
        let mut pages = 0;
        loop {
            let page = reviews(&app, agent, "r0", &query).await;
            pages += 1;
            for review in page.json["reviews"].as_array().unwrap() {
                seen.push(
                    review["author"]["display_name"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            match page.json["next_cursor"].as_str() {
                Some(cursor) => query = format!("?sort={sort}&limit=3&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, order(sort), "{sort}");
        assert_eq!(pages, 3, "{sort}");
    }

    let first = reviews(&app, agent, "r0", "?sort=newest&limit=3").await;
    let cursor = first.json["next_cursor"].as_str().unwrap().to_owned();
    for query in [
        format!("?sort=rating_high&cursor={cursor}"),
        "?cursor=bm9wZQ".to_owned(),
        "?sort=best".to_owned(),
        "?limit=0".to_owned(),
        "?limit=101".to_owned(),
    ] {
        let refused = app
            .get(format!("{}{query}", reviews_path(agent)))
            .as_user("r0")
            .send()
            .await;
        refused.assert_problem(400, "bad_request");
        assert_eq!(refused.error_fields().len(), 1, "{query}: {}", refused.text);
    }
}

#[tokio::test]
async fn bad_review_input_is_a_400_naming_the_field_and_text_is_stored_as_given() {
    let app = TestApp::new().await;
    let (agent, acme) = installed_agent(&app).await;
    let cases = [
        (json!({}), "rating"),
        (json!({"rating": 0}), "rating"),
        (json!({"rating": 6}), "rating"),
        (json!({"rating": 4.5}), "rating"),
        (json!({"rating": "5"}), "rating"),
        (json!({"rating": null}), "rating"),
        (json!({"rating": 5, "title": "t".repeat(121)}), "title"),
        (json!({"rating": 5, "title": null}), "title"),
        (json!({"rating": 5, "title": "ding\u{7}"}), "title"),
        (json!({"rating": 5, "title": "esc\u{1b}[31m"}), "title"),
        (json!({"rating": 5, "body": "b".repeat(5001)}), "body"),
        (json!({"rating": 5, "body": "line\r\nbreak"}), "body"),
        (json!({"rating": 5, "body": "nul\u{0}"}), "body"),
        (json!({"rating": 5, "body": "c1\u{85}"}), "body"),
        (json!({"rating": 5, "body": 7}), "body"),
    ];
    for (body, field) in cases {
        let refused = review(&app, agent, acme, "acme-owner", body.clone()).await;
        refused.assert_problem(400, "bad_request");
        assert_eq!(refused.error_fields(), [field], "{body}");
    }
    let not_json = app
        .post(reviews_path(agent))
        .as_user("acme-owner")
        .workspace(acme)
        .header("content-type", "application/json")
        .raw_body("{\"rating\": 5")
        .send()
        .await;
    not_json.assert_problem(400, "bad_request");
    assert_eq!(app.count("SELECT count(*) FROM user_reviews").await, 0);

    // Newlines, tabs, markup and the longest allowed text are kept exactly.
    let title = "<b>Five</b> & \"stars\"\t✓";
    let body = format!(
        "First line\nsecond <script>alert(1)</script>\n{}",
        "é".repeat(4950)
    );
    let posted = review(
        &app,
        agent,
        acme,
        "acme-owner",
        json!({"rating": 5, "title": title, "body": body}),
    )
    .await;
    posted.assert_status(201);
    assert_eq!(posted.json["title"], title);
    assert_eq!(posted.json["body"], body.as_str());
    let listed = reviews(&app, agent, "acme-viewer", "").await;
    assert_eq!(listed.json["reviews"][0]["body"], body.as_str());
}

#[tokio::test]
async fn reviews_are_rate_limited_per_user_like_submissions() {
    let config = Config {
        review_limit: RateLimit {
            submissions: 3,
            window_secs: 3600,
        },
        ..Config::default()
    };
    let app = TestApp::with_config(config).await;
    let (agent, acme) = installed_agent(&app).await;
    let other = app.item(ItemKind::Skill, "Other").insert().await;

    // Refused reviews are not counted.
    review(&app, other, acme, "acme-owner", json!({"rating": 3}))
        .await
        .assert_problem(403, "forbidden");
    review(&app, agent, acme, "acme-owner", json!({"rating": 9}))
        .await
        .assert_problem(400, "bad_request");
    for stars in [1, 2, 3] {
        review(&app, agent, acme, "acme-owner", json!({"rating": stars}))
            .await
            .assert_status(if stars == 1 { 201 } else { 200 });
    }
    let limited = review(&app, agent, acme, "acme-owner", json!({"rating": 4})).await;
    limited.assert_problem(429, "rate_limited");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(rating(&app, agent, "acme-owner").await["average"], 3.0);
    // Another user has a window of their own.
    review(&app, agent, acme, "acme-editor", json!({"rating": 5}))
        .await
        .assert_status(201);

    app.exec("UPDATE review_windows SET started_at = now() - interval '61 minutes'")
        .await;
    review(&app, agent, acme, "acme-owner", json!({"rating": 4}))
        .await
        .assert_status(200);
}

/// `ids` in the order `GET /items?sort=…` lists them (of the items in `ids`).
async fn listed_order(app: &TestApp, query: &str, ids: &[i64]) -> Vec<i64> {
    let response = app
        .get(format!("/api/marketplace/items?{query}&limit=100"))
        .as_user("viewer")
        .send()
        .await;
    response.assert_status(200);
    response.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .filter(|id| ids.contains(id))
        .collect()
}

#[tokio::test]
async fn sort_rating_is_a_bayesian_average_so_one_five_star_review_does_not_outrank_200_at_4_8() {
    let app = TestApp::new().await;
    app.user("viewer").await;
    let single = app.item(ItemKind::Skill, "One review").insert().await;
    let many = app.item(ItemKind::Agent, "Many reviews").insert().await;
    let unrated = app
        .item(ItemKind::Tool, "No reviews")
        .installs(500)
        .insert()
        .await;
    let poor = app.item(ItemKind::Recipe, "Poor").insert().await;
    let crowd = app.workspace("crowd").await;
    let installer = app.user("installer").await;
    app.member(crowd, installer, "editor").await;
    for item in [single, many, poor] {
        install(&app, item, crowd, "installer").await;
    }
    for i in 0..200 {
        let subject = format!("fan{i}");
        let user = app.user(&subject).await;
        app.member(crowd, user, "viewer").await;
        // 160 fives and 40 fours: 4.8.
        let stars = if i < 160 { 5 } else { 4 };
        review(&app, many, crowd, &subject, json!({"rating": stars}))
            .await
            .assert_status(201);
    }
    review(&app, single, crowd, "fan0", json!({"rating": 5}))
        .await
        .assert_status(201);
    review(&app, poor, crowd, "fan1", json!({"rating": 1}))
        .await
        .assert_status(201);
    assert_eq!(rating(&app, many, "viewer").await["average"], 4.8);
    assert_eq!(rating(&app, single, "viewer").await["average"], 5.0);

    // (sum + w·m) / (n + w) with w = 10, m = 3: 990/210 ≈ 4.71 beats 35/11 ≈ 3.18; 1 star scores 31/11;
    // unrated listings come last, however popular.
    let ids = [single, many, unrated, poor];
    assert_eq!(
        listed_order(&app, "sort=rating", &ids).await,
        [many, single, poor, unrated]
    );
    assert_eq!(listed_order(&app, "sort=popular", &ids).await[0], unrated);
    let scores = app
        .db
        .query_one(
            &format!(
                "SELECT (SELECT rating_score FROM agents WHERE id = {many}) AS many,
                        (SELECT rating_score FROM skills WHERE id = {single}) AS single"
            ),
            &[],
        )
        .await
        .unwrap();
    assert!((scores.get::<_, f64>("many") - 990.0 / 210.0).abs() < 1e-9);
    assert!((scores.get::<_, f64>("single") - 35.0 / 11.0).abs() < 1e-9);

    // The migrate function refreshes the prior: its mean becomes the global mean (966/202); the weight can
    // be changed in SQL.
    app.exec("UPDATE rating_prior SET weight = 20").await;
    let pool = marketplace_db::pool_from_url(&app.url, PoolSettings::LAMBDA).unwrap();
    let report = migrate::handle(&pool, json!({"refresh_rating_prior": true}))
        .await
        .unwrap();
    let mean = 966.0 / 202.0;
    let prior = report.rating_prior.expect("refreshed");
    assert_eq!(prior.weight, 20.0);
    assert!((prior.mean - mean).abs() < 1e-9);
    let refreshed: f64 = app
        .db
        .query_one(
            &format!("SELECT rating_score FROM agents WHERE id = {many}"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!((refreshed - (960.0 + 20.0 * mean) / 220.0).abs() < 1e-9);
    assert_eq!(listed_order(&app, "sort=rating", &ids).await[0], many);
}

#[tokio::test]
async fn a_thousand_installs_from_one_workspace_rank_below_three_from_three_workspaces() {
    let app = TestApp::new().await;
    app.user("viewer").await;
    let gamed = app
        .item(ItemKind::Agent, "Gamed")
        .installs(10)
        .insert()
        .await;
    let liked = app.item(ItemKind::Agent, "Liked").insert().await;
    let quiet = app
        .item(ItemKind::Skill, "Quiet")
        .installs(50)
        .insert()
        .await;

    let farm = app.workspace_with_members("farm").await;
    for i in 0..1000 {
        install(&app, gamed, farm, "farm-editor").await;
        if i % 20 == 19 {
            // The farm uninstalls its copies as it goes, as a script gaming the count would.
            app.exec(&format!("DELETE FROM agents WHERE workspace_id = '{farm}'"))
                .await;
        }
    }
    for name in ["a", "b", "c"] {
        let workspace = app.workspace_with_members(name).await;
        install(&app, liked, workspace, &format!("{name}-owner")).await;
    }

    let ids = [gamed, liked, quiet];
    assert_eq!(
        listed_order(&app, "sort=popular", &ids).await,
        [gamed, quiet, liked]
    );
    // 3 distinct workspaces beat 1; an item without recent installs ties at 0 and falls back on popularity.
    assert_eq!(
        listed_order(&app, "sort=trending", &ids).await,
        [liked, gamed, quiet]
    );
    assert_eq!(
        listed_order(&app, "sort=trending&type=agent", &ids).await,
        [liked, gamed]
    );
    let trending = app
        .get("/api/marketplace/featured?trending=true&limit=3")
        .as_user("viewer")
        .send()
        .await;
    trending.assert_status(200);
    let top: Vec<i64> = trending.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    assert_eq!(top, [liked, gamed, quiet]);
    let counts = app
        .db
        .query_one(
            &format!(
                "SELECT (SELECT trending_installs FROM agents WHERE id = {gamed}) AS gamed,
                        (SELECT trending_installs FROM agents WHERE id = {liked}) AS liked,
                        (SELECT install_count FROM agents WHERE id = {gamed}) AS gamed_installs"
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(counts.get::<_, i32>("gamed"), 1);
    assert_eq!(counts.get::<_, i32>("liked"), 3);
    assert_eq!(counts.get::<_, i32>("gamed_installs"), 1010);

    // Without the flag, /featured is still the featured section.
    let featured = app
        .get("/api/marketplace/featured?trending=false")
        .as_user("viewer")
        .send()
        .await;
    featured.assert_status(200);
    assert_eq!(featured.json["items"], json!([]));
    app.get("/api/marketplace/featured?trending=yes")
        .as_user("viewer")
        .send()
        .await
        .assert_problem(400, "bad_request");
}

#[tokio::test]
async fn trending_buckets_age_out_as_installs_happen_and_a_returning_workspace_counts_once() {
    let app = TestApp::new().await;
    app.user("viewer").await;
    let faded = app.item(ItemKind::Agent, "Faded").insert().await;
    let fresh = app.item(ItemKind::Agent, "Fresh").insert().await;
    let steady = app.item(ItemKind::Skill, "Steady").insert().await;
    let old = app.workspace_with_members("old").await;
    let regular = app.workspace_with_members("regular").await;
    let lapsed = app.workspace_with_members("lapsed").await;

    // Eight days ago, five workspaces installed `faded` (buckets as installs then left them); three days
    // ago `regular` installed `steady`, and nine days ago `lapsed` did.
    let mut seed = String::new();
    for i in 0..5 {
        let workspace = app.workspace(&format!("gone{i}")).await;
        seed.push_str(&format!(
            "INSERT INTO trending_workspaces VALUES ({faded}, '{workspace}', current_date - 8);"
        ));
    }
    seed.push_str(&format!(
        "INSERT INTO trending_days VALUES ({faded}, 'agent', current_date - 8, 5);
         UPDATE agents SET trending_installs = 5 WHERE id = {faded};
         INSERT INTO trending_workspaces VALUES ({steady}, '{regular}', current_date - 3),
                                                ({steady}, '{lapsed}', current_date - 9);
         INSERT INTO trending_days VALUES ({steady}, 'skill', current_date - 3, 1),
                                          ({steady}, 'skill', current_date - 9, 1);
         UPDATE skills SET trending_installs = 2 WHERE id = {steady};"
    ));
    app.exec(&format!("SET TIME ZONE 'UTC'; {seed}")).await;
    let ids = [faded, fresh, steady];
    assert_eq!(
        listed_order(&app, "sort=trending", &ids).await,
        [faded, steady, fresh]
    );

    install(&app, fresh, old, "old-owner").await;
    // That install aged the expired buckets: nobody installed `faded` in the window.
    assert_eq!(
        app.count("SELECT count(*) FROM trending_days WHERE day < current_date - 6")
            .await,
        0
    );
    // `steady` keeps `regular` (1), as many as `fresh`, which has more installs in all.
    assert_eq!(
        listed_order(&app, "sort=trending", &ids).await,
        [fresh, steady, faded]
    );

    // `regular` comes back today: it moves to today's bucket and still counts once; `lapsed` comes back
    // after its bucket aged out and counts again.
    install(&app, steady, regular, "regular-owner").await;
    install(&app, steady, lapsed, "lapsed-owner").await;
    install(&app, steady, lapsed, "lapsed-owner").await;
    let steady_count: i32 = app
        .db
        .query_one(
            &format!("SELECT trending_installs FROM skills WHERE id = {steady}"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(steady_count, 2);
    assert_eq!(
        app.count(&format!(
            "SELECT coalesce(sum(workspaces), 0) FROM trending_days WHERE item_id = {steady}"
        ))
        .await,
        2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM trending_days WHERE item_id = {steady} AND day = current_date - 3 AND workspaces = 0"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn concurrent_reviews_and_installs_keep_ratings_and_trending_exact() {
    let app = TestApp::new().await;
    let agent = app.item(ItemKind::Agent, "Helper").insert().await;
    let crowd = app.workspace("crowd").await;
    let installer = app.user("installer").await;
    app.member(crowd, installer, "editor").await;
    install(&app, agent, crowd, "installer").await;
    let mut subjects = Vec::new();
    for i in 0..20 {
        let subject = format!("fan{i}");
        let user = app.user(&subject).await;
        app.member(crowd, user, "viewer").await;
        subjects.push(subject);
    }

    // Every fan posts twice at once: one insert and one replacement each, whatever the order.
    let posts = subjects.iter().enumerate().flat_map(|(i, subject)| {
        let app = &app;
        [1 + i % 5, 5 - i % 5].map(move |stars| async move {
            let response = review(app, agent, crowd, subject, json!({"rating": stars})).await;
            (subject.clone(), response.status)
        })
    });
    let mut statuses: Vec<(String, u16)> = futures::future::join_all(posts).await;
    statuses.sort();
    for pair in statuses.chunks(2) {
        assert_eq!(
            [pair[0].1, pair[1].1],
            [200, 201],
            "{}: one creates, one replaces",
            pair[0].0
        );
    }
    let row = app
        .db
        .query_one(
            &format!(
                "SELECT a.rating_count, a.rating_sum, a.rating_histogram,
                        (SELECT count(*)::int FROM user_reviews WHERE item_id = a.id) AS reviews,
                        (SELECT sum(rating)::int FROM user_reviews WHERE item_id = a.id) AS stars,
                        (SELECT array_agg((SELECT count(*)::int FROM user_reviews
                                           WHERE item_id = a.id AND rating = s) ORDER BY s)
                         FROM generate_series(1, 5) s) AS histogram
                 FROM agents a WHERE a.id = {agent}"
            ),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>("rating_count"), 20);
    assert_eq!(row.get::<_, i32>("reviews"), 20);
    assert_eq!(row.get::<_, i32>("rating_sum"), row.get::<_, i32>("stars"));
    assert_eq!(
        row.get::<_, Vec<i32>>("rating_histogram"),
        row.get::<_, Vec<i32>>("histogram")
    );

    // Ten workspaces install another listing twice each, all at once: ten distinct workspaces.
    let skill = app.item(ItemKind::Skill, "Shared").insert().await;
    let mut workspaces = Vec::new();
    for i in 0..10 {
        workspaces.push((
            app.workspace_with_members(&format!("w{i}")).await,
            format!("w{i}-editor"),
        ));
    }
    let installs = workspaces.iter().flat_map(|(workspace, editor)| {
        let app = &app;
        [0, 1].map(move |_| async move {
            app.as_user(editor)
                .in_workspace(*workspace)
                .install(skill)
                .await
                .status
        })
    });
    let statuses = futures::future::join_all(installs).await;
    assert!(statuses.iter().all(|status| *status == 201), "{statuses:?}");
    let trending: i32 = app
        .db
        .query_one(
            &format!("SELECT trending_installs FROM skills WHERE id = {skill}"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(trending, 10);
    assert_eq!(
        app.count(&format!(
            "SELECT sum(workspaces) FROM trending_days WHERE item_id = {skill}"
        ))
        .await,
        10
    );
}
