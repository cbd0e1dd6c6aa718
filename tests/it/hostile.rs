//! What a hostile client tried after the first round of hardening: forged and edited cursors, offset paging
//! of short searches, input that only looks valid, and installs racing uninstalls.

use futures::future::join_all;
use harness::*;

const ITEMS: &str = "/api/marketplace/items";

/// `token` with one character of its payload changed.
fn edited(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[2] = if bytes[2] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// A token of the shape the API issues, made without its key: a forged relevance position.
fn forged() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let payload = r#"["0000000000000000",4,"x') OR 1=1 --",1]"#;
    let check = Sha256::digest(payload.as_bytes());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(&check[..16])
    )
}

#[tokio::test]
async fn forged_and_edited_cursors_are_400s_naming_cursor_on_every_paged_route() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let mut agents = Vec::new();
    for n in 0..3 {
        agents.push(
            app.item(ItemKind::Agent, &format!("Reviewer {n}"))
                .versions(&["1.0.0"])
                .insert()
                .await,
        );
    }
    for &agent in &agents {
        let installed = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .install(agent)
            .await;
        installed.assert_status(201);
        for subject in ["acme-owner", "acme-editor"] {
            app.post(format!("{ITEMS}/{agent}/reviews"))
                .as_user(subject)
                .workspace(acme)
                .json(&json!({"rating": 4}))
                .send()
                .await
                .assert_status(201);
        }
        app.publish_version(ItemKind::Agent, agent, "1.1.0", "")
            .await;
    }
    let search = format!("{ITEMS}?search=reviewer&sort=relevance&limit=1");
    let installs = "/api/marketplace/installs?limit=1".to_owned();
    let updates = "/api/marketplace/updates?limit=1".to_owned();
    let reviews = format!("{ITEMS}/{}/reviews?limit=1", agents[0]);
    let queue = "/api/marketplace/admin/queue?status=approved&limit=1".to_owned();
    for path in [&search, &installs, &updates, &reviews, &queue] {
        let user = if path == &queue {
            "boss"
        } else {
            "acme-editor"
        };
        let first = app
            .get(path.clone())
            .as_user(user)
            .workspace(acme)
            .send()
            .await;
        first.assert_status(200);
        let token = first.json["next_cursor"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: a next page: {}", first.text))
            .to_owned();
        let next = app
            .get(format!("{path}&cursor={token}"))
            .as_user(user)
            .workspace(acme)
            .send()
            .await;
        next.assert_status(200);
        for bad in [edited(&token), forged(), "e30.e30".to_owned()] {
            let refused = app
                .get(format!("{path}&cursor={bad}"))
                .as_user(user)
                .workspace(acme)
                .send()
                .await;
            refused.assert_problem(400, "bad_request");
            assert_eq!(
                refused.error_fields(),
                ["cursor"],
                "{path}: {}",
                refused.text
            );
        }
    }
    // A review cursor pages only the item it came from.
    let first = app.get(reviews.clone()).as_user("acme-editor").send().await;
    let token = first.json["next_cursor"].as_str().unwrap();
    let other = app
        .get(format!(
            "{ITEMS}/{}/reviews?limit=1&cursor={token}",
            agents[1]
        ))
        .as_user("acme-editor")
        .send()
        .await;
    other.assert_problem(400, "bad_request");
}

