//! Install plans and dependency installs, uninstall, the installed list, and the install metrics.

use harness::*;

fn uninstall_path(install_id: i64) -> String {
    format!("/api/marketplace/installs/{install_id}")
}

/// A recipe recommending three agents (one twice, in another case; one that is not listed), each of the
/// listed ones running on a listed LLM, two of them on the same one.
struct Catalog {
    recipe: i64,
    triage: i64,
    writer: i64,
    reviewer: i64,
    fast_llm: i64,
    smart_llm: i64,
    skill: i64,
}

async fn catalog(app: &TestApp) -> Catalog {
    app.tool_app("slack", "Slack", "https://logo/slack").await;
    let skill = app.item(ItemKind::Skill, "Tone").insert().await;
    let fast_llm = app
        .item(ItemKind::Llm, "fast-1")
        .category("Models")
        .insert()
        .await;
    let smart_llm = app
        .item(ItemKind::Llm, "smart-1")
        .category("Models")
        .insert()
        .await;
    // An unapproved LLM with the same model id is never a dependency.
    app.item(ItemKind::Llm, "fast-1")
        .unapproved()
        .installs(999)
        .insert()
        .await;
    let triage = app
        .item(ItemKind::Agent, "Triage Bot")
        .category("Support")
        .installs(5)
        .set("model_config", json!({"model": "fast-1"}))
        .set(
            "configuration",
            json!({"api_key": "sk-live-0123456789abcdefghij", "tone": "calm"}),
        )
        .set("skills", json!(["Tone"]))
        .insert()
        .await;
    // A less installed agent of the same name loses to the more installed one.
    app.item(ItemKind::Agent, "triage bot")
        .installs(1)
        .insert()
        .await;
    let writer = app
        .item(ItemKind::Agent, "Writer")
        .category("Content")
        .set("model_config", json!({"model": "fast-1"}))
        .insert()
        .await;
    let reviewer = app
        .item(ItemKind::Agent, "Reviewer")
        .category("Support")
        .set("model_config", json!({"model": "smart-1"}))
        .insert()
        .await;
    app.item(ItemKind::Agent, "Ghost")
        .unapproved()
        .insert()
        .await;
    let recipe = app
        .item(ItemKind::Recipe, "Support Flow")
        .category("Support")
        .set(
            "recommended_agents",
            json!(["Triage Bot", "writer", "Reviewer", "TRIAGE BOT", "Ghost"]),
        )
        .set("required_tools", json!(["slack"]))
        .set(
            "steps",
            json!([
                {"name": "triage", "agent_name": "triage bot"},
                {"name": "draft", "agent_id": 0},
                {"name": "review", "agent_name": "Reviewer"},
                {"name": "notify"}
            ]),
        )
        .insert()
        .await;
    // The "draft" step points at the writer's listing, as a published recipe may.
    app.exec(&format!(
        "UPDATE workflow_templates SET steps = jsonb_set(steps, '{{1,agent_id}}', '{writer}')
         WHERE id = {recipe}"
    ))
    .await;
    Catalog {
        recipe,
        triage,
        writer,
        reviewer,
        fast_llm,
        smart_llm,
        skill,
    }
}

/// A listing's (install_count, active_installs, workspace_count).
pub(crate) async fn metrics(app: &TestApp, table: &str, id: i64) -> (i64, i64, i64) {
    let row = app
        .db
        .query_one(
            &format!(
                "SELECT install_count::bigint AS i, active_installs::bigint AS a, workspace_count::bigint AS w
                 FROM {table} WHERE id = $1"
            ),
            &[&id],
        )
        .await
        .unwrap();
    (row.get("i"), row.get("a"), row.get("w"))
}

