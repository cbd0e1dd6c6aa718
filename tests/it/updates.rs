//! GET /updates and POST /installs/{install_id}/update.

use harness::*;

async fn install(app: &TestApp, item: i64, workspace: uuid::Uuid, subject: &str) -> (i64, i64) {
    let response = app
        .as_user(subject)
        .in_workspace(workspace)
        .install(item)
        .await;
    response.assert_status(201);
    (
        response.body::<Install>().install_id,
        response.body::<Install>().installed.id,
    )
}

async fn updates(app: &TestApp, workspace: uuid::Uuid, subject: &str) -> Vec<Value> {
    let response = app
        .as_user(subject)
        .in_workspace(workspace)
        .updates("")
        .await;
    response.assert_status(200);
    response.json["updates"].as_array().unwrap().clone()
}

#[tokio::test]
async fn reports_a_higher_semver_with_every_changelog_in_between() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let agent = app
        .item(ItemKind::Agent, "Bot")
        .versions(&["1.0.0"])
        .insert()
        .await;
    let (install_id, copy) = install(&app, agent, workspace, "acme-owner").await;
    assert!(updates(&app, workspace, "acme-viewer").await.is_empty());

    for version in ["1.1.0", "1.9.0", "1.10.0"] {
        app.publish_version(ItemKind::Agent, agent, version, "")
            .await;
    }
    let found = updates(&app, workspace, "acme-viewer").await;
    let nothing =
        json!({"creates": {}, "credentials": [], "models": [], "network": [], "tools": {}});
    assert_eq!(
        found,
        vec![json!({
            "install_id": install_id, "item_id": agent, "item_type": "agent", "item_name": "Bot",
            "advisories": [],
            "installed_item_id": copy, "installed_version": "1.0.0", "latest_version": "1.10.0",
            "changelog": [
                {"version": "1.10.0", "changelog": "Changes in 1.10.0."},
                {"version": "1.9.0", "changelog": "Changes in 1.9.0."},
                {"version": "1.1.0", "changelog": "Changes in 1.1.0."},
            ],
            "capabilities": {"creates": {"agent": 1}, "credentials": [], "models": [], "network": [],
                             "tools": {}},
            "capabilities_digest": found[0]["capabilities_digest"],
            "capability_changes": {"added": nothing, "removed": nothing},
            "consent_required": false,
        })],
        "1.10.0 is above 1.9.0; every member of the workspace sees it"
    );
}

#[tokio::test]
async fn pre_releases_newer_installs_deleted_copies_and_delisted_items() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace_with_members("other").await;

    let rc = app
        .item(ItemKind::Skill, "Rc")
        .versions(&["2.0.0-rc.1"])
        .insert()
        .await;
    install(&app, rc, workspace, "acme-owner").await;
    app.publish_version(ItemKind::Skill, rc, "2.0.0", "").await;

    let ahead = app
        .item(ItemKind::Skill, "Ahead")
        .versions(&["2.0.0"])
        .insert()
        .await;
    install(&app, ahead, workspace, "acme-owner").await;
    app.exec(&format!(
        "UPDATE skills SET version = '2.0.0-rc.2' WHERE id = {ahead}"
    ))
    .await;

    let deleted = app
        .item(ItemKind::Skill, "Deleted")
        .versions(&["1.0.0"])
        .insert()
        .await;
    let (_, deleted_copy) = install(&app, deleted, workspace, "acme-owner").await;
    app.publish_version(ItemKind::Skill, deleted, "1.1.0", "")
        .await;
    app.exec(&format!("DELETE FROM skills WHERE id = {deleted_copy}"))
        .await;

    let delisted = app
        .item(ItemKind::Skill, "Delisted")
        .versions(&["1.0.0"])
        .insert()
        .await;
    install(&app, delisted, workspace, "acme-owner").await;
    app.publish_version(ItemKind::Skill, delisted, "1.1.0", "")
        .await;
    app.exec(&format!(
        "UPDATE skills SET delisted_at = now() WHERE id = {delisted}"
    ))
    .await;

    let elsewhere = app
        .item(ItemKind::Skill, "Elsewhere")
        .versions(&["1.0.0"])
        .insert()
        .await;
    install(&app, elsewhere, other, "other-owner").await;
    app.publish_version(ItemKind::Skill, elsewhere, "1.1.0", "")
        .await;

    let found = updates(&app, workspace, "acme-editor").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["item_id"], rc);
    assert_eq!(found[0]["installed_version"], "2.0.0-rc.1");
    assert_eq!(found[0]["latest_version"], "2.0.0");
    assert_eq!(
        found[0]["changelog"],
        json!([{"version": "2.0.0", "changelog": "Changes in 2.0.0."}])
    );
    assert_eq!(
        updates(&app, other, "other-viewer").await.len(),
        1,
        "scoped to the workspace"
    );
}

