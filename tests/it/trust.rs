//! What a hostile user tried: secrets through summaries, unapproved skills through approved agents, someone
//! else's listing resubmitted as one's own, moderation races, oversized versions, reused idempotency keys,
//! and local skill links lost on update.

use futures::future::join_all;
use harness::*;

/// Secrets planted in every kind's configuration, at every depth; none may appear in any response.
const PLANTED: [&str; 7] = [
    "sk-live-4f7d2b9c1e8a6b3d",
    "hunter2-recipe-password",
    "ghp_abcdefghijklmnopqrst0123",
    "llm-provider-key-777",
    "tool-client-secret-888",
    "deep-array-token-999",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlMTIz",
];

fn assert_no_secret(route: &str, response: &TestResponse) {
    for secret in PLANTED {
        assert!(
            !response.text.contains(secret),
            "{route} leaked {secret}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn no_route_returns_a_secret_from_any_configuration() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let publisher = app.workspace_with_members("pub").await;
    app.admin("boss").await;
    let agent = app
        .item(ItemKind::Agent, "Leaky Agent")
        .featured()
        .set(
            "model_config",
            json!({"model": {"name": "x", "api_key": PLANTED[0]}, "fallback": PLANTED[0]}),
        )
        .set(
            "configuration",
            json!({"steps": [{"headers": [{"name": "Authorization", "value": format!("Bearer {}", PLANTED[5])}]}],
                   "jwt": PLANTED[6]}),
        )
        .versions(&["1.0.0"])
        .insert()
        .await;
    let recipe = app
        .item(ItemKind::Recipe, "Leaky Recipe")
        .featured()
        .set(
            "definition",
            json!({"credentials": {"user": "u", "pass": PLANTED[1]}}),
        )
        .set(
            "steps",
            json!([{"run": "x", "config": {"password": PLANTED[1]}}]),
        )
        .set("recommended_agents", json!([PLANTED[2]]))
        .insert()
        .await;
    let llm = app
        .item(ItemKind::Llm, "Leaky LLM")
        .set("config", json!({"auth": {"key": PLANTED[3]}}))
        .insert()
        .await;
    let tool = app
        .item(ItemKind::Tool, "Leaky Tool")
        .set("config", json!({"oauth": [{"client_secret": PLANTED[4]}]}))
        .insert()
        .await;

    let mut responses = Vec::new();
    for (route, subject) in [
        ("/api/marketplace/items".to_owned(), "acme-viewer"),
        (
            "/api/marketplace/items?search=leaky".to_owned(),
            "acme-viewer",
        ),
        ("/api/marketplace/featured".to_owned(), "acme-viewer"),
        ("/api/marketplace/items".to_owned(), "boss"),
        ("/api/marketplace/admin/queue".to_owned(), "boss"),
    ] {
        responses.push((route.clone(), app.get(route).as_user(subject).send().await));
    }
    for id in [agent, recipe, llm, tool] {
        for subject in ["acme-viewer", "boss"] {
            let route = format!("/api/marketplace/items/{id}");
            responses.push((route.clone(), app.get(route).as_user(subject).send().await));
        }
        let route = format!("/api/marketplace/items/{id}/versions");
        responses.push((
            route.clone(),
            app.get(route).as_user("acme-viewer").send().await,
        ));
        let install = app
            .as_user("acme-owner")
            .in_workspace(workspace)
            .install(id)
            .await;
        install.assert_status(201);
        responses.push((install_path(id), install));
    }
    app.publish_version(ItemKind::Agent, agent, "1.1.0", "")
        .await;
    let updates = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .updates("")
        .await;
    let install_id = updates.json["updates"][0]["install_id"].as_i64().unwrap();
    responses.push(("/updates".into(), updates));
    responses.push((
        "/installs/{id}/update".into(),
        app.as_user("acme-owner")
            .in_workspace(workspace)
            .apply_update(install_id, None)
            .await,
    ));
    // A workspace item with secrets, submitted for review: the admin's queue shows it without them.
    let source = app
        .item(ItemKind::Agent, "Pending Leak")
        .set("model_config", json!({"model": {"api_key": PLANTED[0]}}))
        .in_workspace(publisher)
        .insert()
        .await;
    app.as_user("pub-owner")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "agent", "item_id": source}))
        .await
        .assert_status(201);
    responses.push(("/admin/queue".into(), app.as_user("boss").queue("").await));
    responses.push((
        "/items as admin".into(),
        app.get("/api/marketplace/items?search=pending")
            .as_user("boss")
            .send()
            .await,
    ));

    for (route, response) in &responses {
        assert!(response.status < 300, "{route}: {}", response.text);
        assert_no_secret(route, response);
    }
    // Nor are they stored where another workspace or the marketplace keeps them: installed copies, the
    // submitted listing and its version snapshot (the listings above were inserted as fixtures, with them).
    for kind in ItemKind::ALL {
        let stored: Vec<String> = app
            .db
            .query(
                &format!(
                    "SELECT to_jsonb(t)::text FROM {} t
                     WHERE t.owner_type = 'workspace' AND t.cloned_from_id IS NOT NULL
                        OR t.owner_type = 'marketplace' AND t.cloned_from_id IS NOT NULL",
                    kind.table()
                ),
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .chain(
                app.db
                    .query(
                        &format!(
                            "SELECT v.content::text FROM item_versions v JOIN {} t ON t.id = v.item_id
                             WHERE t.cloned_from_id IS NOT NULL",
                            kind.table()
                        ),
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0)),
            )
            .collect();
        for text in stored {
            for secret in PLANTED {
                assert!(!text.contains(secret), "{kind}: {secret} stored in {text}");
            }
        }
    }
    let listed = &responses[0].1.json["items"];
    let agent_summary = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == agent)
        .unwrap();
    assert_eq!(
        agent_summary["metadata"]["model"],
        json!({"name": "x", "api_key": "[redacted]"}),
        "the model's public name stays; its key does not"
    );
}