#[tokio::test]
async fn a_recipe_installs_with_its_agents_and_their_llms_exactly_as_planned() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;

    let plan = app
        .as_user("acme-viewer")
        .in_workspace(workspace)
        .install_plan(c.recipe)
        .await;
    plan.assert_status(200);
    let step = |action: &str, kind: &str, id: i64, name: &str| json!({"action": action, "type": kind, "item_id": id, "name": name, "as_name": name});
    assert_eq!(
        plan.json["item"],
        json!({"id": c.recipe, "type": "recipe", "name": "Support Flow"})
    );
    assert_eq!(
        plan.json["steps"],
        json!([
            step("clone", "recipe", c.recipe, "Support Flow"),
            step("clone", "agent", c.triage, "Triage Bot"),
            {"action": "link", "type": "skill", "item_id": c.skill, "name": "Tone"},
            step("clone", "agent", c.writer, "Writer"),
            step("clone", "agent", c.reviewer, "Reviewer"),
            step("clone", "llm", c.fast_llm, "fast-1"),
            step("clone", "llm", c.smart_llm, "smart-1"),
        ]),
        "breadth first; the LLM two agents share once; the more installed of two same-named agents"
    );
    assert_eq!(
        plan.json["warnings"],
        json!(["Recommended agent \"Ghost\" is not available in the marketplace and was not installed."]),
        "an unapproved agent is never cloned, and the warning names only what was asked for"
    );
    assert_eq!(
        plan.json["requires_setup"],
        json!([{"kind": "tool", "slug": "slack", "name": "Slack"}])
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        0,
        "a plan writes nothing"
    );

    let install = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .install(c.recipe)
        .await;
    install.assert_status(201);
    let body = &install.json;
    assert_eq!(body["warnings"], plan.json["warnings"]);
    assert_eq!(body["requires_setup"], plan.json["requires_setup"]);
    let deps = body["dependencies"].as_array().unwrap();
    let planned: Vec<(Value, Value)> = plan.json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "clone")
        .skip(1)
        .map(|s| (s["item_id"].clone(), s["as_name"].clone()))
        .collect();
    let done: Vec<(Value, Value)> = deps
        .iter()
        .map(|d| (d["item"]["id"].clone(), d["installed"]["name"].clone()))
        .collect();
    assert_eq!(done, planned, "the install did what the plan said");
    assert!(deps
        .iter()
        .all(|d| d["action"] == "clone" && d["install_id"].is_i64()));

    // One install record per listing cloned, each dependency under the install that brought it.
    let root_install = body["install_id"].as_i64().unwrap();
    let records = app
        .db
        .query(
            "SELECT i.item_id, p.item_id AS parent_item FROM marketplace_installs i
             LEFT JOIN marketplace_installs p ON p.id = i.parent_install_id ORDER BY i.item_id",
            &[],
        )
        .await
        .unwrap();
    let parents: Vec<(i64, Option<i64>)> = records
        .iter()
        .map(|r| (r.get("item_id"), r.get("parent_item")))
        .collect();
    let mut expected = vec![
        (c.recipe, None),
        (c.triage, Some(c.recipe)),
        (c.writer, Some(c.recipe)),
        (c.reviewer, Some(c.recipe)),
        (c.fast_llm, Some(c.triage)),
        (c.smart_llm, Some(c.reviewer)),
    ];
    expected.sort();
    assert_eq!(parents, expected);
    for (table, id) in [
        ("workflow_templates", c.recipe),
        ("agents", c.triage),
        ("agents", c.writer),
        ("llm_models", c.fast_llm),
    ] {
        let (installs, _, _) = metrics(&app, table, id).await;
        let before = if id == c.triage { 5 } else { 0 };
        assert_eq!(installs, before + 1, "{table} {id} counts the install");
    }

    // The recipe copy's steps point at the agents' workspace copies.
    let copy_of = |listing: i64| {
        deps.iter()
            .find(|d| d["item"]["id"] == listing)
            .map(|d| d["installed"]["id"].as_i64().unwrap())
            .unwrap()
    };
    let recipe_copy = body["installed"]["id"].as_i64().unwrap();
    let steps: Value = app
        .db
        .query_one(
            "SELECT steps FROM workflow_templates WHERE id = $1",
            &[&recipe_copy],
        )
        .await
        .unwrap()
        .get("steps");
    assert_eq!(
        steps,
        json!([
            {"name": "triage", "agent_name": "triage bot", "agent_id": copy_of(c.triage)},
            {"name": "draft", "agent_id": copy_of(c.writer)},
            {"name": "review", "agent_name": "Reviewer", "agent_id": copy_of(c.reviewer)},
            {"name": "notify"}
        ])
    );
    // The agent copy links the skill, and holds no credential.
    let triage_copy = copy_of(c.triage);
    let row = app
        .db
        .query_one(
            "SELECT configuration, (SELECT count(*) FROM agent_skills WHERE agent_id = a.id) AS skills
             FROM agents a WHERE id = $1",
            &[&triage_copy],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Value>("configuration"),
        json!({"api_key": "[redacted]", "tone": "calm"})
    );
    assert_eq!(row.get::<_, i64>("skills"), 1);
    assert!(!install.text.contains("sk-live"));

    // An update of the untouched recipe copy sees no local change, and keeps its steps pointed at the copies.
    app.publish_version(
        ItemKind::Recipe,
        c.recipe,
        "1.1.0",
        "steps = steps || '[{\"name\": \"close\", \"agent_name\": \"Writer\"}]'",
    )
    .await;
    app.as_user("acme-editor")
        .in_workspace(workspace)
        .apply_update(root_install, None)
        .await
        .assert_status(200);
    let steps: Value = app
        .db
        .query_one(
            "SELECT steps FROM workflow_templates WHERE id = $1",
            &[&recipe_copy],
        )
        .await
        .unwrap()
        .get("steps");
    assert_eq!(steps[0]["agent_id"], copy_of(c.triage));
    assert_eq!(steps[1]["agent_id"], copy_of(c.writer));
    assert_eq!(
        steps[4],
        json!({"name": "close", "agent_name": "Writer", "agent_id": copy_of(c.writer)})
    );
}

