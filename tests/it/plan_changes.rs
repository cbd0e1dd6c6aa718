//! An install reads its plan before it holds its lanes, and writes everything in one statement once it does.
//! What changed meanwhile (a name taken, a dependency's copy made) undoes that statement, and a lane held by
//! another install makes it give way; the install then runs as a transaction that reads its plan under the
//! lanes: the answer is the one the workspace has now, and nothing is counted twice.

use std::time::Duration;

use harness::*;

use crate::install_plans::metrics;
use crate::viral::other_session;

/// Runs `change` in a transaction of another session, holding `lane` (a listing's lane in `workspace`) first
/// when given, and commits only once `install` waits on a lock: the install read its plan before the change
/// and writes after it. A lane held is let go with no lane left behind (as a transaction that made the lane
/// and then let it go would), so the install is still the workspace's first of the listing.
async fn change_while_waiting<T>(
    app: &TestApp,
    workspace: uuid::Uuid,
    lane: Option<i64>,
    change: &str,
    install: impl std::future::Future<Output = T>,
) -> T {
    let held = other_session(app).await;
    let hold = lane.map_or(String::new(), |listing| {
        format!(
            "SELECT marketplace_lock_lanes('{workspace}', ARRAY[{listing}::bigint], ARRAY[true]);"
        )
    });
    held.batch_execute(&format!("BEGIN; {hold} {change}"))
        .await
        .unwrap();
    let release = async {
        let waiting = "SELECT count(*) FROM pg_stat_activity
                       WHERE wait_event_type = 'Lock' AND query LIKE '%marketplace_lock_%'";
        for _ in 0..500 {
            if app.count(waiting).await > 0 {
                let unlane = lane.map_or(String::new(), |listing| {
                    format!(
                        "DELETE FROM marketplace_install_workspaces
                         WHERE item_id = {listing} AND workspace_id = '{workspace}';"
                    )
                });
                held.batch_execute(&format!("{unlane} COMMIT"))
                    .await
                    .unwrap();
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the install never waited");
    };
    let (response, ()) = futures::join!(install, release);
    response
}

#[tokio::test]
async fn a_name_taken_while_an_install_waits_gives_its_copy_the_next_free_name() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let skill = app.item(ItemKind::Skill, "Summarizer").insert().await;
    let own = app
        .item(ItemKind::Skill, "Own skill")
        .in_workspace(acme)
        .insert()
        .await;

    // The rename is not committed when the install reads its names; the install's one statement then waits
    // on the name, finds it taken, undoes itself, and the transaction names the copy anew.
    let response = change_while_waiting(
        &app,
        acme,
        None,
        &format!("UPDATE skills SET name = 'Summarizer' WHERE id = {own}"),
        app.as_user("acme-editor").in_workspace(acme).install(skill),
    )
    .await;
    response.assert_status(201);
    let install = response.body::<Install>();
    assert_eq!(
        install.installed.name, "Summarizer-copy",
        "the name read with the plan was taken while the install waited"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM skills WHERE cloned_from_id = {skill} AND workspace_id = '{acme}'"
        ))
        .await,
        1,
        "one copy: the statement that found the name taken made none"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1
    );
    assert_eq!(metrics(&app, "skills", skill).await, (1, 1, 1));
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_pending_counts")
            .await,
        0
    );
}

#[tokio::test]
async fn a_dependency_copied_while_an_install_waits_is_reused_not_cloned_again() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let llm = app.item(ItemKind::Llm, "fast-1").insert().await;
    let agent = app
        .item(ItemKind::Agent, "Bot")
        .set("model_config", json!({"model": "fast-1"}))
        .insert()
        .await;
    let own = app
        .item(ItemKind::Llm, "Own model")
        .in_workspace(acme)
        .insert()
        .await;

    // The workspace gets a copy of the LLM (as an install of it alone would make, holding the LLM's lane)
    // while the agent's install waits on that lane: it planned to clone the LLM.
    let response = change_while_waiting(
        &app,
        acme,
        Some(llm),
        &format!("UPDATE llm_models SET cloned_from_id = {llm} WHERE id = {own}"),
        app.as_user("acme-editor").in_workspace(acme).install(agent),
    )
    .await;
    response.assert_status(201);
    let install = response.body::<Install>();
    assert_eq!(install.dependencies.len(), 1, "{}", response.text);
    assert_eq!(install.dependencies[0].action, "reuse", "{}", response.text);
    assert_eq!(install.dependencies[0].installed.id, own);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM llm_models WHERE cloned_from_id = {llm}"
        ))
        .await,
        1,
        "the LLM was not cloned a second time"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM marketplace_installs").await,
        1,
        "the agent's record only"
    );
    assert_eq!(metrics(&app, "agents", agent).await, (1, 1, 1));
    assert_eq!(metrics(&app, "llm_models", llm).await, (0, 0, 0));
}

#[tokio::test]
async fn a_key_recorded_by_another_install_meanwhile_undoes_the_copy_and_refuses_the_reuse() {
    let app = TestApp::new().await;
    let acme = app.workspace_with_members("acme").await;
    let first = app.item(ItemKind::Skill, "First").insert().await;
    let second = app.item(ItemKind::Skill, "Second").insert().await;
    let editor: i64 = app
        .count("SELECT id FROM users WHERE auth_subject = 'acme-editor'")
        .await;

    // Another install of `first` with the key is recording it, not yet committed, when the install of
    // `second` with the same key reads its replay (none yet): its one statement makes the copy, then waits
    // on the key, finds it recorded and undoes itself; the key then answers for the other request.
    let response = change_while_waiting(
        &app,
        acme,
        None,
        &format!(
            "INSERT INTO marketplace_installs (item_id, item_kind, workspace_id, user_id, installed_item_id,
                                               installed_version, content_hash, idempotency_key, response)
             VALUES ({first}, 'skill', '{acme}', {editor}, 0, '1.0.0', 'h', 'once', '{{}}')"
        ),
        app.as_user("acme-editor")
            .in_workspace(acme)
            .call("POST", &format!("/items/{second}/install"))
            .header("idempotency-key", "once")
            .send(),
    )
    .await;
    response.assert_problem(422, "idempotency_key_reused");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM skills WHERE cloned_from_id = {second}"
        ))
        .await,
        0,
        "the copy went with the statement"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM marketplace_installs WHERE item_id = {second}"
        ))
        .await,
        0
    );
    assert_eq!(metrics(&app, "skills", second).await, (0, 0, 0));
}
