//! POST /items/submit and POST /items/{id}/versions.

use harness::*;
use marketplace_catalog::{RateLimit, ReviewStatus};
use marketplace_http::Config;

const SUBMIT: &str = "/api/marketplace/items/submit";

#[tokio::test]
async fn submits_every_kind_as_an_unapproved_marketplace_copy_with_a_pending_version() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let editor = app
        .count("SELECT id FROM users WHERE auth_subject = 'acme-editor'")
        .await;
    for kind in ItemKind::ALL {
        let source = app
            .item(kind, &format!("My {kind}"))
            .set("description", "from the workspace")
            .category("Original")
            .in_workspace(workspace)
            .insert()
            .await;
        let response = app.as_user("acme-editor").in_workspace(workspace).submit(&json!({"item_type": kind.as_str(), "item_id": source, "name": format!("Public {kind}"),
                   "category": "DevOps", "icon": "🚀", "tags": ["ops", "infra"], "version": "0.3.0",
                   "changelog": "First public release."}))
        .await;
        response.assert_status(201);
        let listing = response.body::<Pending>().item_id;
        let mut pending = response.json.clone();
        let manifest = pending
            .as_object_mut()
            .unwrap()
            .remove("capabilities")
            .unwrap();
        let digest = pending
            .as_object_mut()
            .unwrap()
            .remove("capabilities_digest")
            .unwrap();
        assert_eq!(
            pending,
            json!({"item_id": listing, "status": "pending", "version": "0.3.0", "findings": []})
        );
        assert_eq!(manifest["creates"], json!({kind.as_str(): 1}), "{kind}");
        assert_eq!(digest.as_str().map(str::len), Some(64));

        let table = kind.table();
        let row = app
            .db
            .query_one(
                &format!(
                    "SELECT l.owner_type, l.owner_id IS NULL AND l.workspace_id IS NULL AS no_workspace,
                            l.is_approved, l.is_featured, l.install_count, l.original_creator_id, l.cloned_from_id,
                            l.name, l.description, l.marketplace_category, l.marketplace_icon, l.tags,
                            l.version::text AS version,
                            to_jsonb(l) - ARRAY['id','name','description','owner_type','owner_id','workspace_id',
                                'is_approved','is_featured','install_count','cloned_from_id','original_creator_id',
                                'marketplace_category','marketplace_icon','version','tags','delisted_at',
                                'created_at','updated_at','from_catalog','name_words','search_words',
                                'name_skeleton','marketplace_revoked_at']
                              = to_jsonb(s) - ARRAY['id','name','description','owner_type','owner_id','workspace_id',
                                'is_approved','is_featured','install_count','cloned_from_id','original_creator_id',
                                'marketplace_category','marketplace_icon','version','tags','delisted_at',
                                'created_at','updated_at','from_catalog','name_words','search_words',
                                'name_skeleton','marketplace_revoked_at'] AS same_content
                     FROM {table} l JOIN {table} s ON s.id = l.cloned_from_id WHERE l.id = $1"
                ),
                &[&listing],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>("owner_type"), "marketplace", "{kind}");
        assert!(row.get::<_, bool>("no_workspace"), "{kind}: no workspace");
        assert!(!row.get::<_, bool>("is_approved"), "{kind}: not approved");
        assert!(!row.get::<_, bool>("is_featured"));
        assert_eq!(row.get::<_, i32>("install_count"), 0);
        assert_eq!(
            row.get::<_, Option<i64>>("original_creator_id"),
            Some(editor),
            "{kind}: the caller is the creator"
        );
        assert_eq!(row.get::<_, i64>("cloned_from_id"), source);
        assert_eq!(row.get::<_, String>("name"), format!("Public {kind}"));
        assert_eq!(
            row.get::<_, String>("description"),
            "from the workspace",
            "not overridden: the source's"
        );
        assert_eq!(row.get::<_, String>("marketplace_category"), "DevOps");
        assert_eq!(row.get::<_, String>("marketplace_icon"), "🚀");
        assert_eq!(row.get::<_, Value>("tags"), json!(["ops", "infra"]));
        assert_eq!(row.get::<_, String>("version"), "0.3.0");
        assert!(
            row.get::<_, bool>("same_content"),
            "{kind}: the kind's own columns are copied"
        );

        let version = app
            .db
            .query_one(
                "SELECT status, changelog, submitted_by, content <> '{}' AS has_content
                 FROM item_versions WHERE item_id = $1",
                &[&listing],
            )
            .await
            .unwrap();
        assert_eq!(
            version.get::<_, ReviewStatus>("status"),
            ReviewStatus::Pending
        );
        assert_eq!(
            version.get::<_, String>("changelog"),
            "First public release."
        );
        assert_eq!(version.get::<_, i64>("submitted_by"), editor);
        assert!(version.get::<_, bool>("has_content"));
    }
}