#[tokio::test]
async fn an_installed_agent_brings_its_llm_and_warns_about_a_model_not_in_the_marketplace() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let llm = app.item(ItemKind::Llm, "m-1").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Solo")
        .set("model_config", json!({"model": "m-1"}))
        .insert()
        .await;
    let unknown = app
        .item(ItemKind::Agent, "Elsewhere")
        .set("model_config", json!({"model": "self-hosted"}))
        .insert()
        .await;
    let delisted_llm = app.item(ItemKind::Llm, "gone-1").insert().await;
    app.exec(&format!(
        "UPDATE llm_models SET delisted_at = now() WHERE id = {delisted_llm}"
    ))
    .await;
    let on_delisted = app
        .item(ItemKind::Agent, "Orphan")
        .set("model_config", json!({"model": "gone-1"}))
        .insert()
        .await;

    let install = |id: i64| {
        let app = &app;
        async move {
            let response = app
                .as_user("acme-owner")
                .in_workspace(workspace)
                .install(id)
                .await;
            response.assert_status(201);
            response.json
        }
    };
    let solo = install(agent).await;
    assert_eq!(solo["dependencies"][0]["item"]["id"], llm);
    assert_eq!(solo["warnings"], json!([]));
    let elsewhere = install(unknown).await;
    assert_eq!(elsewhere["dependencies"], json!([]));
    assert_eq!(
        elsewhere["warnings"],
        json!(["The model \"self-hosted\" of agent \"Elsewhere\" is not available in the marketplace and was not installed."])
    );
    let orphan = install(on_delisted).await;
    assert_eq!(
        orphan["dependencies"],
        json!([]),
        "a delisted LLM is never cloned"
    );
    assert_eq!(orphan["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM llm_models WHERE owner_type = 'workspace'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_dependency_the_workspace_already_has_is_reused_by_its_listing_not_its_name() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    // A copy of the writer (renamed) and an unrelated workspace agent named "Reviewer".
    let first = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(c.writer)
        .await;
    first.assert_status(201);
    let writer_copy = first.body::<Install>().installed.id;
    let fast_copy = first.json["dependencies"][0]["installed"]["id"]
        .as_i64()
        .unwrap();
    app.exec(&format!(
        "UPDATE agents SET name = 'My Writer' WHERE id = {writer_copy}"
    ))
    .await;
    app.item(ItemKind::Agent, "Reviewer")
        .in_workspace(workspace)
        .insert()
        .await;

    let plan = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install_plan(c.recipe)
        .await;
    plan.assert_status(200);
    let steps = plan.json["steps"].as_array().unwrap();
    let find = |id: i64| steps.iter().find(|s| s["item_id"] == id).unwrap().clone();
    assert_eq!(
        find(c.writer),
        json!({"action": "reuse", "type": "agent", "item_id": c.writer, "name": "Writer", "existing_id": writer_copy})
    );
    assert_eq!(
        find(c.reviewer),
        json!({"action": "clone", "type": "agent", "item_id": c.reviewer, "name": "Reviewer", "as_name": "Reviewer-copy"}),
        "a same-named workspace agent is not a copy of the listing"
    );
    assert_eq!(
        find(c.fast_llm),
        json!({"action": "reuse", "type": "llm", "item_id": c.fast_llm, "name": "fast-1", "existing_id": fast_copy}),
        "the triage agent's LLM is the one the writer brought"
    );

    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(c.recipe)
        .await;
    install.assert_status(201);
    let reused: Vec<(i64, i64)> = install.json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["action"] == "reuse")
        .map(|d| {
            (
                d["item"]["id"].as_i64().unwrap(),
                d["installed"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reused,
        vec![(c.writer, writer_copy), (c.fast_llm, fast_copy)]
    );
    assert!(install.json["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| (d["action"] == "reuse") == d["install_id"].is_null()));
    let (installs, active, workspaces) = metrics(&app, "agents", c.writer).await;
    assert_eq!(
        (installs, active, workspaces),
        (1, 1, 1),
        "a reuse is not an install"
    );
    let steps: Value = app
        .db
        .query_one(
            "SELECT steps FROM workflow_templates WHERE id = $1",
            &[&install.body::<Install>().installed.id],
        )
        .await
        .unwrap()
        .get("steps");
    assert_eq!(
        steps[1]["agent_id"], writer_copy,
        "steps point at the reused copy"
    );
}

#[tokio::test]
async fn a_failing_dependency_leaves_nothing_written() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    app.exec(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'no workspace LLMs today'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON llm_models FOR EACH ROW
         WHEN (NEW.owner_type = 'workspace') EXECUTE FUNCTION refuse();",
    )
    .await;
    let snapshot = "SELECT ((SELECT count(*) FROM marketplace_installs)
                         + (SELECT count(*) FROM agents WHERE owner_type = 'workspace')
                         + (SELECT count(*) FROM workflow_templates WHERE owner_type = 'workspace')
                         + (SELECT count(*) FROM agent_skills)
                         + (SELECT sum(install_count + active_installs + workspace_count) FROM agents)
                         + (SELECT sum(installs) FROM marketplace_counts)
                         + (SELECT active_installs + workspaces FROM marketplace_install_totals)
                         + (SELECT count(*) FROM marketplace_install_workspaces))::bigint";
    let before = app.count(snapshot).await;
    let response = app
        .post(install_path(c.recipe))
        .as_user("acme-owner")
        .workspace(workspace)
        .header("Idempotency-Key", "k1")
        .send()
        .await;
    response.assert_problem(500, "internal");
    assert!(
        !response.text.contains("no workspace LLMs"),
        "no SQL error leaks"
    );
    assert_eq!(app.count(snapshot).await, before, "nothing was written");

    app.exec("DROP TRIGGER refuse ON llm_models").await;
    app.post(install_path(c.recipe))
        .as_user("acme-owner")
        .workspace(workspace)
        .header("Idempotency-Key", "k1")
        .send()
        .await
        .assert_status(201);
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_whole_response_with_its_dependencies() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    let send = || {
        app.post(install_path(c.recipe))
            .as_user("acme-owner")
            .workspace(workspace)
            .header("Idempotency-Key", "recipe-1")
            .send()
    };
    let first = send().await;
    first.assert_status(201);
    assert_eq!(first.json["dependencies"].as_array().unwrap().len(), 5);
    let again = send().await;
    again.assert_status(200);
    assert_eq!(again.json, first.json);
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        6
    );
    assert_eq!(
        app.count("SELECT count(*) FROM agents WHERE owner_type = 'workspace'")
            .await,
        3
    );
}

#[tokio::test]
async fn uninstall_deletes_the_copy_marks_the_record_and_repeats_quietly() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace_with_members("other").await;
    let c = catalog(&app).await;
    let install = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .install(c.writer)
        .await;
    install.assert_status(201);
    let install_id = install.body::<Install>().install_id;
    let copy = install.body::<Install>().installed.id;
    assert_eq!(metrics(&app, "agents", c.writer).await, (1, 1, 1));

    app.as_user("other-owner")
        .in_workspace(other)
        .uninstall(install_id, "")
        .await
        .assert_problem(404, "not_found");
    app.as_user("acme-viewer")
        .in_workspace(workspace)
        .uninstall(install_id, "")
        .await
        .assert_problem(403, "forbidden");
    let bad = app
        .delete(format!(
            "{}?with_dependencies=yes",
            uninstall_path(install_id)
        ))
        .as_user("acme-editor")
        .workspace(workspace)
        .send()
        .await;
    bad.assert_problem(400, "bad_request");
    assert_eq!(bad.error_fields(), vec!["with_dependencies"]);

    for _ in 0..2 {
        let response = app
            .as_user("acme-editor")
            .in_workspace(workspace)
            .uninstall(install_id, "")
            .await;
        response.assert_status(204);
        assert!(response.text.is_empty());
    }
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM agents WHERE id = {copy}"))
            .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM marketplace_installs WHERE id = {install_id} AND uninstalled_at IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        metrics(&app, "agents", c.writer).await,
        (1, 0, 1),
        "all-time installs and workspaces stay; the active install is gone"
    );
    // Its LLM was installed with it and stays.
    assert_eq!(metrics(&app, "llm_models", c.fast_llm).await, (1, 1, 1));
}

