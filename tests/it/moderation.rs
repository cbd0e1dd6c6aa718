//! Admin routes: the queue, approve, reject, feature, delist — and the log of every action.

use harness::*;
use marketplace_catalog::llm_catalog;

async fn app_with_pending() -> (TestApp, uuid::Uuid, i64) {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Skill, "Skill")
        .set("content", "v1")
        .in_workspace(workspace)
        .insert()
        .await;
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": source, "changelog": "New"}))
        .await;
    response.assert_status(201);
    (app, workspace, response.body::<Pending>().item_id)
}

async fn actions(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    app.db
        .query(
            "SELECT a.action, a.version::text AS version, a.reason FROM admin_actions a
             JOIN users u ON u.id = a.admin_id AND u.auth_subject = 'boss' ORDER BY a.id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("action"), r.get("version"), r.get("reason")))
        .collect()
}

#[tokio::test]
async fn every_admin_route_is_forbidden_to_non_admins() {
    let (app, workspace, item) = app_with_pending().await;
    let calls = [
        app.get("/api/marketplace/admin/queue"),
        app.post(format!("/api/marketplace/items/{item}/approve")),
        app.post(format!("/api/marketplace/items/{item}/reject"))
            .json(&json!({"reason": "no"})),
        app.post(format!("/api/marketplace/items/{item}/feature")),
        app.delete(format!("/api/marketplace/items/{item}")),
    ];
    for call in calls {
        call.as_user("acme-owner")
            .workspace(workspace)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }
    assert!(actions(&app).await.is_empty());
    let status = app
        .count(&format!(
            "SELECT count(*) FROM item_versions WHERE item_id = {item} AND status = 'pending'"
        ))
        .await;
    assert_eq!(status, 1, "nothing changed");
}

#[tokio::test]
async fn approve_publishes_the_pending_version_once_and_logs_it() {
    let (app, _, item) = app_with_pending().await;
    let approve = || app.as_user("boss").approve(item, None);
    let response = approve().await;
    response.assert_status(200);
    assert_eq!(
        response.json,
        json!({"item_id": item, "status": "approved", "version": "1.0.0"})
    );
    let again = approve().await;
    again.assert_status(200);
    assert_eq!(again.json, response.json, "idempotent");
    assert_eq!(
        actions(&app).await,
        vec![("approve".to_owned(), Some("1.0.0".to_owned()), None)]
    );

    let detail = app.as_user("acme-viewer").item(item).await;
    detail.assert_status(200);
    assert_eq!(detail.json["is_approved"], true);
    assert_eq!(detail.json["latest_changelog"], "New");
    let versions = app.as_user("acme-viewer").versions(item).await;
    assert_eq!(versions.json["versions"][0]["version"], "1.0.0");
    let queue = app.as_user("boss").queue("").await;
    assert_eq!(queue.json["total"], 0);

    app.post("/api/marketplace/items/987654/approve")
        .as_user("boss")
        .send()
        .await
        .assert_problem(404, "not_found");
    app.post("/api/marketplace/items/x/approve")
        .as_user("boss")
        .send()
        .await
        .assert_problem(400, "bad_request");
}

#[tokio::test]
async fn reject_needs_a_reason_keeps_it_and_leaves_the_item_unlisted() {
    let (app, _, item) = app_with_pending().await;
    let reject = |body: Option<Value>| {
        let call = app
            .post(format!("/api/marketplace/items/{item}/reject"))
            .as_user("boss");
        match body {
            Some(body) => call.json(&body),
            None => call,
        }
        .send()
    };
    for body in [
        None,
        Some(json!({})),
        Some(json!({"reason": ""})),
        Some(json!({"reason": null})),
        Some(json!({"reason": "   "})),
        Some(json!({"reason": "x".repeat(2001)})),
    ] {
        let response = reject(body).await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), vec!["reason"]);
    }
    let response = reject(Some(json!({"reason": "Needs a description."}))).await;
    response.assert_status(200);
    assert_eq!(response.json["status"], "rejected");
    assert_eq!(response.json["reason"], "Needs a description.");
    reject(Some(json!({"reason": "again"})))
        .await
        .assert_problem(409, "conflict");
    app.as_user("boss")
        .approve(item, None)
        .await
        .assert_problem(409, "conflict");

    app.as_user("acme-owner")
        .item(item)
        .await
        .assert_problem(404, "not_found");
    let history = app
        .get("/api/marketplace/admin/queue?status=rejected")
        .as_user("boss")
        .send()
        .await;
    history.assert_status(200);
    assert_eq!(history.json["items"][0]["item_id"], item);
    assert_eq!(history.json["items"][0]["reason"], "Needs a description.");
    assert_eq!(
        actions(&app).await,
        vec![(
            "reject".to_owned(),
            Some("1.0.0".to_owned()),
            Some("Needs a description.".to_owned())
        )]
    );
}

