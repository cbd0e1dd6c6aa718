//! Who is calling: users (by their identity-provider subject) and their workspace memberships.

use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::params::{Params, Statement};
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
    let row = user_by_subject_statement(subject).query_opt(db).await?;
    Ok(row.map(|row| User {
        id: row.get(0),
        display_name: row.get(1),
        is_admin: row.get(2),
    }))
}

/// The caller lookup every route starts with.
pub fn user_by_subject_statement(subject: &str) -> Statement {
    Statement::with(
        "SELECT id, display_name, system_role = 'admin' FROM users WHERE auth_subject = $1",
        subject.to_owned(),
        Type::TEXT,
    )
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
    Ok(row.and_then(|row| WorkspaceRole::from_db(row.get(0))))
}

/// The membership check of every workspace route.
pub fn workspace_role_statement(workspace: WorkspaceId, user_id: i64) -> Statement {
    let mut params = Params::default();
    params.push(*workspace.as_uuid(), Type::UUID);
    params.push(user_id, Type::INT8);
    Statement::new(
        "SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
        params,
    )
}