#[tokio::test]
async fn pending_submissions_are_hidden_from_members_and_queued_for_admins() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Recipe, "Flow")
        .in_workspace(workspace)
        .insert()
        .await;
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "recipe", "item_id": source}))
        .await;
    response.assert_status(201);
    assert_eq!(response.json["version"], "1.0.0", "the default version");
    let listing = response.body::<Pending>().item_id;

    for subject in ["acme-owner", "acme-viewer"] {
        app.as_user(subject)
            .item(listing)
            .await
            .assert_problem(404, "not_found");
        let list = app.as_user(subject).list_items("").await;
        assert_eq!(list.json["total"], 0);
    }
    let queue = app.as_user("boss").queue("").await;
    queue.assert_status(200);
    assert_eq!(queue.json["total"], 1);
    let entry = &queue.json["items"][0];
    assert_eq!(entry["item_id"], listing);
    assert_eq!(entry["type"], "recipe");
    assert_eq!(entry["name"], "Flow");
    assert_eq!(entry["version"], "1.0.0");
    assert_eq!(entry["kind"], "new_item");
    assert_eq!(entry["submitted_by"]["display_name"], "acme-owner");
    assert!(entry["submitted_at"].is_string());
}

#[tokio::test]
async fn submitting_an_agent_publishes_its_workspace_skills_and_carries_its_tools() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    app.tool_app("gmail", "Gmail", "https://logo/gmail").await;
    let global = app.item(ItemKind::Skill, "Global skill").insert().await;
    let local = app
        .item(ItemKind::Skill, "Local skill")
        .in_workspace(workspace)
        .insert()
        .await;
    let agent = app
        .item(ItemKind::Agent, "Helper")
        .in_workspace(workspace)
        .set("tools", json!(["gmail"]))
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO agent_skills VALUES ({agent}, {global}), ({agent}, {local})"
    ))
    .await;

    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "agent", "item_id": agent}))
        .await;
    response.assert_status(201);
    let listing = response.body::<Pending>().item_id;

    let linked: Vec<(i64, String)> = app
        .db
        .query(
            "SELECT s.id, s.owner_type FROM agent_skills l JOIN skills s ON s.id = l.skill_id
             WHERE l.agent_id = $1 ORDER BY s.id",
            &[&listing],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("id"), r.get("owner_type")))
        .collect();
    assert_eq!(linked.len(), 2);
    assert_eq!(
        linked[0],
        (global, "marketplace".to_owned()),
        "marketplace skills are linked as they are"
    );
    assert_eq!(
        linked[1].1, "marketplace",
        "the workspace skill was published"
    );
    let published = linked[1].0;
    let cloned_from = app
        .count(&format!(
            "SELECT cloned_from_id FROM skills WHERE id = {published}"
        ))
        .await;
    assert_eq!(cloned_from, local);
    let into_workspaces = app
        .count(
            "SELECT count(*) FROM agent_skills l JOIN agents a ON a.id = l.agent_id JOIN skills s ON s.id = l.skill_id
             WHERE a.owner_type = 'marketplace' AND s.owner_type = 'workspace'",
        )
        .await;
    assert_eq!(
        into_workspaces, 0,
        "no marketplace row points into a workspace"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM agent_tools WHERE agent_id = {listing}"
        ))
        .await,
        1
    );

    // Approving the agent approves the skill published with it; the listing then shows its tool by name.
    app.as_user("boss")
        .approve(listing, None)
        .await
        .assert_status(200);
    let detail = app.as_user("acme-viewer").item(listing).await;
    detail.assert_status(200);
    assert_eq!(
        detail.json["metadata"]["tools"],
        json!([{"slug": "gmail", "name": "Gmail", "icon_url": "https://logo/gmail"}])
    );
    app.as_user("acme-viewer")
        .item(published)
        .await
        .assert_status(200);

    // A second agent using the same workspace skill links the skill's live listing instead of a new copy.
    let second = app
        .item(ItemKind::Agent, "Second")
        .in_workspace(workspace)
        .insert()
        .await;
    app.exec(&format!(
        "INSERT INTO agent_skills VALUES ({second}, {local})"
    ))
    .await;
    let response = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "agent", "item_id": second}))
        .await;
    response.assert_status(201);
    let second_listing = response.body::<Pending>().item_id;
    let skill = app
        .count(&format!(
            "SELECT skill_id FROM agent_skills WHERE agent_id = {second_listing}"
        ))
        .await;
    assert_eq!(skill, published);
}