#[tokio::test]
async fn every_cursor_of_the_approved_queue_is_taken_including_unreviewed_approvals() {
    let app = TestApp::new().await;
    app.admin("boss").await;
    for n in 0..5 {
        app.item(ItemKind::Skill, &format!("Seeded {n}"))
            .versions(&["1.0.0"])
            .insert()
            .await;
    }
    let mut seen = Vec::new();
    let mut uri = "/api/marketplace/admin/queue?status=approved&limit=2".to_owned();
    loop {
        let page = app.get(uri.clone()).as_user("boss").send().await;
        page.assert_status(200);
        for entry in page.json["items"].as_array().unwrap() {
            seen.push(entry["item_id"].as_i64().unwrap());
        }
        match page.json["next_cursor"].as_str() {
            Some(token) => {
                uri = format!("/api/marketplace/admin/queue?status=approved&limit=2&cursor={token}")
            }
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "each once: {seen:?}");
}

#[tokio::test]
async fn offset_and_cursor_paging_of_a_short_term_show_the_same_rows() {
    let app = TestApp::new().await;
    app.user("reader").await;
    // 2,400 skills, one in 40 named with "qq": more than a short term's region of each kind.
    app.exec(
        "INSERT INTO skills (name, owner_type, is_approved, skill_type)
         SELECT CASE WHEN n % 40 = 0 THEN 'Tool qq ' || n ELSE 'Skill ' || n END, 'marketplace', true, 'prompt'
         FROM generate_series(1, 2400) AS n",
    )
    .await;
    let matches = app
        .count("SELECT count(*) FROM skills WHERE name ILIKE '%qq%'")
        .await;
    let mut by_cursor = Vec::new();
    let mut uri = format!("{ITEMS}?search=qq&sort=name&limit=10");
    for _ in 0..200 {
        let page = app.get(uri.clone()).as_user("reader").send().await;
        page.assert_status(200);
        let items = page.json["items"].as_array().unwrap();
        by_cursor.extend(items.iter().map(|item| item["id"].as_i64().unwrap()));
        let total = page.json["total"].as_i64().unwrap();
        assert!(total >= items.len() as i64, "{}", page.text);
        match page.json["next_cursor"].as_str() {
            Some(token) => uri = format!("{ITEMS}?search=qq&sort=name&limit=10&cursor={token}"),
            None => break,
        }
    }
    assert_eq!(by_cursor.len() as i64, matches);
    let mut by_offset = Vec::new();
    for offset in (0..matches + 10).step_by(10) {
        let page = app
            .get(format!(
                "{ITEMS}?search=qq&sort=name&limit=10&offset={offset}"
            ))
            .as_user("reader")
            .send()
            .await;
        page.assert_status(200);
        let items = page.json["items"].as_array().unwrap();
        // At least what the pages showed (a short term counts one region of each kind: "at least").
        assert!(
            items.is_empty() || page.json["total"].as_i64().unwrap() >= offset + items.len() as i64,
            "offset {offset}: {}",
            page.text
        );
        by_offset.extend(items.iter().map(|item| item["id"].as_i64().unwrap()));
    }
    // Cursor pages may be short at a region's end; the rows, in order, are the same.
    assert_eq!(by_offset, by_cursor);
}

#[tokio::test]
async fn suggestions_only_when_nothing_matched() {
    let app = TestApp::new().await;
    app.user("reader").await;
    app.item(ItemKind::Agent, "Sales Assistant").insert().await;
    let past_the_end = app
        .get(format!("{ITEMS}?search=Sales%20Assistant&offset=50"))
        .as_user("reader")
        .send()
        .await;
    past_the_end.assert_status(200);
    assert_eq!(
        past_the_end.json["suggestions"],
        json!([]),
        "{}",
        past_the_end.text
    );
    let misspelt = app
        .get(format!("{ITEMS}?search=Salse%20Assistant"))
        .as_user("reader")
        .send()
        .await;
    assert_eq!(misspelt.json["suggestions"], json!(["Sales Assistant"]));
}

#[tokio::test]
async fn input_that_only_looks_valid_is_refused() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let agent = app.item(ItemKind::Agent, "Helper").insert().await;
    // A subject the users table cannot hold names nobody.
    app.as_user("acme-owner\u{0}")
        .list_items("")
        .await
        .assert_problem(401, "unauthorized");
    for query in [
        "limit=+5",
        "limit=05",
        "offset=-0",
        "limit=5.0",
        "search=caf%E9",
        "tag=%FF",
    ] {
        app.get(format!("{ITEMS}?{query}"))
            .as_user("acme-owner")
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
    app.as_user("acme-editor")
        .in_workspace(acme)
        .install(agent)
        .await
        .assert_status(201);
    for body in [
        r#"{"rating": 5.0}"#,
        r#"{"rating": 5e0}"#,
        r#"{"rating": 1, "rating": 5}"#,
    ] {
        app.post(format!("{ITEMS}/{agent}/reviews"))
            .as_user("acme-editor")
            .workspace(acme)
            .header("content-type", "application/json")
            .raw_body(body)
            .send()
            .await
            .assert_problem(400, "bad_request");
    }
    app.post(format!("{ITEMS}/{agent}/reject"))
        .as_user("boss")
        .json(&json!({"reason": "\u{200b}\u{200b} "}))
        .send()
        .await
        .assert_problem(400, "bad_request");
    let source = app
        .item(ItemKind::Skill, "Mine")
        .in_workspace(acme)
        .insert()
        .await;
    for (body, field) in [
        (json!({"item_type": "skill", "item_id": 42.0}), "item_id"),
        (
            json!({"item_type": "skill", "item_id": source, "name": "Esc\u{1b}[31m"}),
            "name",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "name": "   "}),
            "name",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "name": "Sa\u{200b}les"}),
            "name",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "category": "Ops\u{202e}"}),
            "category",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "description": "bell\u{7}"}),
            "description",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "changelog": "cr\r\n"}),
            "changelog",
        ),
        (
            json!({"item_type": "skill", "item_id": source, "tags": ["ok", " "]}),
            "tags",
        ),
    ] {
        let refused = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .submit(&body)
            .await;
        refused.assert_problem(400, "bad_request");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }
    assert_eq!(app.count("SELECT count(*) FROM item_versions").await, 0);
}

