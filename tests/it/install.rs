//! POST /items/{id}/install: the clone, the record, the count, naming, idempotency, access and concurrency.

use futures::future::join_all;
use harness::*;
use marketplace_http::Config;

#[tokio::test]
async fn installs_an_agent_as_a_workspace_copy_with_skills_but_not_tools() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.user("maker").await;
    app.tool_app("gmail", "Gmail", "https://logo/gmail").await;
    app.item(ItemKind::Skill, "Summarize").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Sales Assistant")
        .set("creator", "maker")
        .set("description", "Sells")
        .category("Sales")
        .set("marketplace_icon", "🤖")
        .set("tags", json!(["sales"]))
        .featured()
        .installs(41)
        .set("agent_type", "classifier")
        .set(
            "configuration",
            json!({"temperature": 0.2, "api_key": "sk"}),
        )
        .set("model_config", json!({"model": "gpt"}))
        .set("tools", json!(["gmail", "hubspot"]))
        .set("skills", json!(["Summarize"]))
        .versions(&["1.0.0", "1.2.0"])
        .insert()
        .await;

    let response = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .install(agent)
        .await;
    response.assert_status(201);
    let body = &response.json;
    let copy = body["installed"]["id"].as_i64().unwrap();
    assert_eq!(
        body["item"],
        json!({"id": agent, "type": "agent", "name": "Sales Assistant"})
    );
    assert_eq!(
        body["installed"],
        json!({"id": copy, "type": "agent", "name": "Sales Assistant"})
    );
    assert_eq!(body["version"], "1.2.0");
    assert_eq!(
        body["requires_setup"],
        json!([{"kind": "tool", "slug": "gmail", "name": "Gmail"}, {"kind": "tool", "slug": "hubspot", "name": "hubspot"}])
    );
    assert_eq!(
        body["warnings"],
        json!(["The model \"gpt\" of agent \"Sales Assistant\" is not available in the marketplace and was not installed."]),
        "the agent's model is no marketplace LLM: nothing to bring, and the installer is told"
    );
    assert_eq!(body["dependencies"], json!([]));
    assert!(body["install_id"].as_i64().unwrap() > 0);

    let row = app
        .db
        .query_one(
            "SELECT c.owner_type, c.owner_id, c.workspace_id, c.is_approved, c.is_featured, c.install_count,
                    c.cloned_from_id, c.original_creator_id = m.original_creator_id AS same_creator,
                    c.version::text AS version, c.description, c.marketplace_category, c.marketplace_icon,
                    c.tags, c.agent_type, c.configuration, c.model_config, c.delisted_at IS NULL AS listed
             FROM agents c JOIN agents m ON m.id = c.cloned_from_id WHERE c.id = $1",
            &[&copy],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>("owner_type"), "workspace");
    assert_eq!(row.get::<_, String>("owner_id"), workspace.to_string());
    assert_eq!(row.get::<_, uuid::Uuid>("workspace_id"), workspace);
    assert!(
        !row.get::<_, bool>("is_approved"),
        "copies are not approved"
    );
    assert!(
        !row.get::<_, bool>("is_featured"),
        "copies are not featured"
    );
    assert_eq!(row.get::<_, i32>("install_count"), 0);
    assert_eq!(row.get::<_, i64>("cloned_from_id"), agent);
    assert!(
        row.get::<_, bool>("same_creator"),
        "the original creator is kept"
    );
    assert_eq!(row.get::<_, String>("version"), "1.2.0");
    assert_eq!(row.get::<_, String>("description"), "Sells");
    assert_eq!(row.get::<_, String>("marketplace_category"), "Sales");
    assert_eq!(row.get::<_, String>("marketplace_icon"), "🤖");
    assert_eq!(row.get::<_, Value>("tags"), json!(["sales"]));
    assert_eq!(row.get::<_, String>("agent_type"), "classifier");
    assert_eq!(
        row.get::<_, Value>("configuration"),
        json!({"temperature": 0.2, "api_key": "[redacted]"}),
        "the configuration is copied, the publisher's credentials are not"
    );
    assert_eq!(row.get::<_, Value>("model_config"), json!({"model": "gpt"}));
    assert!(row.get::<_, bool>("listed"));

    let skills = app
        .count(&format!(
            "SELECT count(*) FROM agent_skills WHERE agent_id = {copy}"
        ))
        .await;
    assert_eq!(skills, 1, "skill links are copied");
    let tools = app
        .count(&format!(
            "SELECT count(*) FROM agent_tools WHERE agent_id = {copy}"
        ))
        .await;
    assert_eq!(tools, 0, "tool assignments are not copied");
    let listing_installs = app
        .count(&format!(
            "SELECT install_count::bigint FROM agents WHERE id = {agent}"
        ))
        .await;
    assert_eq!(listing_installs, 42);
    let install = app
        .db
        .query_one(
            "SELECT i.item_id, i.item_kind::text AS item_kind, i.workspace_id, u.auth_subject,
                    i.installed_item_id, i.installed_version::text AS installed_version,
                    length(i.content_hash) AS hash_length
             FROM marketplace_installs i JOIN users u ON u.id = i.user_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(install.get::<_, i64>("item_id"), agent);
    assert_eq!(install.get::<_, ItemKind>("item_kind"), ItemKind::Agent);
    assert_eq!(install.get::<_, uuid::Uuid>("workspace_id"), workspace);
    assert_eq!(install.get::<_, String>("auth_subject"), "acme-editor");
    assert_eq!(install.get::<_, i64>("installed_item_id"), copy);
    assert_eq!(install.get::<_, String>("installed_version"), "1.2.0");
    assert_eq!(
        install.get::<_, i32>("hash_length"),
        64,
        "a SHA-256 hex digest"
    );
}