/// An approved agent linked to an approved skill, a rejected (never approved) skill and a delisted one.
async fn agent_with_mixed_skills(app: &TestApp) -> (i64, [i64; 3]) {
    let ok = app.item(ItemKind::Skill, "Good Skill").insert().await;
    let rejected = app
        .item(ItemKind::Skill, "Rejected Skill")
        .set("description", "secret plans")
        .unapproved()
        .insert()
        .await;
    let delisted = app.item(ItemKind::Skill, "Gone Skill").insert().await;
    app.exec(&format!(
        "UPDATE skills SET delisted_at = now() WHERE id = {delisted}"
    ))
    .await;
    let agent = app
        .item(ItemKind::Agent, "Mixed Agent")
        .versions(&["1.0.0"])
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO agent_skills (agent_id, skill_id) VALUES ({agent}, {ok}), ({agent}, {rejected}), ({agent}, {delisted})"
    ))
    .await;
    (agent, [ok, rejected, delisted])
}

async fn linked_skills(app: &TestApp, agent: i64) -> Vec<i64> {
    app.db
        .query(
            "SELECT skill_id FROM agent_skills WHERE agent_id = $1 ORDER BY skill_id",
            &[&agent],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn an_approved_agent_never_shows_or_installs_a_skill_its_user_could_not_open() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let (agent, [ok, rejected, _]) = agent_with_mixed_skills(&app).await;

    app.as_user("acme-owner")
        .item(rejected)
        .await
        .assert_problem(404, "not_found");
    let detail = app.as_user("acme-owner").item(agent).await;
    detail.assert_status(200);
    assert_eq!(
        detail.json["dependencies"]["skills"],
        json!([{"id": ok, "name": "Good Skill", "description": ""}])
    );
    // The count shown agrees with the skills the detail shows.
    assert_eq!(detail.json["metadata"]["skills_count"], 1);
    assert!(!detail.text.contains("Rejected Skill") && !detail.text.contains("secret plans"));

    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(agent)
        .await;
    install.assert_status(201);
    let copy = install.body::<Install>().installed.id;
    assert_eq!(linked_skills(&app, copy).await, vec![ok]);
    assert_eq!(
        install.json["warnings"],
        json!([
            "2 skill(s) this agent uses are not available in the marketplace and were not linked."
        ])
    );
    assert!(!install.text.contains("Rejected Skill") && !install.text.contains("Gone Skill"));

    app.publish_version(ItemKind::Agent, agent, "1.1.0", "")
        .await;
    let install_id = install.body::<Install>().install_id;
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .apply_update(install_id, None)
        .await
        .assert_status(200);
    assert_eq!(
        linked_skills(&app, copy).await,
        vec![ok],
        "an update re-links only what the installer could open"
    );
}

#[tokio::test]
async fn approving_an_agent_whose_skill_was_rejected_is_a_conflict_that_names_the_skill() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let skill = app
        .item(ItemKind::Skill, "Helper Skill")
        .in_workspace(workspace)
        .insert()
        .await;
    let agent = app
        .item(ItemKind::Agent, "Helper Agent")
        .in_workspace(workspace)
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO agent_skills (agent_id, skill_id) VALUES ({agent}, {skill})"
    ))
    .await;
    let submitted = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "agent", "item_id": agent}))
        .await;
    submitted.assert_status(201);
    let listing = submitted.body::<Pending>().item_id;
    let skill_listing = linked_skills(&app, listing).await[0];

    app.as_user("boss")
        .reject(skill_listing, &json!({"reason": "Not safe."}))
        .await
        .assert_status(200);
    let approve = app.as_user("boss").approve(listing, None).await;
    approve.assert_problem(409, "conflict");
    let detail = approve.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("Helper Skill") && detail.contains(&skill_listing.to_string()),
        "{detail}"
    );
    let approved = app
        .count(&format!(
            "SELECT count(*) FROM agents WHERE id = {listing} AND is_approved"
        ))
        .await;
    assert_eq!(approved, 0, "nothing was approved");
}

