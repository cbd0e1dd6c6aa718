//! A read's statements are built for the caller the function instance saw last under the token's subject, and
//! its first statement checks that caller in the same round trip. A change (admin granted or revoked, a
//! membership ended) is found there: the read runs again for the caller found, and nothing read for the
//! stale caller is ever answered.

use std::future::Future;

use harness::*;
use marketplace_http::Config;

async fn counted(
    proxy: &FaultProxy,
    request: impl Future<Output = TestResponse>,
) -> (u64, TestResponse) {
    let before = proxy.stats().round_trips;
    let response = request.await;
    (proxy.stats().round_trips - before, response)
}

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
    let (trips, first) = counted(&proxy, editor.item(pending)).await;
    first.assert_status(404);
    assert_eq!(trips, 2, "an unseen subject is looked up first");
    let (trips, again) = counted(&proxy, editor.item(pending)).await;
    again.assert_status(404);
    assert_eq!(trips, 1, "a seen caller is checked on the read itself");

    // Granted admin: the next read is built for a member, finds an admin, and reads again as one.
    app.exec("UPDATE users SET system_role = 'admin' WHERE auth_subject = 'acme-editor'")
        .await;
    let (trips, granted) = counted(&proxy, editor.item(pending)).await;
    granted.assert_status(200);
    assert_eq!(trips, 2, "the check, then the read for the caller found");
    let (trips, queue) = counted(&proxy, editor.queue("")).await;
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
