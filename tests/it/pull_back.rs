//! Pulling back what turned out bad: withdrawing a version before review, yanking and un-yanking, revoking
//! with advisories for what is installed, and a publisher's view of their submissions.

use harness::{ItemKind, TestApp, TestResponse};
use serde_json::{json, Value};
use uuid::Uuid;

/// A publisher's workspace with a skill listed at 1.0.0 (content "one"), an installer's workspace, an admin.
struct Market {
    app: TestApp,
    publisher: Uuid,
    installer: Uuid,
    source: i64,
    listing: i64,
}

async fn market() -> Market {
    let app = TestApp::new().await;
    let publisher = app.workspace_with_members("pub").await;
    let installer = app.workspace_with_members("ins").await;
    app.admin("boss").await;
    let source = app
        .item(ItemKind::Skill, "Tone Guide")
        .set("content", "one")
        .in_workspace(publisher)
        .insert()
        .await;
    let submitted = app
        .as_user("pub-editor")
        .in_workspace(publisher)
        .submit(&json!({"item_type": "skill", "item_id": source, "version": "1.0.0"}))
        .await;
    submitted.assert_status(201);
    let listing = submitted.json["item_id"].as_i64().unwrap();
    app.as_user("boss")
        .approve(listing, None)
        .await
        .assert_status(200);
    Market {
        app,
        publisher,
        installer,
        source,
        listing,
    }
}

impl Market {
    fn publisher(&self) -> harness::Client<'_> {
        self.app.as_user("pub-editor").in_workspace(self.publisher)
    }

    fn installer(&self) -> harness::Client<'_> {
        self.app.as_user("ins-editor").in_workspace(self.installer)
    }

    /// Publishes `version` with the source's content set to `content`; approves it when `approve`.
    async fn release(&self, version: &str, content: &str, approve: bool) {
        self.app
            .exec(&format!(
                "UPDATE skills SET content = '{content}' WHERE id = {}",
                self.source
            ))
            .await;
        self.publisher()
            .publish_version(
                self.listing,
                &json!({"version": version, "changelog": version}),
            )
            .await
            .assert_status(201);
        if approve {
            self.app
                .as_user("boss")
                .approve(self.listing, None)
                .await
                .assert_status(200);
        }
    }

    /// Installs the listing into the installer's workspace: (install id, copy id, installed version).
    async fn install(&self) -> (i64, i64, String) {
        let installed = self.installer().install(self.listing).await;
        installed.assert_status(201);
        let body = &installed.json;
        (
            body["install_id"].as_i64().unwrap(),
            body["installed"]["id"].as_i64().unwrap(),
            body["version"].as_str().unwrap().to_owned(),
        )
    }

    async fn copy_content(&self, copy: i64) -> String {
        self.app
            .db
            .query_one("SELECT content FROM skills WHERE id = $1", &[&copy])
            .await
            .unwrap()
            .get(0)
    }

    async fn versions(&self) -> Vec<Value> {
        let response = self.installer().versions(self.listing).await;
        response.assert_status(200);
        response.json["versions"].as_array().unwrap().clone()
    }

    async fn updates(&self) -> Vec<Value> {
        let response = self.installer().updates("").await;
        response.assert_status(200);
        response.json["updates"].as_array().unwrap().clone()
    }
}