#[tokio::test]
async fn an_unmodified_install_cannot_be_resubmitted_but_a_modified_one_is_a_fork() {
    let app = TestApp::new().await;
    let thief = app.workspace_with_members("thief").await;
    app.admin("boss").await;
    let original = app
        .item(ItemKind::Agent, "Original Agent")
        .set("configuration", json!({"prompt": "be helpful"}))
        .versions(&["1.0.0"])
        .insert()
        .await;
    let install = app
        .as_user("thief-owner")
        .in_workspace(thief)
        .install(original)
        .await;
    install.assert_status(201);
    let copy = install.body::<Install>().installed.id;

    let body = json!({"item_type": "agent", "item_id": copy, "name": "My Very Own Agent"});
    let refused = app
        .as_user("thief-owner")
        .in_workspace(thief)
        .submit(&body)
        .await;
    refused.assert_problem(409, "conflict");
    let detail = refused.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("Original Agent") && detail.contains(&original.to_string()),
        "{detail}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM agents WHERE name = 'My Very Own Agent'")
            .await,
        0
    );

    app.exec(&format!(
        "UPDATE agents SET configuration = '{{\"prompt\": \"be terse\"}}' WHERE id = {copy}"
    ))
    .await;
    let fork = app
        .as_user("thief-owner")
        .in_workspace(thief)
        .submit(&body)
        .await;
    fork.assert_status(201);
    let fork_id = fork.body::<Pending>().item_id;
    app.as_user("boss")
        .approve(fork_id, None)
        .await
        .assert_status(200);
    let detail = app.as_user("thief-viewer").item(fork_id).await;
    detail.assert_status(200);
    assert_eq!(
        detail.json["forked_from"],
        json!({"id": original, "name": "Original Agent"})
    );
    let original_detail = app.as_user("thief-viewer").item(original).await;
    assert_eq!(original_detail.json["forked_from"], Value::Null);
}

#[tokio::test]
async fn moderation_of_a_delisted_item_is_not_found_even_when_they_race() {
    let app = TestApp::with(marketplace_http::Config::default(), 8).await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let mut listings = Vec::new();
    for n in 0..12 {
        let source = app
            .item(ItemKind::Skill, &format!("Skill {n}"))
            .in_workspace(workspace)
            .insert()
            .await;
        let response = app
            .as_user("acme-owner")
            .in_workspace(workspace)
            .submit(&json!({"item_type": "skill", "item_id": source}))
            .await;
        response.assert_status(201);
        listings.push(response.body::<Pending>().item_id);
    }
    for &id in &listings {
        let approve = app.as_user("boss").approve(id, None);
        let delist = app.as_user("boss").delist(id);
        let (approve, delist) = futures::join!(approve, delist);
        delist.assert_status(204);
        assert!(
            approve.status == 200 || approve.status == 404,
            "{}",
            approve.text
        );
    }
    let late_approvals = app
        .count(
            "SELECT count(*) FROM admin_actions a JOIN admin_actions d
                 ON d.item_id = a.item_id AND d.action = 'delist' AND a.action = 'approve' AND a.id > d.id",
        )
        .await;
    assert_eq!(late_approvals, 0, "no approval lands after a delisting");

    let id = listings[0];
    for call in [
        app.post(format!("/api/marketplace/items/{id}/approve")),
        app.post(format!("/api/marketplace/items/{id}/reject"))
            .json(&json!({"reason": "late"})),
        app.post(format!("/api/marketplace/items/{id}/feature")),
        app.delete(format!("/api/marketplace/items/{id}")),
    ] {
        call.as_user("boss")
            .send()
            .await
            .assert_problem(404, "not_found");
    }
}