#[tokio::test]
async fn with_dependencies_uninstalls_those_nothing_else_relies_on() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    let recipe = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(c.recipe)
        .await;
    recipe.assert_status(201);
    // A second recipe reuses the reviewer (and through it nothing else).
    let second = app
        .item(ItemKind::Recipe, "Review Flow")
        .set("recommended_agents", json!(["Reviewer"]))
        .insert()
        .await;
    let again = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(second)
        .await;
    again.assert_status(201);
    assert_eq!(again.json["dependencies"][0]["action"], "reuse");

    app.delete(format!(
        "{}?with_dependencies=true",
        uninstall_path(recipe.body::<Install>().install_id)
    ))
    .as_user("acme-owner")
    .workspace(workspace)
    .send()
    .await
    .assert_status(204);
    let live: Vec<i64> = app
        .db
        .query(
            "SELECT item_id FROM marketplace_installs WHERE uninstalled_at IS NULL ORDER BY item_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("item_id"))
        .collect();
    let mut expected = vec![c.reviewer, c.smart_llm, second];
    expected.sort();
    assert_eq!(
        live, expected,
        "the reviewer (used by the second recipe) and its LLM stay; the rest is gone"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM agents WHERE owner_type = 'workspace'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM llm_models WHERE owner_type = 'workspace'")
            .await,
        1
    );
    for (table, id, active) in [
        ("workflow_templates", c.recipe, 0),
        ("agents", c.triage, 0),
        ("agents", c.writer, 0),
        ("agents", c.reviewer, 1),
        ("llm_models", c.fast_llm, 0),
        ("llm_models", c.smart_llm, 1),
    ] {
        assert_eq!(metrics(&app, table, id).await.1, active, "{table} {id}");
    }
}