#[tokio::test]
async fn updates_need_the_workspace_header_and_membership() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.user("outsider").await;
    let response = app.as_user("acme-owner").updates("").await;
    response.assert_problem(400, "bad_request");
    app.as_user("outsider")
        .in_workspace(workspace)
        .updates("")
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn apply_update_brings_an_unedited_copy_to_the_latest_version() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Extra").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Bot")
        .set("configuration", json!({"v": 1}))
        .versions(&["1.0.0"])
        .insert()
        .await;
    let (install_id, copy) = install(&app, agent, workspace, "acme-owner").await;
    app.exec(&format!(
        "UPDATE agents SET name = 'My Bot' WHERE id = {copy}"
    ))
    .await;
    app.publish_version(
        ItemKind::Agent,
        agent,
        "1.1.0",
        r#"configuration = '{"v": 2}'"#,
    )
    .await;
    app.exec(&format!(
        "INSERT INTO agent_skills VALUES ({agent}, {skill})"
    ))
    .await;

    let path = format!("/api/marketplace/installs/{install_id}/update");
    let response = app
        .post(&path)
        .as_user("acme-editor")
        .workspace(workspace)
        .send()
        .await;
    response.assert_status(200);
    assert_eq!(
        response.json,
        json!({"install_id": install_id, "installed_item_id": copy, "from_version": "1.0.0", "to_version": "1.1.0"})
    );
    let row = app
        .db
        .query_one(
            "SELECT name, version::text AS version, configuration FROM agents WHERE id = $1",
            &[&copy],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, String>("name"),
        "My Bot",
        "the workspace's name for it is kept"
    );
    assert_eq!(row.get::<_, String>("version"), "1.1.0");
    assert_eq!(row.get::<_, Value>("configuration"), json!({"v": 2}));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM agent_skills WHERE agent_id = {copy}"
        ))
        .await,
        1
    );
    assert!(updates(&app, workspace, "acme-owner").await.is_empty());

    let again = app
        .post(&path)
        .as_user("acme-editor")
        .workspace(workspace)
        .send()
        .await;
    again.assert_status(200);
    assert_eq!(again.json["from_version"], "1.1.0");
    assert_eq!(again.json["to_version"], "1.1.0");
}

#[tokio::test]
async fn apply_update_refuses_to_overwrite_local_edits_unless_forced() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let tool = app
        .item(ItemKind::Tool, "Conn")
        .set("config", json!({"a": 1}))
        .versions(&["1.0.0"])
        .insert()
        .await;
    let (install_id, copy) = install(&app, tool, workspace, "acme-owner").await;
    app.exec(&format!(
        r#"UPDATE tools SET config = '{{"a": 1, "mine": true}}' WHERE id = {copy}"#
    ))
    .await;
    app.publish_version(ItemKind::Tool, tool, "2.0.0", r#"config = '{"a": 2}'"#)
        .await;
    let path = format!("/api/marketplace/installs/{install_id}/update");

    app.post(&path)
        .as_user("acme-owner")
        .workspace(workspace)
        .send()
        .await
        .assert_problem(409, "conflict");
    app.post(&path)
        .as_user("acme-owner")
        .workspace(workspace)
        .json(&json!({"force": false}))
        .send()
        .await
        .assert_problem(409, "conflict");
    let config: Value = app
        .db
        .query_one("SELECT config FROM tools WHERE id = $1", &[&copy])
        .await
        .unwrap()
        .get("config");
    assert_eq!(config, json!({"a": 1, "mine": true}), "nothing changed");

    let forced = app
        .post(&path)
        .as_user("acme-owner")
        .workspace(workspace)
        .json(&json!({"force": true}))
        .send()
        .await;
    forced.assert_status(200);
    assert_eq!(forced.json["to_version"], "2.0.0");
    let config: Value = app
        .db
        .query_one("SELECT config FROM tools WHERE id = $1", &[&copy])
        .await
        .unwrap()
        .get("config");
    assert_eq!(config, json!({"a": 2}));
}