#[tokio::test]
async fn feature_sets_or_toggles_the_flag() {
    let app = TestApp::new().await;
    app.admin("boss").await;
    app.user("reader").await;
    let item = app.item(ItemKind::Agent, "Star").insert().await;
    let feature = |body: Option<Value>| {
        let call = app
            .post(format!("/api/marketplace/items/{item}/feature"))
            .as_user("boss");
        match body {
            Some(body) => call.json(&body),
            None => call,
        }
        .send()
    };
    let flag = |response: TestResponse| {
        response.assert_status(200);
        response.json["is_featured"].as_bool().unwrap()
    };
    assert!(flag(feature(Some(json!({"featured": true}))).await));
    assert!(
        flag(feature(Some(json!({"featured": true}))).await),
        "setting is idempotent"
    );
    let featured = app
        .get("/api/marketplace/featured")
        .as_user("reader")
        .send()
        .await;
    assert_eq!(featured.json["items"][0]["id"], item);
    assert!(!flag(feature(None).await), "an empty body toggles");
    assert!(flag(feature(Some(json!({}))).await));
    assert!(!flag(feature(Some(json!({"featured": false}))).await));
    feature(Some(json!({"featured": "yes"})))
        .await
        .assert_problem(400, "bad_request");
    feature(Some(json!({"featured": null})))
        .await
        .assert_problem(400, "bad_request");
    let logged: Vec<String> = actions(&app)
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(
        logged,
        vec!["feature", "feature", "unfeature", "feature", "unfeature"]
    );
}

#[tokio::test]
async fn delisting_hides_the_item_everywhere_but_keeps_installs() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let item = app
        .item(ItemKind::Agent, "Going")
        .category("Ops")
        .featured()
        .versions(&["1.0.0"])
        .insert()
        .await;
    let installed = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await;
    installed.assert_status(201);
    app.publish_version(ItemKind::Agent, item, "1.1.0", "")
        .await;
    let copy = installed.body::<Install>().installed.id;

    app.as_user("boss").delist(item).await.assert_status(204);
    for subject in ["acme-viewer", "boss"] {
        for path in [
            format!("/api/marketplace/items/{item}"),
            format!("/api/marketplace/items/{item}/versions"),
        ] {
            app.get(&path)
                .as_user(subject)
                .send()
                .await
                .assert_problem(404, "not_found");
        }
        let list = app.as_user(subject).list_items("").await;
        assert_eq!(list.json["total"], 0);
        let featured = app
            .get("/api/marketplace/featured")
            .as_user(subject)
            .send()
            .await;
        assert_eq!(featured.json["items"], json!([]));
    }
    let stats = app.as_user("acme-viewer").stats().await;
    assert_eq!(stats.json["total_items"], 0);
    let categories = app.as_user("acme-viewer").categories().await;
    assert_eq!(categories.json["categories"], json!([]));
    let updates = app
        .as_user("acme-viewer")
        .in_workspace(workspace)
        .updates("")
        .await;
    assert_eq!(
        updates.json["updates"],
        json!([]),
        "delisted items stop reporting updates"
    );
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .install(item)
        .await
        .assert_problem(404, "not_found");

    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1,
        "install history stays"
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM agents WHERE id = {copy}"))
            .await,
        1,
        "the copy stays"
    );
    app.as_user("boss")
        .delist(item)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(actions(&app).await, vec![("delist".to_owned(), None, None)]);
}