#[tokio::test]
async fn metrics_stay_exact_through_installs_uninstalls_and_a_copy_deleted_by_sql_and_repair_fixes_drift(
) {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let beta = app.workspace_with_members("beta").await;
    let popular = app.item(ItemKind::Skill, "Popular").age(30).insert().await;
    let broad = app.item(ItemKind::Skill, "Broad").age(20).insert().await;
    let install = |item: i64, workspace: uuid::Uuid, user: &'static str| {
        let app = &app;
        async move {
            let response = app
                .as_user(user)
                .in_workspace(workspace)
                .install(item)
                .await;
            response.assert_status(201);
            response.json
        }
    };
    for _ in 0..3 {
        install(popular, acme, "acme-owner").await;
    }
    let broad_acme = install(broad, acme, "acme-owner").await;
    let broad_beta = install(broad, beta, "beta-owner").await;
    assert_eq!(metrics(&app, "skills", popular).await, (3, 3, 1));
    assert_eq!(metrics(&app, "skills", broad).await, (2, 2, 2));

    let summary = |sort: &'static str| {
        let request = app
            .get(format!("/api/marketplace/items?type=skill&sort={sort}"))
            .as_user("acme-viewer");
        async move {
            let response = request.send().await;
            response.assert_status(200);
            response.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["id"].as_i64().unwrap(),
                        i["install_count"].as_i64().unwrap(),
                        i["active_installs"].as_i64().unwrap(),
                        i["workspace_count"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        summary("popular").await,
        vec![(popular, 3, 3, 1), (broad, 2, 2, 2)]
    );
    assert_eq!(
        summary("workspaces").await,
        vec![(broad, 2, 2, 2), (popular, 3, 3, 1)],
        "sort=workspaces: by distinct workspaces"
    );
    let first = app
        .get("/api/marketplace/items?type=skill&sort=workspaces&limit=1")
        .as_user("acme-viewer")
        .send()
        .await;
    first.assert_status(200);
    assert_eq!(first.json["items"][0]["id"], broad);
    let cursor = first.json["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(format!(
            "/api/marketplace/items?type=skill&sort=workspaces&limit=1&cursor={cursor}"
        ))
        .as_user("acme-viewer")
        .send()
        .await;
    second.assert_status(200);
    assert_eq!(
        second.json["items"][0]["id"], popular,
        "its keyset cursor pages on"
    );
    let stats = || {
        let request = app.get("/api/marketplace/stats").as_user("acme-viewer");
        async move {
            let response = request.send().await;
            response.assert_status(200);
            (
                response.json["active_installs"].as_i64().unwrap(),
                response.json["workspace_count"].as_i64().unwrap(),
            )
        }
    };
    assert_eq!(stats().await, (5, 2));

    app.as_user("acme-owner")
        .in_workspace(acme)
        .uninstall(broad_acme["install_id"].as_i64().unwrap(), "")
        .await
        .assert_status(204);
    assert_eq!(metrics(&app, "skills", broad).await, (2, 1, 2));
    // A copy deleted outside the API stops counting as active at once (the trigger).
    let copy = broad_beta["installed"]["id"].as_i64().unwrap();
    app.exec(&format!("DELETE FROM skills WHERE id = {copy}"))
        .await;
    assert_eq!(metrics(&app, "skills", broad).await, (2, 0, 2));
    // Uninstalling the already deleted copy changes no count again.
    app.as_user("beta-owner")
        .in_workspace(beta)
        .uninstall(broad_beta["install_id"].as_i64().unwrap(), "")
        .await
        .assert_status(204);
    assert_eq!(metrics(&app, "skills", broad).await, (2, 0, 2));
    assert_eq!(stats().await, (3, 2));
    let detail = app.as_user("acme-viewer").item(broad).await;
    detail.assert_status(200);
    assert_eq!(
        (
            detail.json["active_installs"].clone(),
            detail.json["workspace_count"].clone()
        ),
        (json!(0), json!(2))
    );

    // A drift (a bulk write that skipped the service) is repaired from the install records.
    app.exec(&format!(
        "UPDATE skills SET active_installs = 40, workspace_count = 9 WHERE id = {popular};
         UPDATE marketplace_install_totals SET workspaces = 77;"
    ))
    .await;
    assert_eq!(metrics(&app, "skills", popular).await, (3, 40, 9));
    let fixed = app
        .count("SELECT marketplace_install_metrics_repair()")
        .await;
    assert_eq!(fixed, 1, "one listing corrected");
    assert_eq!(metrics(&app, "skills", popular).await, (3, 3, 1));
    assert_eq!(metrics(&app, "skills", broad).await, (2, 0, 2));
    assert_eq!(stats().await, (3, 2));
    // Set by the repair, the totals are all in the first shard.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM marketplace_install_total_shards
             WHERE shard > 0 AND (active_installs, workspaces) <> (0, 0)"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT marketplace_install_metrics_repair()")
            .await,
        0
    );
}

