//! Credentials in what a publisher submits are refused at the door (422 `credentials_in_content`, one error
//! per finding, the value never echoed, nothing stored); a credential field the item needs becomes a slot.

use harness::*;
use marketplace_catalog::RateLimit;
use marketplace_credentials::corpus;
use marketplace_http::Config;

/// Submissions are not what these tests count.
async fn app() -> TestApp {
    TestApp::with_config(Config {
        submission_limit: RateLimit {
            submissions: 100_000,
            ..RateLimit::default()
        },
        ..Config::default()
    })
    .await
}

/// A workspace item of `kind` whose content columns are `content`.
async fn workspace_item(
    app: &TestApp,
    workspace: uuid::Uuid,
    kind: ItemKind,
    content: &Value,
) -> i64 {
    let mut item = app.item(kind, &format!("Item {}", uuid::Uuid::new_v4()));
    for (column, value) in content.as_object().expect("content is an object") {
        item = item.set(column, value.clone());
    }
    item.in_workspace(workspace).insert().await
}

/// Where a planted secret goes in content of each kind: the content, and the pointer the finding names.
fn placements(kind: ItemKind, secret: &str) -> Vec<(Value, String)> {
    let sentence = format!("Call the API with {secret} when asked.");
    let header = format!("Authorization: Bearer {secret}");
    match kind {
        ItemKind::Agent => vec![
            (
                json!({"configuration": {"prompt": sentence}}),
                "configuration/prompt".into(),
            ),
            (
                json!({"configuration": {"headers": ["Accept: text/plain", header]}}),
                "configuration/headers/1".into(),
            ),
            (
                json!({"model_config": {"model": "gpt-4.1", "extra": {"deep": [{"value_x": secret}]}}}),
                "model_config/extra/deep/0/value_x".into(),
            ),
        ],
        ItemKind::Recipe => vec![(
            json!({"steps": [{"name": "a"}, {"name": "b", "with": {"note": sentence}}]}),
            "steps/1/with/note".into(),
        )],
        ItemKind::Skill => vec![(json!({"content": sentence}), "content".into())],
        ItemKind::Llm => vec![(
            json!({"config": {"base_url": "https://api.example.com", "notes": sentence}}),
            "config/notes".into(),
        )],
        ItemKind::Tool => vec![(
            json!({"config": {"defaults": {"x_custom": secret}}}),
            "config/defaults/x_custom".into(),
        )],
    }
}

#[tokio::test]
async fn every_planted_credential_is_refused_with_its_place_and_nothing_is_stored() {
    let app = app().await;
    let workspace = app.workspace_with_members("acme").await;
    let planted = corpus::planted();
    let formats: std::collections::BTreeSet<&str> = planted.iter().map(|p| p.format).collect();
    assert!(
        planted.len() >= 200 && formats.len() >= 40,
        "{} of {}",
        planted.len(),
        formats.len()
    );
    let mut refused = 0;
    for (n, plant) in planted.iter().enumerate() {
        let kind = ItemKind::ALL[n % ItemKind::ALL.len()];
        let options = placements(kind, &plant.secret);
        let (content, pointer) = &options[n / ItemKind::ALL.len() % options.len()];
        let source = workspace_item(&app, workspace, kind, content).await;
        let response = app
            .as_user("acme-editor")
            .in_workspace(workspace)
            .submit(&json!({"item_type": kind.as_str(), "item_id": source}))
            .await;
        response.assert_problem(422, "credentials_in_content");
        assert!(
            response.error_fields().contains(pointer),
            "{} ({kind}) at {pointer}: {}",
            plant.format,
            response.text
        );
        assert!(
            !response.text.contains(&plant.secret),
            "echoed: {}",
            response.text
        );
        refused += 1;
    }
    assert_eq!(refused, planted.len());
    assert_eq!(
        app.count("SELECT count(*) FROM item_versions").await,
        0,
        "nothing was stored"
    );
    for kind in ItemKind::ALL {
        let listings = app
            .count(&format!(
                "SELECT count(*) FROM {} WHERE owner_type = 'marketplace'",
                kind.table()
            ))
            .await;
        assert_eq!(listings, 0, "{kind}: no listing");
    }
}

#[tokio::test]
async fn realistic_configurations_are_accepted() {
    let app = app().await;
    let workspace = app.workspace_with_members("acme").await;
    let benign = corpus::benign();
    assert!(benign.len() >= 200);
    let mut refused = Vec::new();
    for (n, config) in benign.iter().enumerate() {
        let content = json!({"configuration": config});
        let source = workspace_item(&app, workspace, ItemKind::Agent, &content).await;
        let response = app.as_user("acme-editor").in_workspace(workspace).submit(&json!({"item_type": "agent", "item_id": source, "description": format!("Benign {n}")}))
        .await;
        match response.status {
            201 => {}
            422 => refused.push(response.text),
            other => panic!("{other}: {}", response.text),
        }
    }
    assert!(
        refused.len() * 100 <= benign.len(),
        "{} of {} refused: {refused:?}",
        refused.len(),
        benign.len()
    );
}

