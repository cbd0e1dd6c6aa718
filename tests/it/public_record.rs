//! The public record of moderation: what it shows and never shows, its hash chain checked from the pages
//! alone and by the verify route, and an edit behind the service's back caught.

use harness::{ItemKind, TestApp};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Every entry of the log, newest first, a page of two at a time.
async fn whole_log(app: &TestApp) -> Vec<Value> {
    let client = app.as_user("reader");
    let mut entries = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let page = client.moderation_log(&query).await;
        page.assert_status(200);
        entries.extend(page.json["entries"].as_array().unwrap().iter().cloned());
        match page.json["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=2&cursor={cursor}"),
            None => return entries,
        }
    }
}

#[tokio::test]
async fn the_log_records_moderation_publicly_and_chains_every_entry() {
    let app = TestApp::with_reader().await;
    let publisher = app.workspace_with_members("pub").await;
    let installer = app.workspace_with_members("ins").await;
    let boss = app.as_user("boss");
    let publish = |name: &'static str| {
        let app = &app;
        async move {
            let source = app
                .item(ItemKind::Skill, name)
                .set("content", "text")
                .in_workspace(publisher)
                .insert()
                .await;
            let submitted = app
                .as_user("pub-editor")
                .in_workspace(publisher)
                .submit(&json!({"item_type": "skill", "item_id": source}))
                .await;
            submitted.assert_status(201);
            submitted.json["item_id"].as_i64().unwrap()
        }
    };
    let kept = publish("Kept Skill").await;
    let refused = publish("Secret Plan").await;
    let private = publish("Private Reason").await;
    boss.approve(kept, None).await.assert_status(200);
    boss.reject(
        refused,
        &json!({"reason": "Copies another skill.", "public_reason": true}),
    )
    .await
    .assert_status(200);
    boss.reject(private, &json!({"reason": "Contact ada@example.com"}))
        .await
        .assert_status(200);
    boss.feature(kept, true).await.assert_status(200);
    app.as_user("pub-editor")
        .in_workspace(publisher)
        .yank(kept, "1.0.0", "Typo in the guide")
        .await
        .assert_status(200);
    app.as_user("pub-editor")
        .in_workspace(publisher)
        .unyank(kept, "1.0.0")
        .await
        .assert_status(200);
    app.as_user("ins-editor")
        .in_workspace(installer)
        .install(kept)
        .await
        .assert_status(201);
    let review = app
        .as_user("ins-editor")
        .in_workspace(installer)
        .review(kept, &json!({"rating": 1, "body": "Rude words here"}))
        .await;
    review.assert_status(201);
    boss.hide_review(review.json["id"].as_i64().unwrap(), "Abusive")
        .await
        .assert_status(200);
    boss.revoke(
        kept,
        &json!({"reason": "Leaks prompts", "severity": "high"}),
    )
    .await
    .assert_status(200);
    boss.delist(kept).await.assert_status(204);

    let log = whole_log(&app).await;
    let summary: Vec<Value> = log
        .iter()
        .rev()
        .map(|entry| {
            json!([
                entry["action"],
                entry["item"]["name"],
                entry["version"],
                entry["reason"],
                entry["severity"],
                entry["hidden_reviews"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        [
            json!(["approve", "Kept Skill", "1.0.0", null, null, null]),
            json!(["reject", null, "1.0.0", "Copies another skill.", null, null]),
            json!(["reject", null, "1.0.0", null, null, null]),
            json!(["feature", "Kept Skill", null, null, null, null]),
            json!([
                "yank",
                "Kept Skill",
                "1.0.0",
                "Typo in the guide",
                null,
                null
            ]),
            json!(["unyank", "Kept Skill", "1.0.0", null, null, null]),
            json!(["hide_review", "Kept Skill", null, null, null, 1]),
            json!([
                "revoke",
                "Kept Skill",
                "1.0.0",
                "Leaks prompts",
                "high",
                null
            ]),
            json!(["delist", "Kept Skill", null, null, null, null]),
        ]
    );
    let text = serde_json::to_string(&log).unwrap();
    for private in [
        publisher.to_string(),
        installer.to_string(),
        "ada@example.com".into(),
        "Rude words".into(),
        "Abusive".into(),
        "Secret Plan".into(),
    ] {
        assert!(!text.contains(&private), "the log shows {private}");
    }

    // The chain, checked from the pages alone.
    let mut previous = "0".repeat(64);
    for entry in log.iter().rev() {
        assert_eq!(entry["prev_hash"], previous.as_str());
        let digest =
            Sha256::digest(format!("{previous}\n{}", entry["entry"].as_str().unwrap()).as_bytes());
        let hash: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(entry["hash"], hash.as_str(), "entry {}", entry["seq"]);
        previous = hash;
    }
    let verified = app.as_user("reader").verify_moderation_log().await;
    verified.assert_status(200);
    assert_eq!(
        verified.json,
        json!({"valid": true, "entries": 9, "head": previous, "first_invalid_seq": null})
    );
    app.as_user("reader")
        .moderation_log("cursor=bm90LWEtY3Vyc29y.AAAA")
        .await
        .assert_problem(400, "bad_request");
}

#[tokio::test]
async fn the_log_refuses_edits_and_the_chain_shows_one_made_behind_its_back() {
    let app = TestApp::with_reader().await;
    let boss = app.as_user("boss");
    for name in ["One", "Two", "Three"] {
        let id = app
            .item(ItemKind::Skill, name)
            .versions(&["1.0.0"])
            .insert()
            .await;
        boss.feature(id, true).await.assert_status(200);
    }
    for statement in [
        "UPDATE moderation_log SET entry = entry WHERE seq = 2",
        "DELETE FROM moderation_log WHERE seq = 3",
        "TRUNCATE moderation_log",
    ] {
        let refused = app.db.execute(statement, &[]).await.expect_err(statement);
        assert_eq!(
            refused.code(),
            Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{statement}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM moderation_log").await, 3);

    // Only by switching the guard off, as the tables' owner can, does an edit get in: the chain shows it.
    app.exec(
        "ALTER TABLE moderation_log DISABLE TRIGGER moderation_log_append_only;
         UPDATE moderation_log SET entry = jsonb_set(entry, '{action}', '\"unfeature\"') WHERE seq = 2;
         ALTER TABLE moderation_log ENABLE TRIGGER moderation_log_append_only;",
    )
    .await;
    let verified = app.as_user("reader").verify_moderation_log().await;
    verified.assert_status(200);
    assert_eq!(verified.json["valid"], false);
    assert_eq!(verified.json["first_invalid_seq"], 2);

    app.exec(
        "ALTER TABLE moderation_log DISABLE TRIGGER moderation_log_append_only;
         DELETE FROM moderation_log WHERE seq = 2;
         ALTER TABLE moderation_log ENABLE TRIGGER moderation_log_append_only;",
    )
    .await;
    let verified = app.as_user("reader").verify_moderation_log().await;
    assert_eq!(
        verified.json["valid"], false,
        "a missing entry breaks the chain"
    );
    assert_eq!(verified.json["first_invalid_seq"], 3);
}
