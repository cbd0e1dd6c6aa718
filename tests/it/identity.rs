//! Where users, admins, workspaces and members come from on a fresh deployment: users made on first use,
//! the first admin granted through the migrate function, workspaces and members synced by the platform.

use futures::future::join_all;
use harness::*;
use marketplace_db::pool_from_url;

const ME: &str = "/api/marketplace/me";

#[tokio::test]
async fn a_never_seen_subject_becomes_a_user_once_named_by_its_claims_never_its_email() {
    let app = TestApp::new().await;
    let responses = join_all((0..8).map(|_| {
        app.get(ME)
            .as_user("idp|new-person")
            .claim("email", "new.person@example.com")
            .claim("preferred_username", "newbie")
            .claim("name", "New Person")
            .send()
    }))
    .await;
    for response in &responses {
        response.assert_status(200);
    }
    let me = &responses[0].json;
    assert_eq!(me["display_name"], "New Person");
    assert_eq!(me["is_admin"], false);
    assert_eq!(me["workspaces"], json!([]));
    assert!(!responses[0].text.contains("example.com"));
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE auth_subject = 'idp|new-person'")
            .await,
        1,
        "concurrent first requests make one user"
    );
    // Without a name claim: the username; with only an e-mail: a neutral name.
    let nick = app
        .get(ME)
        .as_user("idp|nick")
        .claim("nickname", "nicky")
        .send()
        .await;
    assert_eq!(nick.json["display_name"], "nicky");
    let mail_only = app
        .get(ME)
        .as_user("idp|mail")
        .claim("name", "someone@example.com")
        .send()
        .await;
    assert_eq!(mail_only.json["display_name"], "New user");

    // A provisioned user with no workspace browses; installing needs a workspace they belong to.
    let item = app.item(ItemKind::Skill, "Tone").insert().await;
    app.as_user("idp|new-person")
        .list_items("")
        .await
        .assert_status(200);
    let elsewhere = app.workspace_with_members("acme").await;
    app.as_user("idp|new-person")
        .in_workspace(elsewhere)
        .install(item)
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn the_first_admin_is_granted_through_the_migrate_function_and_logged() {
    let app = TestApp::new().await;
    let pool = pool_from_url(&app.url, PoolSettings::LAMBDA).unwrap();
    let report = migrate::handle(&pool, json!({"grant_admin": "idp|ops-lead"}))
        .await
        .unwrap();
    let grant = report.admin.expect("granted");
    assert!(grant.is_admin && grant.created);
    let me = app.as_user("idp|ops-lead").me().await;
    assert_eq!(me.json["is_admin"], true);
    app.as_user("idp|ops-lead")
        .queue("")
        .await
        .assert_status(200);
    // A claim never makes an admin.
    let claimed = app
        .get(ME)
        .as_user("idp|pretender")
        .claim("system_role", "admin")
        .send()
        .await;
    assert_eq!(claimed.json["is_admin"], false);

    let revoked = migrate::handle(&pool, json!({"revoke_admin": "idp|ops-lead"}))
        .await
        .unwrap()
        .admin
        .unwrap();
    assert!(!revoked.is_admin && !revoked.created);
    app.as_user("idp|ops-lead")
        .queue("")
        .await
        .assert_problem(403, "forbidden");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM admin_actions a JOIN users u ON u.id = a.subject_user_id
             WHERE u.auth_subject = 'idp|ops-lead' AND a.admin_id IS NULL
               AND a.action IN ('grant_admin', 'revoke_admin')"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_platform_syncs_a_workspace_and_its_members_and_they_install_into_it() {
    let app = TestApp::new().await;
    let item = app.item(ItemKind::Skill, "Tone").insert().await;
    let workspace = uuid::Uuid::new_v4();
    app.db
        .execute(
            "SELECT marketplace_sync_workspace($1, 'Platform Team'),
                    marketplace_sync_member($1, 'idp|lead', 'owner', 'Team Lead'),
                    marketplace_sync_member($1, 'idp|guest', 'viewer')",
            &[&workspace],
        )
        .await
        .unwrap();
    let me = app.as_user("idp|lead").me().await;
    assert_eq!(me.json["display_name"], "Team Lead");
    assert_eq!(
        me.json["workspaces"],
        json!([{"id": workspace, "name": "Platform Team", "role": "owner"}])
    );
    app.as_user("idp|lead")
        .in_workspace(workspace)
        .install(item)
        .await
        .assert_status(201);
    app.as_user("idp|guest")
        .in_workspace(workspace)
        .install(item)
        .await
        .assert_problem(403, "forbidden");
    app.db
        .execute(
            "SELECT marketplace_remove_member($1, 'idp|lead')",
            &[&workspace],
        )
        .await
        .unwrap();
    app.as_user("idp|lead")
        .in_workspace(workspace)
        .installs("")
        .await
        .assert_problem(403, "forbidden");
}
