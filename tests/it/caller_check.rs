//! A read's statements are built for the caller the function instance saw last under the token's subject, and
//! its first statement checks that caller in the same round trip. A change (admin granted or revoked, a
//! membership ended) is found there: the read runs again for the caller found, and nothing read for the
//! stale caller is ever answered.

use harness::*;
use marketplace_http::Config;

#[tokio::test]
async fn a_read_built_for_a_stale_caller_is_read_again_for_the_caller_found() {
    let (app, proxy) =
        TestApp::behind_proxy(Config::default(), PoolSettings::LAMBDA.with_max_size(1)).await;
    let acme = app.workspace_with_members("acme").await;
    let pending = app
        .item(ItemKind::Skill, "Pending Tone")
        .unapproved()
        .insert()
        .await;
    let editor = app.as_user("acme-editor").in_workspace(acme);

    // First sighting: looked up on its own, then read.
    let (trips, first) = proxy.counting(editor.item(pending)).await;
    first.assert_status(404);
    assert_eq!(trips, 2, "an unseen subject is looked up first");
    let (trips, again) = proxy.counting(editor.item(pending)).await;
    again.assert_status(404);
    assert_eq!(trips, 1, "a seen caller is checked on the read itself");

    // Granted admin: the next read is built for a member, finds an admin, and reads again as one.
    app.exec("UPDATE users SET system_role = 'admin' WHERE auth_subject = 'acme-editor'")
        .await;
    let (trips, granted) = proxy.counting(editor.item(pending)).await;
    granted.assert_status(200);
    assert_eq!(trips, 2, "the check, then the read for the caller found");
    let (trips, queue) = proxy.counting(editor.queue("")).await;
    queue.assert_status(200);
    assert_eq!(trips, 1);

    // Revoked: what was read for an admin is discarded, never answered.
    app.exec("UPDATE users SET system_role = 'user' WHERE auth_subject = 'acme-editor'")
        .await;
    editor.item(pending).await.assert_status(404);
    editor.queue("").await.assert_status(403);
    let listed = editor.list_items("").await;
    listed.assert_status(200);
    assert!(
        listed.json["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["id"] != pending),
        "a member's listing never shows an unapproved item"
    );

    // A membership ended: the workspace's reads are refused though the caller is known.
    editor.installs("").await.assert_status(200);
    app.exec(
        "DELETE FROM workspace_members WHERE user_id =
             (SELECT id FROM users WHERE auth_subject = 'acme-editor')",
    )
    .await;
    editor.installs("").await.assert_status(403);
    editor.updates("").await.assert_status(403);
    editor.install_plan(pending).await.assert_status(403);
    editor.submissions("").await.assert_status(403);
}

/// A catalog's queue and log stand behind the caller's standing in the statement the caller check wraps:
/// both wrappers mark their own rows, so an empty page is empty (not a row of the standing read as an
/// entry), and a seen outsider still reads nothing of the catalog.
#[tokio::test]
async fn a_seen_caller_reads_an_empty_catalog_page_and_a_seen_outsider_reads_nothing() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    app.workspace_with_members("beta").await;
    let owner = app.as_user("acme-owner").in_workspace(acme);
    let outsider = app.as_user("beta-owner");
    let created = owner.create_catalog("Acme internal").await;
    created.assert_status(201);
    let catalog = created.json["id"].as_i64().expect("catalog id");
    // Both are seen before they read, as by a function instance that served them already.
    owner.me().await.assert_status(200);
    outsider.me().await.assert_status(200);
    for _ in 0..2 {
        let log = owner.catalog_log(catalog, "").await;
        log.assert_status(200);
        assert_eq!(log.json["entries"], json!([]));
        let queue = owner.catalog_queue(catalog, "").await;
        queue.assert_status(200);
        assert_eq!(queue.json["items"], json!([]));
        assert_eq!(queue.json["total"], 0);
        outsider.catalog_log(catalog, "").await.assert_status(404);
        outsider.catalog_queue(catalog, "").await.assert_status(404);
    }
    let member = app.as_user("acme-viewer");
    member.me().await.assert_status(200);
    member.catalog_log(catalog, "").await.assert_status(200);
    member.catalog_queue(catalog, "").await.assert_status(403);
}

/// An install by a caller the instance has seen carries the caller's lookup on its first statement, and goes
/// on only for that caller with a role that may change the workspace: a caller demoted or removed since is
/// refused as a first request would be, with nothing written.
#[tokio::test]
async fn an_install_by_a_seen_caller_is_confirmed_by_its_first_statement_before_anything_is_written(
) {
    let (app, proxy) =
        TestApp::behind_proxy(Config::default(), PoolSettings::LAMBDA.with_max_size(1)).await;
    let acme = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Tone").insert().await;
    let other = app.item(ItemKind::Skill, "Style").insert().await;
    let editor = app.as_user("acme-editor").in_workspace(acme);
    let written = || async {
        app.count(&format!(
            "SELECT (SELECT count(*) FROM marketplace_installs WHERE workspace_id = '{acme}')
                  + (SELECT count(*) FROM skills WHERE workspace_id = '{acme}')"
        ))
        .await
    };

    // Unseen: looked up on its own first, as every workspace route does. (Each is the workspace's first
    // install of its listing; those make the same statements otherwise.)
    let (unseen, installed) = proxy.counting(editor.install_without_consent(skill)).await;
    installed.assert_status(201);
    let (seen, installed) = proxy.counting(editor.install_without_consent(other)).await;
    installed.assert_status(201);
    assert_eq!(
        seen + 1,
        unseen,
        "a seen caller is confirmed by the install itself"
    );
    let before = written().await;

    app.exec(&format!(
        "UPDATE workspace_members SET role = 'viewer' WHERE workspace_id = '{acme}'
             AND user_id = (SELECT id FROM users WHERE auth_subject = 'acme-editor')"
    ))
    .await;
    editor
        .install_without_consent(skill)
        .await
        .assert_status(403);
    assert_eq!(written().await, before, "a demoted caller writes nothing");

    app.exec(&format!(
        "DELETE FROM workspace_members WHERE workspace_id = '{acme}'
             AND user_id = (SELECT id FROM users WHERE auth_subject = 'acme-editor')"
    ))
    .await;
    editor
        .install_without_consent(skill)
        .await
        .assert_status(403);
    assert_eq!(written().await, before, "a removed caller writes nothing");

    // Seen, but not a member at all: refused, not told whether the listing exists.
    let outsider = app.as_user("beta-owner");
    app.workspace_with_members("beta").await;
    outsider.me().await.assert_status(200);
    let outsider = outsider.in_workspace(acme);
    outsider
        .install_without_consent(skill)
        .await
        .assert_status(403);
    outsider
        .install_without_consent(skill + 1_000_000)
        .await
        .assert_status(403);
    assert_eq!(written().await, before);
}