#[tokio::test]
async fn apply_update_checks_access_the_body_and_the_install() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace_with_members("other").await;
    let item = app
        .item(ItemKind::Recipe, "Flow")
        .versions(&["1.0.0"])
        .insert()
        .await;
    let (install_id, _) = install(&app, item, workspace, "acme-owner").await;
    app.publish_version(ItemKind::Recipe, item, "1.0.1", "")
        .await;
    let path = format!("/installs/{install_id}/update");
    let owner = app.as_user("acme-owner").in_workspace(workspace);
    for (client, status, code) in [
        (
            app.as_user("acme-viewer").in_workspace(workspace),
            403,
            "forbidden",
        ),
        (
            app.as_user("other-owner").in_workspace(other),
            404,
            "not_found",
        ),
        (
            app.as_user("other-owner").in_workspace(workspace),
            403,
            "forbidden",
        ),
    ] {
        client
            .apply_update(install_id, None)
            .await
            .assert_problem(status, code);
    }
    owner
        .call("POST", "/installs/abc/update")
        .send()
        .await
        .assert_problem(400, "bad_request");
    for (content_type, body, status, code) in [
        ("application/json", "{force: yes", 400, "bad_request"),
        ("text/plain", "force", 415, "unsupported_media_type"),
        (
            "application/json",
            r#"{"force": "yes"}"#,
            400,
            "bad_request",
        ),
    ] {
        owner
            .call("POST", &path)
            .header("content-type", content_type)
            .raw_body(body)
            .send()
            .await
            .assert_problem(status, code);
    }
    let unchanged = app
        .count("SELECT count(*) FROM marketplace_installs WHERE installed_version = '1.0.0'")
        .await;
    assert_eq!(unchanged, 1);
}

#[tokio::test]
async fn updates_come_a_page_at_a_time_newest_install_first() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let mut items = Vec::new();
    for (i, kind) in [
        ItemKind::Skill,
        ItemKind::Tool,
        ItemKind::Skill,
        ItemKind::Recipe,
    ]
    .into_iter()
    .enumerate()
    {
        let item = app.item(kind, &format!("Item {i}")).insert().await;
        let (install_id, _) = install(&app, item, workspace, "acme-owner").await;
        items.push((kind, item, install_id));
    }
    // Every listing but the second gets a new version.
    for (i, (kind, item, _)) in items.iter().enumerate() {
        if i != 1 {
            app.publish_version(*kind, *item, "2.0.0", "").await;
        }
    }
    let page = |cursor: Option<String>| {
        let app = &app;
        async move {
            let uri = match cursor {
                Some(cursor) => format!("/api/marketplace/updates?limit=2&cursor={cursor}"),
                None => "/api/marketplace/updates?limit=2".to_owned(),
            };
            let response = app
                .get(uri)
                .as_user("acme-viewer")
                .workspace(workspace)
                .send()
                .await;
            response.assert_status(200);
            let ids: Vec<i64> = response.json["updates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["install_id"].as_i64().unwrap())
                .collect();
            (
                ids,
                response.json["next_cursor"].as_str().map(str::to_owned),
            )
        }
    };
    let (first, cursor) = page(None).await;
    assert_eq!(first, vec![items[3].2, items[2].2]);
    let (second, cursor) = page(cursor).await;
    assert_eq!(
        second,
        vec![items[0].2],
        "the install without an update is not listed"
    );
    assert_eq!(cursor, None);
    let response = app
        .get("/api/marketplace/updates?cursor=nope")
        .as_user("acme-viewer")
        .workspace(workspace)
        .send()
        .await;
    response.assert_problem(400, "bad_request");
    assert_eq!(response.error_fields(), vec!["cursor"]);
}
