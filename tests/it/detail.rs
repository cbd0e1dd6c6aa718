//! GET /items/{id} and GET /items/{id}/versions: visibility, content, redaction, dependencies, versions.

use harness::*;

#[tokio::test]
async fn hides_unknown_unapproved_delisted_and_workspace_items_as_not_found() {
    let app = TestApp::with_reader().await;
    let workspace = app.workspace("Acme").await;
    let pending = app
        .item(ItemKind::Agent, "Pending")
        .unapproved()
        .insert()
        .await;
    let delisted = app.item(ItemKind::Skill, "Gone").insert().await;
    app.exec(&format!(
        "UPDATE skills SET delisted_at = now() WHERE id = {delisted}"
    ))
    .await;
    let private = app
        .item(ItemKind::Recipe, "Private")
        .in_workspace(workspace)
        .insert()
        .await;

    for id in [pending, delisted, private, 999_999] {
        for path in [
            format!("/api/marketplace/items/{id}"),
            format!("/api/marketplace/items/{id}/versions"),
        ] {
            app.get(&path)
                .as_user("reader")
                .send()
                .await
                .assert_problem(404, "not_found");
        }
    }
    for id in [delisted, private] {
        app.as_user("boss")
            .item(id)
            .await
            .assert_problem(404, "not_found");
    }
    let response = app.as_user("boss").item(pending).await;
    response.assert_status(200);
    assert_eq!(response.json["is_approved"], false);
    app.as_user("boss")
        .versions(pending)
        .await
        .assert_status(200);
}

#[tokio::test]
async fn rejects_ids_that_are_not_positive_integers() {
    let app = TestApp::with_reader().await;
    for id in ["abc", "1.5", "-3", "0", "99999999999999999999"] {
        let response = app
            .as_user("reader")
            .call("GET", &format!("/items/{id}"))
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec!["id"]);
        app.as_user("reader")
            .call("GET", &format!("/items/{id}/versions"))
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
}

#[tokio::test]
async fn shows_an_agent_with_redacted_content_and_its_dependencies() {
    let app = TestApp::with_reader().await;
    app.tool_app("gmail", "Gmail", "https://logo/gmail").await;
    app.tool_app("slack", "Slack", "https://logo/slack").await;
    let skill = app
        .item(ItemKind::Skill, "Summarize")
        .set("description", "Sums up")
        .insert()
        .await;
    let llm = app
        .item(ItemKind::Llm, "Model X")
        .set("model_id", "model-x")
        .insert()
        .await;
    let agent = app
        .item(ItemKind::Agent, "Helper")
        .set("creator", "reader")
        .set(
            "configuration",
            json!({
                "prompt": "be nice",
                "api_key": "sk-123",
                "nested": {"list": [{"clientSecret": "s", "keep": 1}], "Private-Key": "pk"},
                "access_token": {"deep": "t"},
            }),
        )
        .set(
            "model_config",
            json!({"model": "model-x", "password": "pw"}),
        )
        .set("tools", json!(["slack", "gmail", "unknown-app"]))
        .set("skills", json!(["Summarize"]))
        .versions(&["1.0.0", "1.1.0"])
        .insert()
        .await;

    let response = app.as_user("reader").item(agent).await;
    response.assert_status(200);
    let item = &response.json;
    assert_eq!(item["type"], "agent");
    assert_eq!(item["version"], "1.1.0");
    assert_eq!(item["latest_changelog"], "Changes in 1.1.0.");
    assert_eq!(item["creator"]["display_name"], "reader");
    assert_eq!(
        item["content"]["configuration"],
        json!({
            "prompt": "be nice",
            "api_key": "[redacted]",
            "nested": {"list": [{"clientSecret": "[redacted]", "keep": 1}], "Private-Key": "[redacted]"},
            "access_token": "[redacted]",
        })
    );
    assert_eq!(
        item["content"]["model_config"],
        json!({"model": "model-x", "password": "[redacted]"})
    );
    assert!(!response.text.contains("sk-123") && !response.text.contains("\"pw\""));

    let deps = &item["dependencies"];
    assert_eq!(
        deps["skills"],
        json!([{"id": skill, "name": "Summarize", "description": "Sums up"}])
    );
    assert_eq!(
        deps["tools"],
        json!([
            {"slug": "gmail", "name": "Gmail", "icon_url": "https://logo/gmail", "auth_required": true},
            {"slug": "slack", "name": "Slack", "icon_url": "https://logo/slack", "auth_required": true},
            {"slug": "unknown-app", "name": "unknown-app", "icon_url": null, "auth_required": false},
        ])
    );
    assert_eq!(deps["llm"]["id"], llm);
    assert_eq!(deps["agents"], json!([]));
    assert_eq!(item["metadata"]["skills_count"], 1);
    assert_eq!(item["metadata"]["model"], "model-x");
}