#[tokio::test]
async fn the_installed_list_pages_newest_first_behind_an_opaque_cursor() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace_with_members("other").await;
    let c = catalog(&app).await;
    app.as_user("other-owner")
        .in_workspace(other)
        .install(c.reviewer)
        .await
        .assert_status(201);
    let recipe = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .install(c.recipe)
        .await;
    recipe.assert_status(201);
    let skill = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(c.skill)
        .await;
    skill.assert_status(201);
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .uninstall(skill.body::<Install>().install_id, "")
        .await
        .assert_status(204);
    app.publish_version(ItemKind::Agent, c.writer, "2.0.0", "")
        .await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &cursor {
            Some(cursor) => format!("/api/marketplace/installs?limit=3&cursor={cursor}"),
            None => "/api/marketplace/installs?limit=3".to_owned(),
        };
        let page = app
            .get(uri)
            .as_user("acme-viewer")
            .workspace(workspace)
            .send()
            .await;
        page.assert_status(200);
        pages += 1;
        seen.extend(page.json["installs"].as_array().unwrap().iter().cloned());
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen.len(),
        7,
        "the recipe, its five dependencies and the skill; not the other workspace's"
    );
    let ids: Vec<i64> = seen
        .iter()
        .map(|i| i["install_id"].as_i64().unwrap())
        .collect();
    let mut newest_first = ids.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first);
    let skill_entry = &seen[0];
    assert_eq!(
        skill_entry["item"],
        json!({"id": c.skill, "type": "skill", "name": "Tone", "icon": null})
    );
    assert_eq!(skill_entry["copy"], Value::Null);
    assert!(skill_entry["uninstalled_at"].is_string());
    assert_eq!(skill_entry["installed_by"]["display_name"], "acme-owner");
    let recipe_id = recipe.body::<Install>().install_id;
    let writer = seen.iter().find(|i| i["item"]["id"] == c.writer).unwrap();
    assert_eq!(writer["parent_install_id"], recipe_id);
    assert_eq!(writer["update_available"], true);
    assert_eq!(writer["latest_version"], "2.0.0");
    assert_eq!(writer["copy"]["name"], "Writer");
    let root = seen.iter().find(|i| i["install_id"] == recipe_id).unwrap();
    assert_eq!(root["parent_install_id"], Value::Null);
    assert_eq!(root["update_available"], false);

    for bad in ["nope", "aTE6Mjow", "%20"] {
        let response = app
            .get(format!("/api/marketplace/installs?cursor={bad}"))
            .as_user("acme-viewer")
            .workspace(workspace)
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec!["cursor"]);
    }
    // A subject never seen before becomes a user, and is no member.
    app.as_user("outsider-of-all")
        .in_workspace(workspace)
        .installs("")
        .await
        .assert_problem(403, "forbidden");
    app.as_user("other-owner")
        .in_workspace(workspace)
        .installs("")
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn plans_need_membership_and_a_listed_item() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.user("outsider").await;
    let listed = app.item(ItemKind::Agent, "Listed").insert().await;
    let pending = app
        .item(ItemKind::Agent, "Pending")
        .unapproved()
        .insert()
        .await;
    app.as_user("outsider")
        .in_workspace(workspace)
        .install_plan(listed)
        .await
        .assert_problem(403, "forbidden");
    let missing = app.as_user("acme-viewer").install_plan(listed).await;
    missing.assert_problem(400, "bad_request");
    assert_eq!(missing.error_fields(), vec!["X-Workspace-ID"]);
    app.as_user("acme-viewer")
        .in_workspace(workspace)
        .install_plan(pending)
        .await
        .assert_problem(404, "not_found");
    let admin_plan = {
        app.admin("root").await;
        app.member(
            workspace,
            app.count("SELECT id FROM users WHERE auth_subject = 'root'")
                .await,
            "owner",
        )
        .await;
        app.as_user("root")
            .in_workspace(workspace)
            .install_plan(pending)
            .await
    };
    admin_plan.assert_problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_recipe_installs_across_workspaces_all_land_and_count_exactly() {
    let app = TestApp::with(marketplace_http::Config::default(), 20).await;
    let installer = app.user("installer").await;
    let mut workspaces = Vec::new();
    for i in 0..5 {
        let workspace = app.workspace(&format!("w{i}")).await;
        app.member(workspace, installer, "editor").await;
        workspaces.push(workspace);
    }
    let c = catalog(&app).await;
    // Agents installed on their own too, in the same workspaces, at the same time.
    let requests = (0..20).map(|i| {
        let item = [c.recipe, c.triage, c.reviewer, c.recipe][i % 4];
        app.as_user("installer")
            .in_workspace(workspaces[i % 5])
            .install(item)
    });
    let responses = futures::future::join_all(requests).await;
    for response in &responses {
        response.assert_status(201);
    }
    let records = |item: i64| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT count(*) FROM marketplace_installs WHERE item_id = {item}"
            ))
            .await
        }
    };
    for (table, id) in [
        ("workflow_templates", c.recipe),
        ("agents", c.triage),
        ("agents", c.writer),
        ("agents", c.reviewer),
        ("llm_models", c.fast_llm),
        ("llm_models", c.smart_llm),
    ] {
        let installs = records(id).await;
        let before = if id == c.triage { 5 } else { 0 };
        let workspaces = app
            .count(&format!(
                "SELECT count(DISTINCT workspace_id) FROM marketplace_installs WHERE item_id = {id}"
            ))
            .await;
        assert_eq!(
            metrics(&app, table, id).await,
            (before + installs, installs, workspaces),
            "{table} {id}"
        );
    }
    assert_eq!(
        app.count("SELECT active_installs FROM marketplace_install_totals")
            .await,
        app.count("SELECT count(*) FROM marketplace_installs").await
    );
    assert_eq!(
        app.count("SELECT marketplace_install_metrics_repair()")
            .await,
        0,
        "nothing to repair"
    );
}