#[tokio::test]
async fn version_strings_over_100_characters_are_a_400_naming_the_field() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let source = app
        .item(ItemKind::Skill, "Skill")
        .in_workspace(workspace)
        .insert()
        .await;
    let longest = format!("1.0.0-{}", "a".repeat(94));
    for version in [format!("{longest}a"), format!("1.0.0-{}", "b".repeat(3000))] {
        let response = app
            .as_user("acme-owner")
            .in_workspace(workspace)
            .submit(&json!({"item_type": "skill", "item_id": source, "version": version}))
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec!["version"]);
    }
    let submitted = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": source, "version": "1.0.0"}))
        .await;
    submitted.assert_status(201);
    let listing = submitted.body::<Pending>().item_id;
    app.exec("UPDATE item_versions SET status = 'approved', published_at = now()")
        .await;
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .publish_version(
            listing,
            &json!({"version": format!("2.0.0-{}", "c".repeat(3000))}),
        )
        .await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), vec!["version"]);
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .publish_version(listing, &json!({"version": longest.replacen('1', "2", 1)}))
        .await
        .assert_status(201);
}

#[tokio::test]
async fn an_idempotency_key_answers_only_for_the_request_it_came_with() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let first = app.item(ItemKind::Skill, "First").insert().await;
    let second = app.item(ItemKind::Skill, "Second").insert().await;
    let install = |item: i64, subject: &'static str, key: &'static str| {
        app.post(install_path(item))
            .as_user(subject)
            .workspace(workspace)
            .header("idempotency-key", key)
            .send()
    };

    let created = install(first, "acme-owner", "key-1").await;
    created.assert_status(201);
    let reused = install(second, "acme-owner", "key-1").await;
    reused.assert_problem(422, "idempotency_key_reused");
    let by_another_user = install(first, "acme-editor", "key-1").await;
    by_another_user.assert_problem(422, "idempotency_key_reused");
    let replayed = install(first, "acme-owner", "key-1").await;
    replayed.assert_status(200);
    assert_eq!(replayed.json, created.json);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1,
        "only the first request installed anything"
    );

    // Reuse racing the first use: one install, every other answer a replay or a 422.
    let racing = join_all((0..8).map(|n| {
        install(
            if n % 2 == 0 { first } else { second },
            "acme-owner",
            "key-2",
        )
    }))
    .await;
    let created = racing.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    for response in &racing {
        assert!(
            [200, 201, 422].contains(&response.status),
            "{}",
            response.text
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        2
    );

    let non_ascii = install(first, "acme-owner", "clé-ünïcode").await;
    non_ascii.assert_problem(400, "bad_request");
    assert_eq!(non_ascii.error_fields(), vec!["Idempotency-Key"]);
}

