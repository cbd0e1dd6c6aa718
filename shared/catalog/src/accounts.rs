//! Who is calling: users (by their identity-provider subject) and their workspace memberships.

use tokio_postgres::GenericClient;

use crate::column::ReadColumn;
use crate::statement::Statement;
use crate::{CatalogError, WorkspaceId, WorkspaceRole};

/// A known user. `is_admin` comes from `users.system_role`, never from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub display_name: String,
    pub is_admin: bool,
}

pub async fn user_by_subject(
    db: &impl GenericClient,
    subject: &str,
) -> Result<Option<User>, CatalogError> {
    let Some(row) = user_by_subject_statement(subject).query_opt(db).await? else {
        return Ok(None);
    };
    Ok(Some(User {
        id: row.read("id")?,
        display_name: row.read("display_name")?,
        is_admin: row.read("is_admin")?,
    }))
}

/// The caller lookup every route starts with.
#[doc(hidden)]
pub fn user_by_subject_statement(subject: &str) -> Statement<'static> {
    Statement::new(
        "SELECT id, display_name, system_role = 'admin' AS is_admin FROM users WHERE auth_subject = $1",
    )
    .bind(subject.to_owned())
}

/// The user's role in the workspace, or `None` when they are not a member.
pub async fn workspace_role(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    user_id: i64,
) -> Result<Option<WorkspaceRole>, CatalogError> {
    let row = workspace_role_statement(workspace, user_id)
        .query_opt(db)
        .await?;
    row.map(|row| row.read("role")).transpose()
}

/// The membership check of every workspace route.
#[doc(hidden)]
pub fn workspace_role_statement(workspace: WorkspaceId, user_id: i64) -> Statement<'static> {
    Statement::new("SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
        .bind(workspace)
        .bind(user_id)
}
