//! Who is calling: users (by their identity-provider subject) and their workspace memberships.

use serde::Serialize;
use serde_json::Value;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;
use crate::foundation::workspace::WorkspaceRole;

/// A known user. `is_admin` comes from `users.system_role`, never from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub display_name: String,
    pub is_admin: bool,
    /// One of the user's workspaces is in a private catalog: their reads carry the catalog rule
    /// ([`Audience::user`](crate::Audience::user)); everyone else's read public listings alone.
    pub in_catalogs: bool,
}

/// The user of `subject`, made now if the service has never seen it: the identity provider vouched for the
/// subject, and the platform lets anyone with an account browse. Concurrent first requests of one subject
/// make one user (the unique subject decides; the loser reads the winner's row). `display_name` comes from
/// the token's name claims, never its e-mail address.
pub async fn provision_user(
    db: &impl Sql,
    subject: &str,
    display_name: &str,
) -> Result<User, CatalogError> {
    let inserted = Statement::new(
        "INSERT INTO users (auth_subject, display_name) VALUES ($1, $2)
         ON CONFLICT (auth_subject) DO NOTHING
         RETURNING id, display_name, system_role = 'admin' AS is_admin, false AS in_catalogs",
    )
    .bind(subject.to_owned())
    .bind(display_name.to_owned())
    .query_opt(db)
    .await?;
    match inserted {
        Some(row) => User::from_row(&row),
        None => user_by_subject(db, subject)
            .await?
            .ok_or(CatalogError::NotFound("user")),
    }
}

impl User {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            display_name: row.read("display_name")?,
            is_admin: row.read("is_admin")?,
            in_catalogs: row.read("in_catalogs")?,
        })
    }
}

/// A user's marketplace admin right after [`set_admin`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminGrant {
    pub user_id: i64,
    pub subject: String,
    pub is_admin: bool,
    /// The user was made by the grant (it had never signed in).
    pub created: bool,
}

/// Grants (or revokes) marketplace admin to the user of `subject`, making the user when it has never signed
/// in, and records it in `admin_actions` (no acting admin: the operator invoked the migrate function).
/// Admin still comes only from `users.system_role`.
pub async fn set_admin(
    db: &impl Sql,
    subject: &str,
    admin: bool,
) -> Result<AdminGrant, CatalogError> {
    let row = Statement::new(
        "WITH granted AS (
             INSERT INTO users AS u (auth_subject, display_name, system_role)
             VALUES ($1, 'Administrator', CASE WHEN $2 THEN 'admin' ELSE 'user' END)
             ON CONFLICT (auth_subject) DO UPDATE SET system_role = excluded.system_role
             RETURNING u.id, u.system_role = 'admin' AS is_admin, (u.xmax = 0) AS created),
         logged AS (
             INSERT INTO admin_actions (admin_id, action, subject_user_id)
             SELECT NULL, CASE WHEN $2 THEN 'grant_admin' ELSE 'revoke_admin' END, g.id FROM granted g)
         SELECT * FROM granted",
    )
    .bind(subject.to_owned())
    .bind(admin)
    .query_one(db)
    .await?;
    Ok(AdminGrant {
        user_id: row.read("id")?,
        subject: subject.to_owned(),
        is_admin: row.read("is_admin")?,
        created: row.read("created")?,
    })
}

/// `GET /me`: the caller and the workspaces they belong to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Me {
    pub id: i64,
    pub display_name: String,
    pub is_admin: bool,
    /// `[{"id", "name", "role"}]`, by name.
    pub workspaces: Value,
}

/// The caller `user` and their workspaces, in one statement.
pub async fn me(db: &impl Sql, user: &User) -> Result<Me, CatalogError> {
    let row = Statement::new(
        "SELECT coalesce(jsonb_agg(jsonb_build_object('id', w.id, 'name', w.name, 'role', m.role)
                                   ORDER BY w.name, w.id), '[]') AS workspaces
         FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
         WHERE m.user_id = $1",
    )
    .bind(user.id)
    .query_one(db)
    .await?;
    Ok(Me {
        id: user.id,
        display_name: user.display_name.clone(),
        is_admin: user.is_admin,
        workspaces: row.read("workspaces")?,
    })
}

pub async fn user_by_subject(db: &impl Sql, subject: &str) -> Result<Option<User>, CatalogError> {
    let Some(row) = user_by_subject_statement(subject).query_opt(db).await? else {
        return Ok(None);
    };
    User::from_row(&row).map(Some)
}

/// The caller lookup every route starts with.
#[doc(hidden)]
pub fn user_by_subject_statement(subject: &str) -> Statement<'static> {
    Statement::new(
        "SELECT id, display_name, system_role = 'admin' AS is_admin,
                EXISTS (SELECT 1 FROM catalog_viewers WHERE u = users.id) AS in_catalogs
         FROM users WHERE auth_subject = $1",
    )
    .bind(subject.to_owned())
}

/// The user with this subject and their role in `workspace` (`None` when not a member), or `None` when no
/// user has the subject: a workspace route's caller lookup and membership check in one statement.
pub async fn user_in_workspace(
    db: &impl Sql,
    subject: &str,
    workspace: WorkspaceId,
) -> Result<Option<(User, Option<WorkspaceRole>)>, CatalogError> {
    let row = Statement::new(
        "SELECT u.id, u.display_name, u.system_role = 'admin' AS is_admin,
                EXISTS (SELECT 1 FROM catalog_viewers WHERE catalog_viewers.u = u.id) AS in_catalogs,
                (SELECT m.role FROM workspace_members m WHERE m.workspace_id = $2 AND m.user_id = u.id) AS role
         FROM users u WHERE u.auth_subject = $1",
    )
    .bind(subject.to_owned())
    .bind(workspace)
    .query_opt(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some((User::from_row(&row)?, row.read("role")?)))
}

/// The user's role in the workspace, or `None` when they are not a member.
pub async fn workspace_role(
    db: &impl Sql,
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