fn statuses(response: &TestResponse) -> Vec<(String, String)> {
    response.json["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["version"].as_str().unwrap().to_owned(),
                entry["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_withdrawn_version_cannot_be_approved_and_publishers_see_where_each_submission_stands() {
    let m = market().await;
    m.release("1.1.0", "two", false).await;
    let boss = m.app.as_user("boss");
    m.app
        .as_user("pub-viewer")
        .in_workspace(m.publisher)
        .withdraw(m.listing, "1.1.0")
        .await
        .assert_problem(403, "forbidden");
    m.installer()
        .withdraw(m.listing, "1.1.0")
        .await
        .assert_problem(403, "forbidden");
    m.publisher()
        .withdraw(m.listing, "1.0.0")
        .await
        .assert_problem(409, "conflict");
    m.publisher()
        .withdraw(m.listing, "3.0.0")
        .await
        .assert_problem(404, "not_found");
    m.publisher()
        .withdraw(m.listing, "1.x")
        .await
        .assert_problem(400, "bad_request");
    m.publisher()
        .withdraw(m.listing, "1.1.0")
        .await
        .assert_status(204);
    m.publisher()
        .withdraw(m.listing, "1.1.0")
        .await
        .assert_status(204);
    boss.approve(m.listing, None).await.assert_status(200);
    assert_eq!(
        m.versions().await.len(),
        1,
        "approving with nothing pending changed nothing"
    );
    m.release("1.2.0", "three", false).await;
    boss.reject(m.listing, &json!({"reason": "Tone is off."}))
        .await
        .assert_status(200);

    let all = m.publisher().submissions("").await;
    all.assert_status(200);
    assert_eq!(
        statuses(&all),
        [
            ("1.2.0".into(), "rejected".into()),
            ("1.1.0".into(), "withdrawn".into()),
            ("1.0.0".into(), "approved".into())
        ]
    );
    let newest = &all.json["submissions"][0];
    assert_eq!(newest["reason"], "Tone is off.");
    assert_eq!(newest["kind"], "new_version");
    assert_eq!(newest["name"], "Tone Guide");
    assert!(newest["reviewed_at"].is_string());
    assert_eq!(all.json["submissions"][2]["kind"], "new_item");
    assert_eq!(all.json["submissions"][2]["reason"], Value::Null);

    let first = m.publisher().submissions("limit=2").await;
    assert_eq!(statuses(&first).len(), 2);
    let cursor = first.json["next_cursor"].as_str().unwrap().to_owned();
    let rest = m
        .publisher()
        .submissions(&format!("limit=2&cursor={cursor}"))
        .await;
    assert_eq!(statuses(&rest), [("1.0.0".into(), "approved".into())]);
    assert_eq!(rest.json["next_cursor"], Value::Null);
    m.installer()
        .submissions(&format!("cursor={cursor}"))
        .await
        .assert_problem(400, "bad_request");
    let elsewhere = m.installer().submissions("").await;
    assert_eq!(statuses(&elsewhere), [], "another workspace's submissions");
}

#[tokio::test]
async fn a_yanked_latest_version_is_skipped_by_install_and_by_update_detection() {
    let m = market().await;
    let (_, first_copy, _) = m.install().await;
    m.release("1.1.0", "two", true).await;
    assert_eq!(m.updates().await.len(), 1);

    m.installer()
        .yank(m.listing, "1.1.0", "Breaks tone")
        .await
        .assert_problem(403, "forbidden");
    m.app
        .as_user("ins-editor")
        .yank(m.listing, "1.1.0", "Breaks tone")
        .await
        .assert_problem(403, "forbidden");
    let yanked = m.publisher().yank(m.listing, "1.1.0", "Breaks tone").await;
    yanked.assert_status(200);
    assert_eq!(yanked.json["live_version"], "1.0.0");
    assert_eq!(yanked.json["yanked"]["reason"], "Breaks tone");
    assert_eq!(yanked.json["revoked"], Value::Null);

    let versions = m.versions().await;
    assert_eq!(versions[0]["version"], "1.1.0");
    assert_eq!(versions[0]["yanked"]["reason"], "Breaks tone");
    assert_eq!(versions[1]["yanked"], Value::Null);
    assert!(
        m.updates().await.is_empty(),
        "a yanked version is no update"
    );
    let (_, copy, version) = m.install().await;
    assert_eq!(version, "1.0.0");
    assert_eq!(m.copy_content(copy).await, "one");
    assert_eq!(m.copy_content(first_copy).await, "one");

    // An admin need not belong to the workspace it names.
    let again = m
        .app
        .as_user("boss")
        .in_workspace(m.installer)
        .yank(m.listing, "1.1.0", "Other")
        .await;
    again.assert_status(200);
    assert_eq!(
        again.json["yanked"], yanked.json["yanked"],
        "the first yank stays"
    );
    let back = m.publisher().unyank(m.listing, "1.1.0").await;
    back.assert_status(200);
    assert_eq!(back.json["live_version"], "1.1.0");
    assert_eq!(back.json["yanked"], Value::Null);
    assert_eq!(m.updates().await.len(), 2, "both installs at 1.0.0");

    for version in ["1.1.0", "1.0.0"] {
        m.publisher()
            .yank(m.listing, version, "Withdrawn from use")
            .await
            .assert_status(200);
    }
    assert!(m.updates().await.is_empty());
    m.installer()
        .install(m.listing)
        .await
        .assert_problem(409, "no_installable_version");
    m.installer()
        .install_plan(m.listing)
        .await
        .assert_problem(409, "no_installable_version");
    m.release("1.2.0", "three", false).await;
    m.publisher()
        .yank(m.listing, "1.2.0", "Not yet")
        .await
        .assert_problem(409, "conflict");
}

#[tokio::test]
async fn a_revoked_version_carries_an_advisory_with_its_fix_and_critical_copies_are_marked() {
    let m = market().await;
    let (install_id, copy, _) = m.install().await;
    let boss = m.app.as_user("boss");
    m.publisher()
        .revoke(m.listing, &json!({"reason": "x", "severity": "low"}))
        .await
        .assert_problem(403, "forbidden");
    boss.revoke(
        m.listing,
        &json!({"reason": "x", "severity": "low", "versions": ["9.9.9"]}),
    )
    .await
    .assert_problem(409, "conflict");
    boss.revoke(m.listing, &json!({"reason": "x", "severity": "dire"}))
        .await
        .assert_problem(400, "bad_request");

    let revoked = boss
        .revoke(
            m.listing,
            &json!({"reason": "Sends prompts to a third party", "severity": "critical",
                    "versions": ["1.0.0", "1.0.0"]}),
        )
        .await;
    revoked.assert_status(200);
    assert_eq!(revoked.json["affected_installs"], 1);
    assert_eq!(revoked.json["live_version"], Value::Null);
    assert_eq!(revoked.json["revoked"][0]["severity"], "critical");
    assert_eq!(
        revoked.json["revoked"].as_array().unwrap().len(),
        1,
        "a version named twice is revoked once"
    );
    assert_eq!(
        m.app
            .count("SELECT count(*) FROM moderation_log WHERE entry ->> 'action' = 'revoke'")
            .await,
        1
    );
    let marked: bool = m
        .app
        .db
        .query_one(
            "SELECT marketplace_revoked_at IS NOT NULL FROM skills WHERE id = $1",
            &[&copy],
        )
        .await
        .unwrap()
        .get(0);
    assert!(marked, "a critical revocation marks the installed copy");
    m.installer()
        .install(m.listing)
        .await
        .assert_problem(409, "no_installable_version");

    let advisory = |fixed_in: Value| {
        json!([{"severity": "critical", "reason": "Sends prompts to a third party",
                "at": revoked.json["revoked"][0]["at"], "fixed_in": fixed_in}])
    };
    let installs = m.installer().installs("").await;
    assert_eq!(
        installs.json["installs"][0]["advisories"],
        advisory(Value::Null)
    );

    m.release("1.1.0", "two", true).await;
    let installs = m.installer().installs("").await;
    assert_eq!(
        installs.json["installs"][0]["advisories"],
        advisory(json!("1.1.0"))
    );
    let updates = m.updates().await;
    assert_eq!(updates[0]["advisories"], advisory(json!("1.1.0")));
    let listed = m.installer().advisories("").await;
    listed.assert_status(200);
    assert_eq!(listed.json["advisories"][0]["install_id"], install_id);
    assert_eq!(listed.json["advisories"][0]["fixed_in"], "1.1.0");
    assert_eq!(listed.json["advisories"][0]["copy"]["id"], copy);
    assert_eq!(
        m.publisher().advisories("").await.json["advisories"],
        json!([])
    );

    m.installer()
        .apply_update(install_id, None)
        .await
        .assert_status(200);
    let marked: bool = m
        .app
        .db
        .query_one(
            "SELECT marketplace_revoked_at IS NOT NULL FROM skills WHERE id = $1",
            &[&copy],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!marked, "updating to the fix clears the mark");
    assert_eq!(
        m.installer().advisories("").await.json["advisories"],
        json!([])
    );
}

#[tokio::test]
async fn advisories_list_the_most_severe_first_a_page_at_a_time() {
    let app = TestApp::new().await;
    let installer = app.workspace_with_members("ins").await;
    app.admin("boss").await;
    let mut listings = Vec::new();
    for name in ["Low One", "High One", "Medium One"] {
        let id = app
            .item(ItemKind::Skill, name)
            .versions(&["1.0.0"])
            .insert()
            .await;
        app.as_user("ins-editor")
            .in_workspace(installer)
            .install(id)
            .await
            .assert_status(201);
        listings.push(id);
    }
    for (id, severity) in listings.iter().zip(["low", "high", "medium"]) {
        app.as_user("boss")
            .revoke(
                *id,
                &json!({"reason": format!("{severity} risk"), "severity": severity}),
            )
            .await
            .assert_status(200);
    }
    let client = app.as_user("ins-viewer").in_workspace(installer);
    let first = client.advisories("limit=2").await;
    first.assert_status(200);
    let severities = |page: &TestResponse| -> Vec<String> {
        page.json["advisories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry["severity"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(severities(&first), ["high", "medium"]);
    let cursor = first.json["next_cursor"].as_str().unwrap();
    let second = client.advisories(&format!("limit=2&cursor={cursor}")).await;
    assert_eq!(severities(&second), ["low"]);
    assert_eq!(second.json["next_cursor"], Value::Null);
    assert_eq!(second.json["advisories"][0]["item"]["name"], "Low One");
}