#[tokio::test]
async fn the_queue_lists_new_items_and_versions_oldest_first_in_pages() {
    let (app, workspace, first) = app_with_pending().await;
    let approved_source = app
        .item(ItemKind::Tool, "Conn")
        .in_workspace(workspace)
        .insert()
        .await;
    let listing = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "tool", "item_id": approved_source}))
        .await
        .json["item_id"]
        .as_i64()
        .unwrap();
    app.as_user("boss")
        .approve(listing, None)
        .await
        .assert_status(200);
    app.as_user("acme-editor")
        .in_workspace(workspace)
        .publish_version(listing, &json!({"version": "1.1.0", "changelog": "More"}))
        .await
        .assert_status(201);

    let queue = app.as_user("boss").queue("").await;
    queue.assert_status(200);
    assert_eq!(queue.json["total"], 2);
    let items = queue.json["items"].as_array().unwrap();
    assert_eq!(
        (items[0]["item_id"].as_i64(), items[0]["kind"].as_str()),
        (Some(first), Some("new_item"))
    );
    assert_eq!(
        (items[1]["item_id"].as_i64(), items[1]["kind"].as_str()),
        (Some(listing), Some("new_version"))
    );
    assert_eq!(items[1]["version"], "1.1.0");
    assert_eq!(items[1]["submitted_by"]["display_name"], "acme-editor");

    let second_page = app
        .get("/api/marketplace/admin/queue?limit=1&offset=1")
        .as_user("boss")
        .send()
        .await;
    assert_eq!(second_page.json["total"], 2);
    assert_eq!(second_page.json["items"].as_array().unwrap().len(), 1);
    assert_eq!(second_page.json["items"][0]["item_id"], listing);
    let bad = app
        .get("/api/marketplace/admin/queue?limit=0&status=done")
        .as_user("boss")
        .send()
        .await;
    bad.assert_problem(400, "bad_request");
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["limit", "status"]);
}

#[tokio::test]
async fn seeding_the_llm_catalog_twice_changes_nothing_the_second_time() {
    let app = TestApp::new().await;
    let entries = llm_catalog::bundled_entries().unwrap();
    let (mut client, connection) = tokio_postgres::connect(&app.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let snapshot = || async {
        app.db
            .query("SELECT id, updated_at, name, install_count FROM llm_models WHERE owner_type = 'marketplace' ORDER BY id", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let row: (i64, chrono::DateTime<chrono::Utc>, String, i32) = (
                    r.get("id"),
                    r.get("updated_at"),
                    r.get("name"),
                    r.get("install_count"),
                );
                row
            })
            .collect::<Vec<_>>()
    };

    let first = seed(&mut client, entries.clone()).await;
    assert_eq!(
        (first.inserted, first.updated, first.unchanged),
        (entries.len() as u64, 0, 0)
    );
    let before = snapshot().await;
    let second = seed(&mut client, entries.clone()).await;
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (0, 0, entries.len() as u64)
    );
    assert_eq!(snapshot().await, before, "nothing was written");
    assert_eq!(
        app.count("SELECT count(*) FROM item_versions WHERE item_kind = 'llm'")
            .await,
        entries.len() as i64
    );

    // A changed entry is updated in place: same id, its installs kept; a removed entry is left alone.
    let workspace = app.workspace_with_members("acme").await;
    let first_id = before[0].0;
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .install(first_id)
        .await
        .assert_status(201);
    let mut changed: Vec<_> = entries[1..].to_vec();
    let renamed = entries.iter().position(|e| before[0].2 == e.name).unwrap();
    changed.push(entries[renamed].clone());
    let last = changed.len() - 1;
    changed[last].description.push_str(" Now faster.");
    let third = seed(&mut client, changed).await;
    assert_eq!((third.inserted, third.updated), (0, 1));
    let after = snapshot().await;
    assert_eq!(after.len(), before.len(), "nothing deleted");
    assert_eq!(
        after.iter().map(|r| r.0).collect::<Vec<_>>(),
        before.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(after[0].3, 1, "the install count survives");
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1
    );
}

async fn seed(
    client: &mut tokio_postgres::Client,
    entries: Vec<llm_catalog::LlmCatalogEntry>,
) -> llm_catalog::UpsertReport {
    let tx = client.transaction().await.unwrap();
    let report = llm_catalog::upsert(&tx, &entries).await.unwrap();
    tx.commit().await.unwrap();
    report
}