#[tokio::test]
async fn a_planned_name_taken_meanwhile_moves_the_copy_to_the_next_free_name() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Helper").insert().await;
    // Someone creates a workspace skill named "Helper" just before the copy is inserted.
    app.exec(
        "CREATE FUNCTION squat() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             INSERT INTO skills (name, owner_type, owner_id, workspace_id)
             VALUES (NEW.name, 'workspace', NEW.owner_id, NEW.workspace_id);
             RETURN NEW;
         END $$;
         CREATE TRIGGER squat BEFORE INSERT ON skills FOR EACH ROW
         WHEN (NEW.owner_type = 'workspace' AND NEW.name = 'Helper' AND pg_trigger_depth() < 1)
         EXECUTE FUNCTION squat();",
    )
    .await;
    let plan = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install_plan(skill)
        .await;
    assert_eq!(plan.json["steps"][0]["as_name"], "Helper");
    let install = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(skill)
        .await;
    install.assert_status(201);
    assert_eq!(install.json["installed"]["name"], "Helper-copy");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM skills WHERE workspace_id = '{workspace}' AND name = 'Helper'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_name_taken_meanwhile_moves_only_that_dependency_to_the_next_free_name() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    // Someone creates a workspace agent named "Writer" just before the recipe's agents are copied (together).
    app.exec(
        "CREATE FUNCTION squat() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             INSERT INTO agents (name, owner_type, owner_id, workspace_id)
             VALUES (NEW.name, 'workspace', NEW.owner_id, NEW.workspace_id);
             RETURN NEW;
         END $$;
         CREATE TRIGGER squat BEFORE INSERT ON agents FOR EACH ROW
         WHEN (NEW.owner_type = 'workspace' AND NEW.name = 'Writer' AND pg_trigger_depth() < 1)
         EXECUTE FUNCTION squat();",
    )
    .await;
    let install = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .install(c.recipe)
        .await;
    install.assert_status(201);
    let installed = |listing: i64| {
        install.json["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["item"]["id"] == listing)
            .map(|d| d["installed"].clone())
            .unwrap()
    };
    assert_eq!(installed(c.triage)["name"], "Triage Bot");
    assert_eq!(installed(c.writer)["name"], "Writer-copy");
    assert_eq!(installed(c.reviewer)["name"], "Reviewer");
    // The recipe's "draft" step points at the writer's copy, not at the squatter.
    let draft = app
        .count(&format!(
            "SELECT (steps -> 1 ->> 'agent_id')::bigint FROM workflow_templates WHERE id = {}",
            install.json["installed"]["id"]
        ))
        .await;
    assert_eq!(json!(draft), installed(c.writer)["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_installs_of_recipes_sharing_agents_and_llms_into_one_workspace_count_exactly() {
    let app = TestApp::with(marketplace_http::Config::default(), 20).await;
    let workspace = app.workspace_with_members("acme").await;
    let c = catalog(&app).await;
    // Another recipe bringing two of the same agents, in the other order, and so the same two LLMs.
    let escalation = app
        .item(ItemKind::Recipe, "Escalation Flow")
        .category("Support")
        .set("recommended_agents", json!(["Reviewer", "Triage Bot"]))
        .insert()
        .await;
    let requests = (0..12).map(|i| {
        app.as_user("acme-editor")
            .in_workspace(workspace)
            .install([c.recipe, escalation][i % 2])
    });
    for response in futures::future::join_all(requests).await {
        response.assert_status(201);
    }
    for (table, id) in [
        ("workflow_templates", c.recipe),
        ("workflow_templates", escalation),
        ("agents", c.triage),
        ("agents", c.writer),
        ("agents", c.reviewer),
        ("llm_models", c.fast_llm),
        ("llm_models", c.smart_llm),
    ] {
        let installs = app
            .count(&format!(
                "SELECT count(*) FROM marketplace_installs WHERE item_id = {id}"
            ))
            .await;
        let before = if id == c.triage { 5 } else { 0 };
        let workspaces = i64::from(installs > 0);
        assert_eq!(
            metrics(&app, table, id).await,
            (before + installs, installs, workspaces),
            "{table} {id}"
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM marketplace_installs i
             JOIN agents a ON a.id = i.installed_item_id AND a.workspace_id = '{workspace}'"
        ))
        .await,
        app.count(&format!(
            "SELECT count(*) FROM agents WHERE workspace_id = '{workspace}'"
        ))
        .await,
        "every agent copy made has its install record"
    );
    assert_eq!(
        app.count("SELECT marketplace_install_metrics_repair()")
            .await,
        0,
        "nothing to repair"
    );
}
