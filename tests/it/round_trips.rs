//! The round trips each route makes to PostgreSQL, counted by the proxy in front of it (every `Sync` and
//! simple `Query` a handler sends). Deployed, each is a network round trip through RDS Proxy, so the counts
//! are pinned: a route that gains a round trip fails here, one that loses one updates its line.

use std::collections::BTreeSet;

use harness::*;
use marketplace_http::routes::{match_route, BASE_PATH, ROUTES};
use marketplace_http::Config;

#[tokio::test]
async fn every_route_makes_exactly_its_pinned_number_of_round_trips() {
    let (app, proxy) =
        TestApp::behind_proxy(Config::default(), PoolSettings::LAMBDA.with_max_size(1)).await;
    let acme = app.workspace_with_members("acme").await;
    app.admin("root").await;
    let skill = app
        .item(ItemKind::Skill, "Tone")
        .category("Writing")
        .insert()
        .await;
    let keyed_skill = app.item(ItemKind::Skill, "Keyed").insert().await;
    app.item(ItemKind::Llm, "fast-1").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Triage Bot")
        .category("Support")
        .set("model_config", json!({"model": "fast-1"}))
        .versions(&["1.0.0"])
        .insert()
        .await;
    let recipe = app
        .item(ItemKind::Recipe, "Support Flow")
        .set("recommended_agents", json!(["Triage Bot"]))
        .insert()
        .await;
    let source = app
        .item(ItemKind::Agent, "Own Bot")
        .in_workspace(acme)
        .insert()
        .await;
    let private_source = app
        .item(ItemKind::Agent, "Private Bot")
        .in_workspace(acme)
        .insert()
        .await;
    let draft_source = app
        .item(ItemKind::Agent, "Draft Bot")
        .in_workspace(acme)
        .insert()
        .await;
    let beta = app.workspace("beta").await;
    let editor = app.as_user("acme-editor").in_workspace(acme);
    let admin = app.as_user("root").in_workspace(acme);
    // The pool's one connection is opened, and the users provisioned and seen, before anything is counted:
    // the reads below are those of a function instance that has seen its caller before.
    editor.me().await.assert_status(200);
    admin.me().await.assert_status(200);
    app.as_user("acme-owner").me().await.assert_status(200);

    let mut measured: Vec<(&str, u64)> = Vec::new();
    let mut count = |name, (trips, response): (u64, TestResponse), status| {
        response.assert_status(status);
        measured.push((name, trips));
        response
    };
    count(
        "GET /items",
        proxy.counting(editor.list_items("")).await,
        200,
    );
    count(
        "GET /items?search=",
        proxy.counting(editor.list_items("search=triage")).await,
        200,
    );
    count(
        "GET /items/{id}",
        proxy.counting(editor.item(agent)).await,
        200,
    );
    count(
        "GET /items/{id}/versions",
        proxy.counting(editor.versions(agent)).await,
        200,
    );
    count(
        "GET /featured",
        proxy.counting(editor.featured("")).await,
        200,
    );
    count(
        "GET /categories",
        proxy.counting(editor.categories()).await,
        200,
    );
    count("GET /stats", proxy.counting(editor.stats()).await, 200);
    count("GET /me", proxy.counting(editor.me()).await, 200);
    let plan = count(
        "GET /items/{id}/install-plan",
        proxy.counting(editor.install_plan(agent)).await,
        200,
    );
    // Installs consent up front, as a client that read the plan does: one request each.
    let agent_digest = plan.json["capabilities_digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let skill_install = count(
        "POST /items/{skill}/install",
        proxy.counting(editor.install_without_consent(skill)).await,
        201,
    );
    let keyed = || {
        editor
            .call("POST", &format!("/items/{keyed_skill}/install"))
            .header("idempotency-key", "round-trips")
            .without_consent()
            .send()
    };
    count(
        "POST /items/{skill}/install (Idempotency-Key)",
        proxy.counting(keyed()).await,
        201,
    );
    count(
        "POST /items/{skill}/install (the same Idempotency-Key again)",
        proxy.counting(keyed()).await,
        200,
    );
    let agent_install = count(
        "POST /items/{agent}/install (its LLM cloned)",
        proxy
            .counting(editor.install_accepting(agent, &agent_digest))
            .await,
        201,
    );
    count(
        "POST /items/{agent}/install (its LLM reused)",
        proxy
            .counting(editor.install_accepting(agent, &agent_digest))
            .await,
        201,
    );
    count(
        "POST /items/{agent}/install (Idempotency-Key, its LLM reused)",
        proxy
            .counting(
                editor
                    .call("POST", &format!("/items/{agent}/install"))
                    .header("idempotency-key", "round-trips-agent")
                    .header("accept-capabilities", &agent_digest)
                    .send(),
            )
            .await,
        201,
    );
    // A recipe into a workspace that has none of it yet: the recipe, its agent and the agent's LLM cloned.
    let gamma = app.workspace_with_members("gamma").await;
    let gamma_editor = app.as_user("gamma-editor").in_workspace(gamma);
    let recipe_plan = gamma_editor.install_plan(recipe).await;
    recipe_plan.assert_status(200);
    let recipe_digest = recipe_plan.json["capabilities_digest"]
        .as_str()
        .unwrap()
        .to_owned();
    let recipe_install = count(
        "POST /items/{recipe}/install (its agent and the agent's LLM cloned)",
        proxy
            .counting(gamma_editor.install_accepting(recipe, &recipe_digest))
            .await,
        201,
    );
    assert_eq!(
        recipe_install.body::<Install>().dependencies.len(),
        2,
        "{}",
        recipe_install.text
    );
    count(
        "GET /installs",
        proxy.counting(editor.installs("")).await,
        200,
    );
    count(
        "GET /updates",
        proxy.counting(editor.updates("")).await,
        200,
    );
    count(
        "GET /items/{id}/reviews",
        proxy.counting(editor.reviews(agent, "")).await,
        200,
    );
    let review = count(
        "POST /items/{id}/reviews",
        proxy
            .counting(editor.review(
                agent,
                &json!({"rating": 5, "title": "Good", "body": "Works."}),
            ))
            .await,
        201,
    );
    count(
        "DELETE /installs/{id}",
        proxy
            .counting(editor.uninstall(skill_install.body::<Install>().install_id, ""))
            .await,
        204,
    );
    let submitted = count(
        "POST /items/submit",
        proxy
            .counting(editor.submit(&json!({"item_type": "agent", "item_id": source})))
            .await,
        201,
    );
    let listing = submitted.json["item_id"].as_i64().expect("item_id");
    count(
        "GET /admin/queue",
        proxy.counting(admin.queue("")).await,
        200,
    );
    count(
        "POST /items/{id}/approve",
        proxy.counting(admin.approve(listing, None)).await,
        200,
    );
    count(
        "POST /items/{id}/feature",
        proxy.counting(admin.feature(listing, true)).await,
        200,
    );
    count(
        "POST /items/{id}/official",
        proxy.counting(admin.mark_official(listing)).await,
        200,
    );
    count(
        "DELETE /items/{id}/official",
        proxy.counting(admin.clear_official(listing)).await,
        200,
    );
    let draft = editor
        .submit(&json!({"item_type": "agent", "item_id": draft_source}))
        .await;
    draft.assert_status(201);
    count(
        "POST /items/{id}/reject",
        proxy
            .counting(admin.reject(
                draft.json["item_id"].as_i64().expect("item_id"),
                &json!({"reason": "Not ready"}),
            ))
            .await,
        200,
    );
    count(
        "GET /submissions",
        proxy.counting(editor.submissions("")).await,
        200,
    );
    count(
        "POST /items/{id}/versions",
        proxy
            .counting(editor.publish_version(listing, &json!({"version": "2.0.0"})))
            .await,
        201,
    );
    count(
        "POST /items/{id}/versions/{v}/withdraw",
        proxy.counting(editor.withdraw(listing, "2.0.0")).await,
        204,
    );
    count(
        "POST /items/{id}/versions/{v}/yank",
        proxy
            .counting(editor.yank(listing, "1.0.0", "Broken"))
            .await,
        200,
    );
    count(
        "DELETE /items/{id}/versions/{v}/yank",
        proxy.counting(editor.unyank(listing, "1.0.0")).await,
        200,
    );
    count(
        "POST /items/{id}/revoke",
        proxy
            .counting(admin.revoke(agent, &json!({"reason": "Leaks", "severity": "high"})))
            .await,
        200,
    );
    count(
        "GET /advisories",
        proxy.counting(editor.advisories("")).await,
        200,
    );
    count(
        "GET /moderation-log",
        proxy.counting(editor.moderation_log("")).await,
        200,
    );
    count(
        "GET /moderation-log/verify",
        proxy.counting(editor.verify_moderation_log()).await,
        200,
    );
    let owner = app.as_user("acme-owner").in_workspace(acme);
    let created = count(
        "POST /catalogs",
        proxy.counting(owner.create_catalog("Acme internal")).await,
        201,
    );
    let catalog = created.json["id"].as_i64().expect("catalog id");
    // The owner was last seen in no catalog: the first read finds the change and reads again.
    count(
        "GET /catalogs (its caller's first read since joining one)",
        proxy.counting(owner.catalogs()).await,
        200,
    );
    count("GET /catalogs", proxy.counting(owner.catalogs()).await, 200);
    count(
        "PUT /catalogs/{id}/workspaces/{workspace}",
        proxy.counting(owner.add_to_catalog(catalog, beta)).await,
        204,
    );
    let private = count(
        "POST /items/submit (private)",
        proxy
            .counting(editor.submit(
                &json!({"item_type": "agent", "item_id": private_source, "catalog_id": catalog}),
            ))
            .await,
        201,
    );
    let private = private.json["item_id"].as_i64().expect("item_id");
    count(
        "GET /catalogs/{id}/queue",
        proxy.counting(owner.catalog_queue(catalog, "")).await,
        200,
    );
    count(
        "POST /items/{id}/approve (catalog admin)",
        proxy.counting(owner.approve(private, None)).await,
        200,
    );
    count(
        "GET /items?catalog=",
        proxy
            .counting(editor.list_items(&format!("catalog={catalog}")))
            .await,
        200,
    );
    count(
        "GET /catalogs/{id}/moderation-log",
        proxy.counting(editor.catalog_log(catalog, "")).await,
        200,
    );
    count(
        "DELETE /catalogs/{id}/workspaces/{workspace}",
        proxy
            .counting(owner.remove_from_catalog(catalog, beta))
            .await,
        204,
    );
    app.publish_version(ItemKind::Agent, agent, "1.1.0", "")
        .await;
    let updates = count(
        "GET /updates (one update, with its changelogs)",
        proxy.counting(editor.updates("")).await,
        200,
    );
    assert_eq!(updates.json["updates"][0]["item_id"], agent);
    assert_eq!(
        updates.json["updates"][0]["changelog"][0]["version"],
        "1.1.0"
    );
    count(
        "POST /installs/{id}/update",
        proxy
            .counting(editor.apply_update(agent_install.body::<Install>().install_id, None))
            .await,
        200,
    );
    let review_id = review.json["id"].as_i64().expect("review id");
    count(
        "POST /reviews/{id}/hide",
        proxy.counting(admin.hide_review(review_id, "Spam")).await,
        200,
    );
    count(
        "POST /reviews/{id}/unhide",
        proxy.counting(admin.unhide_review(review_id)).await,
        200,
    );
    count(
        "DELETE /items/{id}/reviews/mine",
        proxy.counting(editor.delete_review(agent)).await,
        204,
    );
    count(
        "DELETE /items/{id}",
        proxy.counting(admin.delist(listing)).await,
        204,
    );

    let expected: Vec<(&str, u64)> = vec![
        ("GET /items", 1),
        ("GET /items?search=", 1),
        ("GET /items/{id}", 1),
        ("GET /items/{id}/versions", 1),
        ("GET /featured", 1),
        ("GET /categories", 1),
        ("GET /stats", 1),
        ("GET /me", 1),
        ("GET /items/{id}/install-plan", 2),
        ("POST /items/{skill}/install", 3),
        ("POST /items/{skill}/install (Idempotency-Key)", 3),
        (
            "POST /items/{skill}/install (the same Idempotency-Key again)",
            1,
        ),
        ("POST /items/{agent}/install (its LLM cloned)", 4),
        ("POST /items/{agent}/install (its LLM reused)", 4),
        (
            "POST /items/{agent}/install (Idempotency-Key, its LLM reused)",
            4,
        ),
        (
            "POST /items/{recipe}/install (its agent and the agent's LLM cloned)",
            4,
        ),
        ("GET /installs", 1),
        ("GET /updates", 1),
        ("GET /items/{id}/reviews", 1),
        ("POST /items/{id}/reviews", 8),
        ("DELETE /installs/{id}", 9),
        ("POST /items/submit", 12),
        ("GET /admin/queue", 1),
        ("POST /items/{id}/approve", 12),
        ("POST /items/{id}/feature", 7),
        ("POST /items/{id}/official", 7),
        ("DELETE /items/{id}/official", 7),
        ("POST /items/{id}/reject", 8),
        ("GET /submissions", 1),
        ("POST /items/{id}/versions", 10),
        ("POST /items/{id}/versions/{v}/withdraw", 7),
        ("POST /items/{id}/versions/{v}/yank", 10),
        ("DELETE /items/{id}/versions/{v}/yank", 10),
        ("POST /items/{id}/revoke", 12),
        ("GET /advisories", 1),
        ("GET /moderation-log", 1),
        ("GET /moderation-log/verify", 1),
        ("POST /catalogs", 2),
        (
            "GET /catalogs (its caller's first read since joining one)",
            2,
        ),
        ("GET /catalogs", 1),
        ("PUT /catalogs/{id}/workspaces/{workspace}", 2),
        ("POST /items/submit (private)", 13),
        ("GET /catalogs/{id}/queue", 1),
        ("POST /items/{id}/approve (catalog admin)", 13),
        ("GET /items?catalog=", 1),
        ("GET /catalogs/{id}/moderation-log", 1),
        ("DELETE /catalogs/{id}/workspaces/{workspace}", 2),
        ("GET /updates (one update, with its changelogs)", 1),
        ("POST /installs/{id}/update", 9),
        ("POST /reviews/{id}/hide", 8),
        ("POST /reviews/{id}/unhide", 8),
        ("DELETE /items/{id}/reviews/mine", 5),
        ("DELETE /items/{id}", 7),
    ];
    assert_eq!(measured, expected);
    let counted: BTreeSet<&str> = measured.iter().map(|(name, _)| served_by(name)).collect();
    let every: BTreeSet<&str> = ROUTES.iter().map(|route| route.function).collect();
    assert_eq!(counted, every, "every route's round trips are pinned");
}

/// The function serving the request a line of the table names ("POST /items/{skill}/install (...)").
fn served_by(name: &str) -> &'static str {
    let (method, rest) = name.split_once(' ').expect("a method and a path");
    let path = rest.split([' ', '?']).next().unwrap_or_default();
    let concrete: String = path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    match_route(method, &format!("{BASE_PATH}{concrete}"))
        .unwrap_or_else(|| panic!("no route serves {name}"))
        .0
        .function
}