#[tokio::test]
async fn resubmitting_a_listed_item_is_a_conflict_until_it_is_delisted() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Tool, "Conn")
        .in_workspace(workspace)
        .insert()
        .await;
    let body = json!({"item_type": "tool", "item_id": source});
    let first = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&body.clone())
        .await;
    first.assert_status(201);
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&body.clone())
        .await
        .assert_problem(409, "conflict");
    let listing = first.body::<Pending>().item_id;
    app.as_user("boss").delist(listing).await.assert_status(204);
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&body)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn refuses_other_workspaces_items_viewers_and_bad_bodies() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    let other = app.workspace_with_members("other").await;
    let theirs = app
        .item(ItemKind::Skill, "Theirs")
        .in_workspace(other)
        .insert()
        .await;
    let mine = app
        .item(ItemKind::Skill, "Mine")
        .in_workspace(workspace)
        .insert()
        .await;
    let listed = app.item(ItemKind::Skill, "Listed").insert().await;

    let owner = app.as_user("acme-owner").in_workspace(workspace);
    let viewer = app.as_user("acme-viewer").in_workspace(workspace);
    let outsider = app.as_user("acme-owner").in_workspace(other);
    for (client, kind, item, status, code) in [
        (&owner, "skill", theirs, 404, "not_found"),
        (&owner, "skill", listed, 404, "not_found"),
        (&owner, "agent", mine, 404, "not_found"),
        (&viewer, "skill", mine, 403, "forbidden"),
        (&outsider, "skill", mine, 403, "forbidden"),
    ] {
        client
            .submit(&json!({"item_type": kind, "item_id": item}))
            .await
            .assert_problem(status, code);
    }

    let response = app.as_user("acme-owner").in_workspace(workspace).submit(&json!({"item_type": "widget", "version": "1.0", "tags": "x", "name": "", "icon": 5, "changelog": "nul\u{0}"}))
    .await;
    response.assert_problem(400, "bad_request");
    let mut fields = response.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "changelog",
            "icon",
            "item_id",
            "item_type",
            "name",
            "tags",
            "version"
        ]
    );

    app.post(SUBMIT)
        .as_user("acme-owner")
        .workspace(workspace)
        .header("content-type", "application/json")
        .raw_body("[1, 2")
        .send()
        .await
        .assert_problem(400, "bad_request");
    app.post(SUBMIT)
        .as_user("acme-owner")
        .workspace(workspace)
        .header("content-type", "application/x-www-form-urlencoded")
        .raw_body("item_type=skill")
        .send()
        .await
        .assert_problem(415, "unsupported_media_type");
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .submit(
            &json!({"item_type": "skill", "item_id": mine, "description": "x".repeat(300 * 1024)}),
        )
        .await
        .assert_problem(413, "payload_too_large");
    assert_eq!(
        app.count("SELECT count(*) FROM skills WHERE owner_type = 'marketplace'")
            .await,
        1
    );
}

#[tokio::test]
async fn new_versions_must_climb_and_reach_installers_only_once_approved() {
    let app = TestApp::new().await;
    let publisher = app.workspace_with_members("pub").await;
    let installer = app.workspace_with_members("ins").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Agent, "Bot")
        .set("configuration", json!({"v": 1}))
        .in_workspace(publisher)
        .insert()
        .await;
    let listing = app
        .as_user("pub-owner")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "agent", "item_id": source, "version": "1.9.0"}))
        .await
        .json["item_id"]
        .as_i64()
        .unwrap();
    let approve = || app.as_user("boss").approve(listing, None);
    approve().await.assert_status(200);
    let installed = app
        .as_user("ins-editor")
        .in_workspace(installer)
        .install(listing)
        .await;
    installed.assert_status(201);

    let versions = format!("/api/marketplace/items/{listing}/versions");
    let publish = |version: &'static str| {
        let app = &app;
        let versions = versions.clone();
        async move {
            app.post(versions)
                .as_user("pub-editor")
                .workspace(publisher)
                .json(&json!({"version": version, "changelog": format!("Release {version}")}))
                .send()
                .await
        }
    };
    publish("1.9.0").await.assert_problem(409, "conflict");
    publish("1.8.5").await.assert_problem(409, "conflict");
    app.exec(&format!(
        r#"UPDATE agents SET configuration = '{{"v": 2}}' WHERE id = {source}"#
    ))
    .await;
    let created = publish("1.10.0").await;
    created.assert_status(201);
    assert_eq!(
        created.json,
        json!({"item_id": listing, "version": "1.10.0", "status": "pending", "findings": [],
               "capabilities": {"creates": {"agent": 1}, "credentials": [], "models": [], "network": [],
                                "tools": {}},
               "capabilities_digest": created.json["capabilities_digest"]})
    );
    publish("1.11.0").await.assert_problem(409, "conflict");

    let detail = app.as_user("ins-viewer").item(listing).await;
    assert_eq!(
        detail.json["version"], "1.9.0",
        "the listing serves its approved content until approval"
    );
    assert_eq!(detail.json["content"]["configuration"], json!({"v": 1}));
    let updates = app
        .as_user("ins-viewer")
        .in_workspace(installer)
        .updates("")
        .await;
    assert_eq!(updates.json["updates"], json!([]), "not before approval");

    approve().await.assert_status(200);
    let detail = app.as_user("ins-viewer").item(listing).await;
    assert_eq!(detail.json["version"], "1.10.0");
    assert_eq!(detail.json["content"]["configuration"], json!({"v": 2}));
    assert_eq!(detail.json["latest_changelog"], "Release 1.10.0");
    let updates = app
        .as_user("ins-viewer")
        .in_workspace(installer)
        .updates("")
        .await;
    assert_eq!(updates.json["updates"][0]["latest_version"], "1.10.0");
    assert_eq!(updates.json["updates"][0]["installed_version"], "1.9.0");
    assert_eq!(
        updates.json["updates"][0]["changelog"],
        json!([{"version": "1.10.0", "changelog": "Release 1.10.0"}])
    );
    publish("1.11.0").await.assert_status(201);
}