#[tokio::test]
async fn credential_fields_become_slots_and_listing_fields_are_scanned() {
    let app = app().await;
    let workspace = app.workspace_with_members("acme").await;
    let source = workspace_item(
        &app,
        workspace,
        ItemKind::Agent,
        &json!({"configuration": {"db_pass": "hunter2-secret", "api_key": "abc", "refresh": "r-123",
                                  "prompt": "Never ask the user for their password."}}),
    )
    .await;
    let response = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "agent", "item_id": source}))
        .await;
    response.assert_status(201);
    let listing = response.body::<Pending>().item_id;
    let stored = app
        .db
        .query_one(
            "SELECT a.configuration AS listing, v.content -> 'configuration' AS version
             FROM agents a JOIN item_versions v ON v.item_id = a.id WHERE a.id = $1",
            &[&listing],
        )
        .await
        .unwrap();
    for column in ["listing", "version"] {
        let configuration: Value = stored.get(column);
        assert_eq!(
            configuration,
            json!({"db_pass": "[redacted]", "api_key": "[redacted]", "refresh": "[redacted]",
                   "prompt": "Never ask the user for their password."}),
            "{column}"
        );
    }

    let token = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
    let clean = workspace_item(&app, workspace, ItemKind::Skill, &json!({"content": ""})).await;
    let response = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .submit(
            &json!({"item_type": "skill", "item_id": clean, "description": format!("Uses {token}"),
               "tags": ["ok", token], "changelog": format!("Rotated {token}"),
               "icon": format!("https://x:{token}@cdn.example.com/i.png")}),
        )
        .await;
    response.assert_problem(422, "credentials_in_content");
    let mut fields = response.error_fields();
    fields.sort();
    fields.dedup();
    assert_eq!(
        fields,
        ["changelog", "description", "icon", "tags/1"],
        "{}",
        response.text
    );
    assert!(!response.text.contains(token));
}

#[tokio::test]
async fn a_new_version_with_a_credential_is_refused_and_not_recorded() {
    let app = app().await;
    let workspace = app.workspace_with_members("acme").await;
    app.admin("boss").await;
    let source = workspace_item(
        &app,
        workspace,
        ItemKind::Tool,
        &json!({"config": {"x": 1}}),
    )
    .await;
    let response = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .submit(&json!({"item_type": "tool", "item_id": source}))
        .await;
    let listing = response.body::<Pending>().item_id;
    app.as_user("boss")
        .approve(listing, None)
        .await
        .assert_status(200);
    app.exec(&format!(
        "UPDATE tools SET config = '{{\"hook\": \"https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx\"}}' WHERE id = {source}"
    ))
    .await;
    let response = app
        .as_user("acme-editor")
        .in_workspace(workspace)
        .publish_version(listing, &json!({"version": "1.1.0"}))
        .await;
    response.assert_problem(422, "credentials_in_content");
    assert_eq!(response.error_fields(), ["config/hook"]);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM item_versions WHERE item_id = {listing}"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn the_migrate_function_scrubs_what_was_stored_before_and_reports_it() {
    let app = app().await;
    let acme = app.workspace_with_members("acme").await;
    let token = "xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx";
    let listing = app
        .item(ItemKind::Agent, "Old Agent")
        .set(
            "configuration",
            json!({"prompt": format!("Post with {token}"), "api_key": "live-key-1"}),
        )
        .versions(&["1.0.0"])
        .insert()
        .await;
    app.exec(&format!(
        "UPDATE item_versions SET content = jsonb_build_object('configuration', (SELECT configuration FROM agents WHERE id = {listing})) WHERE item_id = {listing}"
    ))
    .await;
    let copy = app
        .item(ItemKind::Agent, "Old Agent")
        .set("cloned_from_id", listing)
        .set(
            "configuration",
            json!({"prompt": format!("Post with {token}"), "api_key": "our-own-key"}),
        )
        .in_workspace(acme)
        .insert()
        .await;
    let pool = marketplace_db::pool_from_url(&app.url, PoolSettings::LAMBDA).unwrap();
    let report = migrate::handle(&pool, json!({"scrub_credentials": true}))
        .await
        .unwrap();
    let scrubbed = report.scrubbed.expect("scrubbed when asked");
    assert_eq!(
        (scrubbed.listings, scrubbed.versions, scrubbed.copies),
        (1, 1, 1)
    );
    assert_eq!(scrubbed.values, 2 + 2 + 1);
    let stored: Value = app
        .db
        .query_one(
            "SELECT jsonb_build_array(
                 (SELECT configuration FROM agents WHERE id = $1),
                 (SELECT content -> 'configuration' FROM item_versions WHERE item_id = $1),
                 (SELECT configuration FROM agents WHERE id = $2)) AS rows",
            &[&listing, &copy],
        )
        .await
        .unwrap()
        .get("rows");
    assert_eq!(
        stored,
        json!([
            {"prompt": "[redacted]", "api_key": "[redacted]"},
            {"prompt": "[redacted]", "api_key": "[redacted]"},
            {"prompt": "[redacted]", "api_key": "our-own-key"},
        ])
    );
    let again = migrate::handle(&pool, json!({"scrub_credentials": true}))
        .await
        .unwrap();
    assert_eq!(again.scrubbed.unwrap().values, 0);
}