#[tokio::test]
async fn skill_links_changed_in_the_workspace_are_not_dropped_by_an_update_without_force() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let listed_skill = app.item(ItemKind::Skill, "Listed Skill").insert().await;
    let own_skill = app
        .item(ItemKind::Skill, "Our Skill")
        .in_workspace(workspace)
        .insert()
        .await;
    let agent = app
        .item(ItemKind::Agent, "Agent")
        .set("skills", json!(["Listed Skill"]))
        .versions(&["1.0.0"])
        .insert()
        .await;
    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(agent)
        .await;
    install.assert_status(201);
    let copy = install.body::<Install>().installed.id;
    let install_id = install.body::<Install>().install_id;
    app.exec(&format!(
        "INSERT INTO agent_skills (agent_id, skill_id) VALUES ({copy}, {own_skill})"
    ))
    .await;
    app.publish_version(ItemKind::Agent, agent, "1.1.0", "")
        .await;

    let update = |body: Value| {
        app.as_user("acme-owner")
            .in_workspace(workspace)
            .apply_update(install_id, Some(&body))
    };
    let refused = update(json!({})).await;
    refused.assert_problem(409, "conflict");
    assert!(refused.json["detail"]
        .as_str()
        .unwrap()
        .contains("skill links"));
    assert_eq!(
        linked_skills(&app, copy).await,
        vec![listed_skill, own_skill],
        "nothing changed"
    );

    update(json!({"force": true})).await.assert_status(200);
    assert_eq!(linked_skills(&app, copy).await, vec![listed_skill]);
    app.publish_version(ItemKind::Agent, agent, "1.2.0", "")
        .await;
    let updated = update(json!({})).await;
    updated.assert_status(200);
    assert_eq!(
        updated.json["to_version"], "1.2.0",
        "after a forced update the links are the listing's again, so no conflict"
    );
}

#[tokio::test]
async fn a_workspace_keeps_its_own_keys_through_an_update_and_filling_them_in_is_no_change() {
    let app = TestApp::new().await;
    let publisher = app.workspace_with_members("pub").await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Agent, "Keyed Agent")
        .set(
            "model_config",
            json!({"model": "gpt", "max_tokens": 1000, "api_key": "publisher-own-key-1"}),
        )
        .set("configuration", json!({"temperature": 0.2}))
        .in_workspace(publisher)
        .insert()
        .await;
    let submitted = app
        .as_user("pub-owner")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "agent", "item_id": source}))
        .await;
    submitted.assert_status(201);
    let listing = submitted.body::<Pending>().item_id;
    let approve = || app.as_user("boss").approve(listing, None);
    approve().await.assert_status(200);
    let stored = |id: i64| {
        let app = &app;
        async move {
            app.db
                .query_one("SELECT model_config FROM agents WHERE id = $1", &[&id])
                .await
                .unwrap()
                .get::<_, Value>(0)
        }
    };
    assert_eq!(
        stored(listing).await,
        json!({"model": "gpt", "max_tokens": 1000, "api_key": "[redacted]"}),
        "the listing keeps the settings, not the publisher's key"
    );

    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(listing)
        .await;
    install.assert_status(201);
    let copy = install.body::<Install>().installed.id;
    app.exec(&format!(
        "UPDATE agents SET model_config = model_config || '{{\"api_key\": \"acme-own-key-2\"}}' WHERE id = {copy}"
    ))
    .await;

    app.exec(&format!(
        "UPDATE agents SET configuration = '{{\"temperature\": 0.7}}' WHERE id = {source}"
    ))
    .await;
    app.as_user("pub-owner")
        .in_workspace(publisher)
        .publish_version(listing, &json!({"version": "1.1.0"}))
        .await
        .assert_status(201);
    approve().await.assert_status(200);
    let install_id = install.body::<Install>().install_id;
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .apply_update(install_id, None)
        .await
        .assert_status(200);
    assert_eq!(
        stored(copy).await,
        json!({"model": "gpt", "max_tokens": 1000, "api_key": "acme-own-key-2"})
    );
    let configuration: Value = app
        .db
        .query_one("SELECT configuration FROM agents WHERE id = $1", &[&copy])
        .await
        .unwrap()
        .get(0);
    assert_eq!(configuration, json!({"temperature": 0.7}));
}

#[tokio::test]
async fn an_agent_linking_an_unchanged_installed_skill_links_the_original_not_a_republished_copy() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Someone's Skill").insert().await;
    let installed = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(skill)
        .await;
    installed.assert_status(201);
    let copy = installed.body::<Install>().installed.id;
    let agent = app
        .item(ItemKind::Agent, "Our Agent")
        .in_workspace(workspace)
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO agent_skills (agent_id, skill_id) VALUES ({agent}, {copy})"
    ))
    .await;
    let submitted = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "agent", "item_id": agent}))
        .await;
    submitted.assert_status(201);
    let listing = submitted.body::<Pending>().item_id;
    assert_eq!(linked_skills(&app, listing).await, vec![skill]);
    assert_eq!(
        app.count("SELECT count(*) FROM skills WHERE owner_type = 'marketplace'")
            .await,
        1,
        "no second listing of the same skill"
    );
}