#[tokio::test]
async fn shows_every_kind_with_its_own_content() {
    let app = TestApp::with_reader().await;
    let cases = [
        (ItemKind::Recipe, "steps"),
        (ItemKind::Skill, "skill_type"),
        (ItemKind::Llm, "context_window"),
        (ItemKind::Tool, "app_slug"),
    ];
    for (kind, content_key) in cases {
        let id = app.item(kind, &format!("A {kind}")).insert().await;
        let response = app
            .as_user("reader")
            .call("GET", &format!("/items/{id}"))
            .send()
            .await;
        response.assert_status(200);
        assert_eq!(response.json["type"], kind.as_str());
        assert!(
            response.json["content"].get(content_key).is_some(),
            "{kind}: {}",
            response.text
        );
        for key in ["skills", "tools", "agents"] {
            assert!(
                response.json["dependencies"][key].is_array(),
                "{kind} {key}"
            );
        }
    }
}

#[tokio::test]
async fn recipe_dependencies_name_its_tools_and_recommended_agents() {
    let app = TestApp::with_reader().await;
    app.tool_app("github", "GitHub", "https://logo/github")
        .await;
    let agent = app
        .item(ItemKind::Agent, "Reviewer")
        .installs(9)
        .insert()
        .await;
    app.item(ItemKind::Agent, "REVIEWER")
        .installs(2)
        .insert()
        .await;
    app.item(ItemKind::Agent, "Hidden")
        .unapproved()
        .insert()
        .await;
    let recipe = app
        .item(ItemKind::Recipe, "Release")
        .set("steps", json!([{"name": "a"}, {"name": "b"}]))
        .set("required_tools", json!(["github"]))
        .set(
            "recommended_agents",
            json!(["reviewer", "Reviewer", "Hidden"]),
        )
        .insert()
        .await;
    let response = app.as_user("reader").item(recipe).await;
    response.assert_status(200);
    assert_eq!(response.json["metadata"]["steps_count"], 2);
    assert_eq!(response.json["dependencies"]["tools"][0]["name"], "GitHub");
    assert_eq!(
        response.json["dependencies"]["agents"],
        json!([{"id": agent, "name": "Reviewer", "description": ""}]),
        "names match case-insensitively, the most installed once (as an install resolves them); \
         unapproved agents are not revealed"
    );
}

#[tokio::test]
async fn lists_approved_versions_highest_semver_first() {
    let app = TestApp::with_reader().await;
    let id = app
        .item(ItemKind::Skill, "Versioned")
        .versions(&["1.0.0", "1.2.0", "1.9.0", "2.0.0-rc.1", "1.10.0", "2.0.0"])
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO item_versions (item_id, item_kind, version, changelog, status) VALUES ({id}, 'skill', '3.0.0', 'next', 'pending')"
    ))
    .await;
    let response = app.as_user("reader").versions(id).await;
    response.assert_status(200);
    let versions: Vec<&str> = response.json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        vec!["2.0.0", "2.0.0-rc.1", "1.10.0", "1.9.0", "1.2.0", "1.0.0"]
    );
    let first = &response.json["versions"][0];
    assert_eq!(first["changelog"], "Changes in 2.0.0.");
    assert!(first["published_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn no_response_carries_an_email_address() {
    let app = TestApp::with_reader().await;
    let id = app
        .item(ItemKind::Agent, "By reader")
        .set("creator", "reader")
        .featured()
        .versions(&["1.0.0"])
        .insert()
        .await;
    for path in [
        "/api/marketplace/items".to_owned(),
        format!("/api/marketplace/items/{id}"),
        format!("/api/marketplace/items/{id}/versions"),
        "/api/marketplace/featured".to_owned(),
        "/api/marketplace/categories".to_owned(),
        "/api/marketplace/stats".to_owned(),
    ] {
        for user in ["reader", "boss"] {
            let response = app.get(&path).as_user(user).send().await;
            response.assert_status(200);
            assert!(
                !response.text.contains("@example.com"),
                "{path}: {}",
                response.text
            );
        }
    }
}