#[tokio::test]
async fn only_the_publishing_workspace_may_version_a_listing() {
    let app = TestApp::new().await;
    let publisher = app.workspace_with_members("pub").await;
    let other = app.workspace_with_members("other").await;
    app.admin("boss").await;
    let approved_source = app
        .item(ItemKind::Skill, "Approved")
        .in_workspace(publisher)
        .insert()
        .await;
    let pending_source = app
        .item(ItemKind::Skill, "Pending")
        .in_workspace(publisher)
        .insert()
        .await;
    let approved = app
        .as_user("pub-owner")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "skill", "item_id": approved_source}))
        .await
        .json["item_id"]
        .as_i64()
        .unwrap();
    let pending = app
        .as_user("pub-owner")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "skill", "item_id": pending_source}))
        .await
        .json["item_id"]
        .as_i64()
        .unwrap();
    app.as_user("boss")
        .approve(approved, None)
        .await
        .assert_status(200);
    let body = json!({"version": "2.0.0", "changelog": "x"});
    let publish = |id: i64, subject: &'static str, workspace: uuid::Uuid| {
        app.as_user(subject)
            .in_workspace(workspace)
            .publish_version(id, &body)
    };
    publish(approved, "other-owner", other)
        .await
        .assert_problem(403, "forbidden");
    publish(pending, "other-owner", other)
        .await
        .assert_problem(404, "not_found");
    publish(approved, "pub-viewer", publisher)
        .await
        .assert_problem(403, "forbidden");
    publish(987_654, "pub-owner", publisher)
        .await
        .assert_problem(404, "not_found");
    let bad = app
        .as_user("pub-owner")
        .in_workspace(publisher)
        .publish_version(approved, &json!({"version": "v2"}))
        .await;
    bad.assert_problem(400, "bad_request");
    assert_eq!(bad.error_fields(), vec!["version"]);
    publish(approved, "pub-editor", publisher)
        .await
        .assert_status(201);
}

#[tokio::test]
async fn submissions_are_rate_limited_per_user() {
    let config = Config {
        submission_limit: RateLimit {
            submissions: 3,
            window_secs: 3600,
        },
        ..Config::default()
    };
    let app = TestApp::with_config(config).await;
    let workspace = app.workspace_with_members("acme").await;
    let mut sources = Vec::new();
    for i in 0..5 {
        sources.push(
            app.item(ItemKind::Skill, &format!("s{i}"))
                .in_workspace(workspace)
                .insert()
                .await,
        );
    }
    // A failed submission is not counted.
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": 999_999}))
        .await
        .assert_problem(404, "not_found");
    for source in &sources[..3] {
        app.as_user("acme-owner")
            .in_workspace(workspace)
            .submit(&json!({"item_type": "skill", "item_id": source}))
            .await
            .assert_status(201);
    }
    let limited = app
        .as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": sources[3]}))
        .await;
    limited.assert_problem(429, "rate_limited");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    app.as_user("acme-editor")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": sources[3]}))
        .await
        .assert_status(201);

    app.exec("UPDATE submission_windows SET started_at = now() - interval '61 minutes'")
        .await;
    app.as_user("acme-owner")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "skill", "item_id": sources[4]}))
        .await
        .assert_status(201);
}
