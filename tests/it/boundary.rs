//! The typed database boundary: domain types read from and written to the real schema, and a value the
//! domain cannot represent is a 500, never a default.

use harness::*;
use marketplace_catalog::{ReviewStatus, Version, WorkspaceRole};
use tokio_postgres::types::Type;

#[tokio::test]
async fn domains_over_text_read_as_text() {
    let app = TestApp::new().await;
    let row = app
        .db
        .query_one(
            "SELECT 'llm'::item_kind AS kind, '1.10.0-rc.1+b7'::semver AS version",
            &[],
        )
        .await
        .unwrap();
    for column in row.columns() {
        assert_eq!(
            column.type_(),
            &Type::TEXT,
            "{} describes as text",
            column.name()
        );
    }
    assert_eq!(row.get::<_, ItemKind>("kind"), ItemKind::Llm);
    assert_eq!(
        row.get::<_, Version>("version").to_string(),
        "1.10.0-rc.1+b7"
    );
}

#[tokio::test]
async fn domain_types_bind_as_text_parameters() {
    let app = TestApp::new().await;
    let version = Version::parse("2.0.0").unwrap();
    let row = app
        .db
        .query_typed_one(
            "SELECT $1::item_kind AS kind, $2::semver AS version, $3 AS role, $4 AS status",
            &[
                (&ItemKind::Recipe, Type::TEXT),
                (&version, Type::TEXT),
                (&WorkspaceRole::Editor, Type::TEXT),
                (&ReviewStatus::Rejected, Type::TEXT),
            ],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>("kind"), "recipe");
    assert_eq!(row.get::<_, &str>("version"), "2.0.0");
    assert_eq!(row.get::<_, WorkspaceRole>("role"), WorkspaceRole::Editor);
    assert_eq!(row.get::<_, ReviewStatus>("status"), ReviewStatus::Rejected);
}

#[tokio::test]
async fn unknown_text_is_an_error_not_a_default() {
    let app = TestApp::new().await;
    let row = app
        .db
        .query_one(
            "SELECT 'robot' AS kind, '1.0' AS version, 'root' AS role",
            &[],
        )
        .await
        .unwrap();
    assert!(row.try_get::<_, ItemKind>("kind").is_err());
    assert!(row.try_get::<_, Version>("version").is_err());
    assert!(row.try_get::<_, WorkspaceRole>("role").is_err());
}

#[tokio::test]
async fn a_role_the_service_does_not_know_is_a_server_error() {
    let app = TestApp::new().await;
    let workspace = app.workspace_with_members("acme").await;
    app.db
        .batch_execute(
            "ALTER TABLE workspace_members DROP CONSTRAINT workspace_members_role_check;
             UPDATE workspace_members SET role = 'superuser'
             WHERE user_id = (SELECT id FROM users WHERE auth_subject = 'acme-viewer')",
        )
        .await
        .unwrap();
    let response = app
        .as_user("acme-viewer")
        .in_workspace(workspace)
        .updates("")
        .await;
    response.assert_status(500);
    assert_eq!(response.json["code"], "internal");
}
