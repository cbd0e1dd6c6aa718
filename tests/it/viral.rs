//! A viral listing: installs of one listing into different workspaces never wait for each other, and the
//! counters every install moves are folded after commit yet exact whenever a request has answered.

use std::time::Duration;

use futures::future::join_all;
use harness::*;

use crate::install_plans::metrics;

/// A second session of the test database, for holding locks the way a request in progress would.
pub(crate) async fn other_session(app: &TestApp) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&app.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

#[tokio::test]
async fn an_install_in_progress_holds_up_its_own_workspace_only_and_never_the_listing_row() {
    let app = TestApp::new().await;
    let skill = app.item(ItemKind::Skill, "Viral").insert().await;
    let acme = app.workspace_with_members("acme").await;
    let beta = app.workspace_with_members("beta").await;

    // An install into acme in progress: it holds acme's lane of the listing until it ends (here it fails and
    // rolls back).
    let held = other_session(&app).await;
    held.batch_execute(&format!(
        "BEGIN; SELECT marketplace_lock_lanes('{acme}', ARRAY[{skill}::bigint], ARRAY[true])"
    ))
    .await
    .unwrap();

    let into_beta = tokio::time::timeout(
        Duration::from_secs(5),
        app.as_user("beta-editor").in_workspace(beta).install(skill),
    )
    .await
    .expect("an install into another workspace does not wait");
    into_beta.assert_status(201);

    let into_acme = app.as_user("acme-editor").in_workspace(acme).install(skill);
    tokio::pin!(into_acme);
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut into_acme)
            .await
            .is_err(),
        "a second install into the same workspace queues on the lane"
    );
    // While that install waits inside its transaction, the listing's row is free: an admin's write to it
    // does not wait.
    let admin = other_session(&app).await;
    admin
        .batch_execute(&format!(
            "SET lock_timeout = '1s'; UPDATE skills SET description = 'Edited' WHERE id = {skill}"
        ))
        .await
        .expect("the listing row is not held by an install");
    held.batch_execute("ROLLBACK").await.unwrap();
    into_acme.await.assert_status(201);

    assert_eq!(metrics(&app, "skills", skill).await, (2, 2, 2));
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_pending_counts")
            .await,
        0
    );
}

#[tokio::test]
async fn sixteen_concurrent_installs_of_an_agent_and_its_llm_count_exactly() {
    let app = TestApp::new().await;
    let llm = app.item(ItemKind::Llm, "fast-1").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Viral Bot")
        .category("Support")
        .set("model_config", json!({"model": "fast-1"}))
        .insert()
        .await;
    let mut workspaces = Vec::new();
    for n in 0..16 {
        workspaces.push(app.workspace_with_members(&format!("w{n}")).await);
    }
    let installs = workspaces.iter().enumerate().map(|(n, workspace)| {
        app.as_user(&format!("w{n}-editor"))
            .in_workspace(*workspace)
            .install(agent)
    });
    for response in join_all(installs).await {
        response.assert_status(201);
        let install = response.body::<Install>();
        assert_eq!(install.dependencies.len(), 1, "{}", response.text);
    }

    assert_eq!(metrics(&app, "agents", agent).await, (16, 16, 16));
    assert_eq!(metrics(&app, "llm_models", llm).await, (16, 16, 16));
    assert_eq!(
        app.count(&format!(
            "SELECT trending_installs::bigint FROM agents WHERE id = {agent}"
        ))
        .await,
        16
    );
    assert_eq!(
        app.count(&format!(
            "SELECT coalesce(sum(workspaces), 0) FROM trending_days WHERE item_id = {agent}"
        ))
        .await,
        16
    );
    assert_eq!(
        app.count(
            "SELECT installs FROM marketplace_counts
             WHERE kind = 'agent' AND category_key = 'support' AND is_approved"
        )
        .await,
        16
    );
    let stats = app.as_user("w0-viewer").stats().await;
    stats.assert_status(200);
    assert_eq!(stats.json["active_installs"], json!(32), "{}", stats.text);
    assert_eq!(stats.json["workspace_count"], json!(16), "{}", stats.text);
    // The totals were not one row all 16 committed through: each transaction added to the shard its id picked.
    assert!(
        app.count("SELECT count(*) FROM marketplace_install_total_shards WHERE workspaces > 0")
            .await
            > 1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_pending_counts")
            .await,
        0
    );
}

/// The state a request leaves when it dies between its commit and its fold: the install recorded, its counts
/// pending.
async fn leave_pending(app: &TestApp, table: &str, kind: &str, listing: i64, age_secs: i64) {
    app.exec(&format!(
        "UPDATE {table} SET install_count = install_count - 1, active_installs = active_installs - 1,
                            workspace_count = workspace_count - 1
         WHERE id = {listing};
         INSERT INTO marketplace_pending_counts (item_id, item_kind, installs, active, workspaces, recorded_at)
         VALUES ({listing}, '{kind}', 1, 1, 1, now() - interval '{age_secs} seconds')"
    ))
    .await;
}

#[tokio::test]
async fn counts_a_dead_request_left_pending_are_folded_before_an_uninstall_and_by_later_folds() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Left").insert().await;
    let other = app.item(ItemKind::Skill, "Other").insert().await;
    let third = app.item(ItemKind::Skill, "Third").insert().await;
    let editor = app.as_user("acme-editor").in_workspace(acme);

    let installed = editor.install(skill).await;
    installed.assert_status(201);
    leave_pending(&app, "skills", "skill", skill, 0).await;
    assert_eq!(metrics(&app, "skills", skill).await, (0, 0, 0));
    // The uninstall's copy deletion folds the install's pending counts before it takes the copy out of
    // active_installs: active_installs would otherwise stay at 0 and then become 1 for a deleted copy.
    editor
        .uninstall(installed.body::<Install>().install_id, "")
        .await
        .assert_status(204);
    assert_eq!(metrics(&app, "skills", skill).await, (1, 0, 1));

    // A pending row a few seconds old is taken along by any fold, whatever its listing.
    editor.install(other).await.assert_status(201);
    leave_pending(&app, "skills", "skill", other, 10).await;
    assert_eq!(metrics(&app, "skills", other).await, (0, 0, 0));
    editor.install(third).await.assert_status(201);
    assert_eq!(metrics(&app, "skills", other).await, (1, 1, 1));
    assert_eq!(metrics(&app, "skills", third).await, (1, 1, 1));

    // And the repair folds whatever is left before it recomputes, so nothing is counted twice.
    leave_pending(&app, "skills", "skill", third, 0).await;
    app.exec("SELECT marketplace_install_metrics_repair()")
        .await;
    assert_eq!(metrics(&app, "skills", third).await, (1, 1, 1));
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_pending_counts")
            .await,
        0
    );
}