#[tokio::test]
async fn installs_every_other_kind_with_its_own_columns() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let cases: Vec<(ItemKind, Vec<(&str, Value)>)> = vec![
        (
            ItemKind::Recipe,
            vec![
                ("definition", json!({"trigger": "cron"})),
                ("steps", json!([{"name": "a"}])),
                ("required_tools", json!(["slack"])),
                ("recommended_agents", json!(["Bot"])),
            ],
        ),
        (
            ItemKind::Skill,
            vec![
                ("skill_type", json!("function")),
                ("content", json!("do it")),
            ],
        ),
        (
            ItemKind::Llm,
            vec![
                ("provider", json!("acme")),
                ("model_id", json!("m-1")),
                ("context_window", json!(1000)),
                ("max_output_tokens", json!(100)),
                ("input_cost_per_mtok", json!(1.5)),
                ("output_cost_per_mtok", json!(2.5)),
                ("capabilities", json!(["chat"])),
                ("config", json!({"temperature": 1})),
            ],
        ),
        (
            ItemKind::Tool,
            vec![
                ("app_slug", json!("slack")),
                ("config", json!({"channel": "#x"})),
            ],
        ),
    ];
    for (kind, columns) in cases {
        let mut item = app.item(kind, &format!("A {kind}"));
        for (column, value) in &columns {
            item = item.set(column, value.clone());
        }
        let id = item.insert().await;
        let response = app
            .as_user("acme-owner")
            .in_workspace(workspace)
            .install(id)
            .await;
        response.assert_status(201);
        let copy = response.body::<Install>().installed.id;
        let table = kind.table();
        for (column, value) in &columns {
            let copied: Value = app
                .db
                .query_one(
                    &format!("SELECT to_jsonb({column}) AS value FROM {table} WHERE id = $1"),
                    &[&copy],
                )
                .await
                .unwrap()
                .get("value");
            assert_eq!(&copied, value, "{kind}.{column}");
        }
        let owner: String = app
            .db
            .query_one(
                &format!("SELECT owner_type FROM {table} WHERE id = $1"),
                &[&copy],
            )
            .await
            .unwrap()
            .get("owner_type");
        assert_eq!(owner, "workspace");
    }
}

#[tokio::test]
async fn names_repeated_installs_copy_copy_2_copy_3() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace("other").await;
    let skill = app.item(ItemKind::Skill, "Helper").insert().await;
    app.item(ItemKind::Agent, "Helper")
        .in_workspace(other)
        .insert()
        .await;

    let mut names = Vec::new();
    for _ in 0..4 {
        let response = app
            .as_user("acme-owner")
            .in_workspace(workspace)
            .install(skill)
            .await;
        response.assert_status(201);
        names.push(
            response.json["installed"]["name"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        names,
        vec!["Helper", "Helper-copy", "Helper-copy-2", "Helper-copy-3"]
    );
    let count = app
        .count(&format!(
            "SELECT install_count::bigint FROM skills WHERE id = {skill}"
        ))
        .await;
    assert_eq!(count, 4);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        4
    );
}