#[tokio::test]
async fn a_recipe_step_naming_another_workspaces_item_or_an_unapproved_one_is_refused() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let globex = app.workspace_with_members("globex").await;
    let theirs = app
        .item(ItemKind::Agent, "Their Agent")
        .in_workspace(globex)
        .insert()
        .await;
    let pending = app
        .item(ItemKind::Agent, "Pending")
        .unapproved()
        .insert()
        .await;
    let listed = app.item(ItemKind::Agent, "Listed").insert().await;
    for (agent_id, refused) in [(theirs, true), (pending, true), (listed, false)] {
        let source = app
            .item(ItemKind::Recipe, &format!("Flow {agent_id}"))
            .set(
                "steps",
                json!([{"name": "a"}, {"name": "b", "agent_id": agent_id}]),
            )
            .in_workspace(acme)
            .insert()
            .await;
        let response = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .submit(&json!({"item_type": "recipe", "item_id": source}))
            .await;
        if refused {
            response.assert_problem(422, "unprocessable_content");
            assert_eq!(response.error_fields(), ["steps/1/agent_id"]);
        } else {
            response.assert_status(201);
        }
    }
    assert_eq!(app.count("SELECT count(*) FROM item_versions").await, 1);
}

#[tokio::test]
async fn an_agents_skill_count_agrees_with_its_detail_after_a_skill_is_delisted() {
    let app = TestApp::new().await;
    app.admin("boss").await;
    app.user("reader").await;
    let skill = app.item(ItemKind::Skill, "Tone").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Writer")
        .set("skills", json!(["Tone"]))
        .insert()
        .await;
    app.delete(format!("{ITEMS}/{skill}"))
        .as_user("boss")
        .send()
        .await
        .assert_status(204);
    let detail = app
        .get(format!("{ITEMS}/{agent}"))
        .as_user("reader")
        .send()
        .await;
    let listing = app
        .get(format!("{ITEMS}?type=agent"))
        .as_user("reader")
        .send()
        .await;
    assert_eq!(detail.json["dependencies"]["skills"], json!([]));
    assert_eq!(detail.json["metadata"]["skills_count"], 0);
    assert_eq!(listing.json["items"][0]["metadata"]["skills_count"], 0);
}

/// A recipe with two agents on one LLM, installable by acme.
async fn recipe(app: &TestApp) -> i64 {
    app.item(ItemKind::Llm, "shared-llm").insert().await;
    for name in ["Alpha", "Beta"] {
        app.item(ItemKind::Agent, name)
            .set("model_config", json!({"model": "shared-llm"}))
            .insert()
            .await;
    }
    app.item(ItemKind::Recipe, "Flow")
        .set("recommended_agents", json!(["Alpha", "Beta"]))
        .insert()
        .await
}

#[tokio::test]
async fn installs_racing_uninstalls_with_dependencies_never_deadlock() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let recipe = recipe(&app).await;
    for _ in 0..20 {
        let first = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .install(recipe)
            .await;
        first.assert_status(201);
        let id = first.body::<Install>().install_id;
        let uninstall = app
            .delete(format!(
                "/api/marketplace/installs/{id}?with_dependencies=true"
            ))
            .as_user("acme-editor")
            .workspace(acme)
            .send();
        let install = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .install(recipe);
        let (uninstalled, installed) = tokio::join!(uninstall, install);
        uninstalled.assert_status(204);
        installed.assert_status(201);
    }
    // Every live install's copy exists, and every live dependency install has a live user.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM marketplace_installs d
             WHERE d.uninstalled_at IS NULL AND d.parent_install_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM marketplace_install_dependencies e
                               JOIN marketplace_installs u ON u.id = e.install_id
                               WHERE e.dependency_id = d.id AND u.uninstalled_at IS NULL)"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_dependency_ends_with_the_last_install_that_brought_or_reused_it() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let recipe = recipe(&app).await;
    let mut installs = Vec::new();
    for _ in 0..2 {
        let installed = app
            .as_user("acme-editor")
            .in_workspace(acme)
            .install(recipe)
            .await;
        installed.assert_status(201);
        installs.push(installed.body::<Install>().install_id);
    }
    for id in installs {
        app.delete(format!(
            "/api/marketplace/installs/{id}?with_dependencies=true"
        ))
        .as_user("acme-editor")
        .workspace(acme)
        .send()
        .await
        .assert_status(204);
    }
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs WHERE uninstalled_at IS NULL")
            .await,
        0
    );
    for table in ["agents", "llm_models", "workflow_templates"] {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM {table} WHERE owner_type = 'workspace'"
            ))
            .await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        app.count("SELECT coalesce(sum(active_installs), 0) FROM agents")
            .await,
        0
    );
}

#[tokio::test]
async fn parallel_installs_sharing_a_dependency_clone_it_once() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let llm = app.item(ItemKind::Llm, "shared-llm").insert().await;
    let mut agents = Vec::new();
    for n in 0..12 {
        agents.push(
            app.item(ItemKind::Agent, &format!("Agent {n}"))
                .set("model_config", json!({"model": "shared-llm"}))
                .insert()
                .await,
        );
    }
    let responses = join_all(
        agents
            .iter()
            .map(|&agent| app.as_user("acme-editor").in_workspace(acme).install(agent)),
    )
    .await;
    for response in &responses {
        response.assert_status(201);
    }
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM llm_models WHERE cloned_from_id = {llm} AND owner_type = 'workspace'"
        ))
        .await,
        1
    );
}