#[tokio::test]
async fn refuses_bad_headers_non_members_viewers_and_invisible_items() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.user("outsider").await;
    let listed = app.item(ItemKind::Agent, "Listed").insert().await;
    let pending = app
        .item(ItemKind::Agent, "Pending")
        .unapproved()
        .insert()
        .await;
    let delisted = app.item(ItemKind::Agent, "Delisted").insert().await;
    app.exec(&format!(
        "UPDATE agents SET delisted_at = now() WHERE id = {delisted}"
    ))
    .await;
    let private = app
        .item(ItemKind::Agent, "Private")
        .in_workspace(workspace)
        .insert()
        .await;

    let response = app.as_user("acme-owner").install(listed).await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), vec!["X-Workspace-ID"]);
    for bad in ["not-a-uuid", "", "{11111111-1111-4111-8111-111111111111}"] {
        app.post(install_path(listed))
            .as_user("acme-owner")
            .header("x-workspace-id", bad)
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
    app.as_user("outsider")
        .in_workspace(workspace)
        .install(listed)
        .await
        .assert_problem(403, "forbidden");
    app.as_user("acme-owner")
        .in_workspace(uuid::Uuid::new_v4())
        .install(listed)
        .await
        .assert_problem(403, "forbidden");
    app.as_user("acme-viewer")
        .in_workspace(workspace)
        .install(listed)
        .await
        .assert_problem(403, "forbidden");
    for id in [pending, delisted, private, 987_654] {
        app.as_user("acme-owner")
            .in_workspace(workspace)
            .install(id)
            .await
            .assert_problem(404, "not_found");
    }
    let long_key = "k".repeat(256);
    let response = app
        .post(install_path(listed))
        .as_user("acme-owner")
        .workspace(workspace)
        .header("idempotency-key", &long_key)
        .send()
        .await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), vec!["Idempotency-Key"]);

    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        0,
        "nothing was installed"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM agents WHERE cloned_from_id IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_first_install() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace("other").await;
    let owner: i64 = app
        .count("SELECT id FROM users WHERE auth_subject = 'acme-owner'")
        .await;
    app.member(other, owner, "owner").await;
    let item = app.item(ItemKind::Recipe, "Flow").insert().await;
    let install = |workspace: uuid::Uuid, key: &'static str| {
        let app = &app;
        async move {
            app.post(install_path(item))
                .as_user("acme-owner")
                .workspace(workspace)
                .header("Idempotency-Key", key)
                .send()
                .await
        }
    };

    let first = install(workspace, "key-1").await;
    first.assert_status(201);
    let again = install(workspace, "key-1").await;
    again.assert_status(200);
    assert_eq!(again.json, first.json, "same ids, same body");
    install(workspace, "key-2").await.assert_status(201);
    install(other, "key-1").await.assert_status(201);

    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        3
    );
    assert_eq!(
        app.count("SELECT count(*) FROM workflow_templates WHERE owner_type = 'workspace'")
            .await,
        3
    );
    assert_eq!(
        app.count(&format!(
            "SELECT install_count::bigint FROM workflow_templates WHERE id = {item}"
        ))
        .await,
        3
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_even_once_the_listing_is_delisted() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("root").await;
    app.item(ItemKind::Llm, "fast-1").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Triage Bot")
        .set("model_config", json!({"model": "fast-1"}))
        .insert()
        .await;
    let install = |subject: &'static str, key: &'static str| {
        app.post(install_path(agent))
            .as_user(subject)
            .workspace(workspace)
            .header("Idempotency-Key", key)
            .send()
    };
    let first = install("acme-owner", "once").await;
    first.assert_status(201);
    let drawn = "SELECT last_value FROM item_id_seq";
    let ids_before = app.count(drawn).await;
    install("acme-owner", "once").await.assert_status(200);
    assert_eq!(app.count(drawn).await, ids_before, "a replay draws no ids");
    app.as_user("root").delist(agent).await.assert_status(204);

    let again = install("acme-owner", "once").await;
    again.assert_status(200);
    assert_eq!(
        again.json, first.json,
        "the stored response, dependencies and all"
    );
    install("acme-owner", "new").await.assert_status(404);
    let stranger = install("stranger", "once").await;
    stranger.assert_status(403);
    assert!(
        stranger.json.get("install_id").is_none(),
        "{}",
        stranger.text
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        2,
        "the agent's install and its LLM's, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_repeats_of_one_key_install_once() {
    let app = TestApp::with(Config::default(), 20).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app.item(ItemKind::Skill, "Once").insert().await;
    let responses = join_all((0..20).map(|_| {
        app.post(install_path(item))
            .as_user("acme-editor")
            .workspace(workspace)
            .header("Idempotency-Key", "same")
            .send()
    }))
    .await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let replayed = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        (created, replayed),
        (1, 19),
        "{:?}",
        responses.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let install_ids: std::collections::HashSet<i64> = responses
        .iter()
        .map(|r| r.body::<Install>().install_id)
        .collect();
    assert_eq!(install_ids.len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM skills WHERE owner_type = 'workspace'")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT install_count::bigint FROM skills WHERE id = {item}"
        ))
        .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_installs_into_one_workspace_make_fifty_distinct_copies() {
    let app = TestApp::with(Config::default(), 50).await;
    let workspace = app.workspace_with_members("acme").await;
    let item = app
        .item(ItemKind::Agent, "Popular")
        .installs(7)
        .insert()
        .await;
    let responses = join_all((0..50).map(|_| {
        app.as_user("acme-editor")
            .in_workspace(workspace)
            .install(item)
    }))
    .await;
    for response in &responses {
        response.assert_status(201);
    }
    let names: std::collections::HashSet<&str> = responses
        .iter()
        .map(|r| r.json["installed"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 50);
    assert!(
        names.contains("Popular")
            && names.contains("Popular-copy")
            && names.contains("Popular-copy-49")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM agents WHERE owner_type = 'workspace'")
            .await,
        50
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        50
    );
    assert_eq!(
        app.count(&format!(
            "SELECT install_count::bigint FROM agents WHERE id = {item}"
        ))
        .await,
        57
    );
    let counted = app
        .count("SELECT installs FROM marketplace_counts WHERE kind = 'agent' AND is_approved")
        .await;
    assert_eq!(counted, 57, "the stats counters moved with every install");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_simultaneous_installs_across_ten_workspaces() {
    let app = TestApp::with(Config::default(), 50).await;
    let installer = app.user("installer").await;
    let mut workspaces = Vec::new();
    for i in 0..10 {
        let workspace = app.workspace(&format!("w{i}")).await;
        app.member(workspace, installer, "editor").await;
        workspaces.push(workspace);
    }
    let item = app.item(ItemKind::Tool, "Connector").insert().await;
    let responses = join_all((0..50).map(|i| {
        app.as_user("installer")
            .in_workspace(workspaces[i % 10])
            .install(item)
    }))
    .await;
    for response in &responses {
        response.assert_status(201);
    }
    for workspace in &workspaces {
        let names = app
            .count(&format!(
                "SELECT count(DISTINCT name) FROM tools WHERE workspace_id = '{workspace}'"
            ))
            .await;
        assert_eq!(names, 5, "five copies with distinct names in {workspace}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        50
    );
    assert_eq!(
        app.count(&format!(
            "SELECT install_count::bigint FROM tools WHERE id = {item}"
        ))
        .await,
        50
    );
}

#[tokio::test]
async fn a_remembered_listing_kind_is_only_a_hint() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Hinted").insert().await;
    let hidden = app
        .item(ItemKind::Agent, "Hidden")
        .unapproved()
        .insert()
        .await;
    let editor = app.as_user("acme-editor").in_workspace(workspace);

    // A wrong kind finds nothing in its table: every kind's is read, and the right one is remembered.
    app.state.remember_listing_kind(skill, ItemKind::Agent);
    let installed = editor.install(skill).await;
    installed.assert_status(201);
    assert_eq!(installed.body::<Install>().installed.name, "Hinted");
    assert_eq!(app.state.listing_kind(skill), Some(ItemKind::Skill));
    editor.install(skill).await.assert_status(201);

    // The right kind of a listing the caller may not install does not make it installable.
    app.state.remember_listing_kind(hidden, ItemKind::Agent);
    editor.install(hidden).await.assert_status(404);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        2
    );
}
