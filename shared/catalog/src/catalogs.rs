//! Private catalogs: a team's own listings, seen and installed by the workspaces in the catalog and reviewed
//! by its admins (the owners and admins of its owner workspace). Which listings a caller sees is
//! [`Audience`]'s rule; this module keeps the catalogs and who is in them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::browse::moderation_log::{
    log_page, moderation_log_statement, LogBook, LogCursor, ModerationLog,
};
use crate::foundation::accounts::User;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::{union_all, ItemKind};
use crate::foundation::statement::{own_rows, Sql, Statement};
use crate::foundation::workspace::WorkspaceId;
use crate::publish::review_queue::{queue_page, review_queue_statement, QueuePage, QueueQuery};

/// The most catalogs `GET /catalogs` lists.
pub const MAX_LISTED_CATALOGS: i64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    pub id: i64,
    pub name: String,
    pub owner_workspace_id: Uuid,
    /// The caller may administer it: add and remove workspaces, review its queue.
    pub is_admin: bool,
    pub workspace_count: i64,
    /// The workspaces in it, for its admins only.
    pub workspaces: Option<Vec<Uuid>>,
    pub created_at: DateTime<Utc>,
}

/// What a user may do with one catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// One of the user's workspaces is in it (or the user is a marketplace admin).
    pub member: bool,
    /// The user is an owner or admin of its owner workspace (or a marketplace admin).
    pub admin: bool,
}

impl Standing {
    /// The standing in columns `member` and `admin` ([`STANDING_COLUMNS`]).
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        Ok(Self {
            member: row.read("member")?,
            admin: row.read("admin")?,
        })
    }

    /// Members (and admins) may read; anyone else is told the catalog does not exist.
    pub fn require_member(self) -> Result<(), CatalogError> {
        if self.member || self.admin {
            Ok(())
        } else {
            Err(CatalogError::NotFound("catalog"))
        }
    }

    /// Admins may administer; members are refused, anyone else is told the catalog does not exist.
    pub fn require_admin(self) -> Result<(), CatalogError> {
        self.require_member()?;
        if self.admin {
            Ok(())
        } else {
            Err(CatalogError::Forbidden(
                "Only the catalog's admins (owners and admins of its owner workspace) may do this.",
            ))
        }
    }
}

/// SQL: whether user `$1` is a member of a workspace in catalog `c`, or an admin of it (`$2`: the user is a
/// marketplace admin).
const STANDING_COLUMNS: &str = "$2::boolean OR EXISTS (
         SELECT 1 FROM catalog_workspaces cw JOIN workspace_members m ON m.workspace_id = cw.workspace_id
         WHERE cw.catalog_id = c.id AND m.user_id = $1) AS member,
     $2::boolean OR EXISTS (
         SELECT 1 FROM workspace_members m
         WHERE m.workspace_id = c.owner_workspace_id AND m.user_id = $1 AND m.role IN ('owner', 'admin')) AS admin";

/// The one-row query of `user`'s standing in `catalog`, with the values inlined (an id and a flag read from
/// the database, and an id parsed as an integer): what a catalog's own reads stand behind.
fn standing_gate(user: &User, catalog: i64) -> String {
    let standing = STANDING_COLUMNS
        .replace("$1", &user.id.to_string())
        .replace("$2", &user.is_admin.to_string());
    format!("SELECT {standing} FROM catalogs c WHERE c.id = {catalog}")
}

/// A page of the catalog's review queue (`query.catalog`), for its admins: the standing and the page in one
/// statement, the page read only when the standing allows it. Outsiders get 404, members 403.
pub async fn catalog_queue(
    db: &impl Sql,
    user: &User,
    catalog: i64,
    query: &QueueQuery,
) -> Result<QueuePage, CatalogError> {
    let rows = review_queue_statement(query)
        .behind(&standing_gate(user, catalog), "g.admin")
        .query(db)
        .await?;
    Standing::from_row(rows.first().ok_or(CatalogError::NotFound("catalog"))?)?.require_admin()?;
    queue_page(&own_rows(rows), query)
}

/// A page of the catalog's moderation log, for its members: the standing and the page in one statement, the
/// page read only when the standing allows it. Anyone else gets 404.
pub async fn catalog_log(
    db: &impl Sql,
    user: &User,
    catalog: i64,
    after: Option<LogCursor>,
    limit: i64,
) -> Result<ModerationLog, CatalogError> {
    let book = LogBook::Catalog(catalog);
    let rows = moderation_log_statement(book, after, limit + 1)
        .behind(&standing_gate(user, catalog), "g.member OR g.admin")
        .query(db)
        .await?;
    Standing::from_row(rows.first().ok_or(CatalogError::NotFound("catalog"))?)?.require_member()?;
    log_page(&own_rows(rows), book, limit)
}

/// The catalog JSON of row `c`, given its `admin` column.
const CATALOG_COLUMNS: &str = "c.id, c.name, c.owner_workspace_id, c.created_at,
     (SELECT count(*) FROM catalog_workspaces cw WHERE cw.catalog_id = c.id) AS workspace_count,
     (SELECT array_agg(cw.workspace_id ORDER BY cw.workspace_id) FROM catalog_workspaces cw
      WHERE cw.catalog_id = c.id) AS workspaces";

impl Catalog {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        let is_admin: bool = row.read("admin")?;
        Ok(Self {
            id: row.read("id")?,
            name: row.read("name")?,
            owner_workspace_id: row.read("owner_workspace_id")?,
            is_admin,
            workspace_count: row.read("workspace_count")?,
            workspaces: if is_admin {
                row.read("workspaces")?
            } else {
                None
            },
            created_at: row.read("created_at")?,
        })
    }
}

/// Makes a catalog owned by `workspace`, which becomes its first workspace. Only an owner or admin of the
/// workspace may; a name its workspace already uses for a catalog is a conflict (the unique index decides).
/// A name holding a credential is refused, as a listing's is: members of every workspace in it read it.
pub async fn create_catalog(
    db: &impl Sql,
    user: &User,
    workspace: WorkspaceId,
    name: &str,
) -> Result<Catalog, CatalogError> {
    let findings =
        marketplace_credentials::find_credentials(&serde_json::Value::from(name), "name");
    if !findings.is_empty() {
        return Err(CatalogError::CredentialsInContent(findings));
    }
    let row = Statement::new(
        "WITH allowed AS (
             SELECT 1 FROM workspace_members m
             WHERE m.workspace_id = $3 AND m.user_id = $1 AND m.role IN ('owner', 'admin')),
         created AS (
             INSERT INTO catalogs (name, owner_workspace_id, created_by)
             SELECT $4, $3, $1 FROM allowed
             ON CONFLICT DO NOTHING RETURNING *),
         joined AS (
             INSERT INTO catalog_workspaces (catalog_id, workspace_id)
             SELECT id, owner_workspace_id FROM created RETURNING workspace_id)
         SELECT EXISTS (SELECT 1 FROM allowed) AS allowed, created.* FROM (SELECT 1) one
         LEFT JOIN (SELECT c.id, c.name, c.owner_workspace_id, c.created_at, true AS admin,
                           1::bigint AS workspace_count, ARRAY[c.owner_workspace_id] AS workspaces
                    FROM created c) created ON true",
    )
    .bind(user.id)
    .bind(user.is_admin)
    .bind(workspace)
    .bind(name.to_owned())
    .query_one(db)
    .await?;
    if !row.read::<bool>("allowed")? {
        return Err(CatalogError::Forbidden(
            "Only an owner or admin of the workspace may make it a catalog's owner.",
        ));
    }
    if row.read::<Option<i64>>("id")?.is_none() {
        return Err(CatalogError::CatalogNameTaken);
    }
    Catalog::from_row(&row)
}

/// The catalogs one of the user's workspaces is in, by name.
pub async fn list_catalogs(db: &impl Sql, user: &User) -> Result<Vec<Catalog>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT {CATALOG_COLUMNS}, {STANDING_COLUMNS} FROM catalogs c
         WHERE c.id IN (SELECT cw.catalog_id FROM workspace_members m
                        JOIN catalog_workspaces cw ON cw.workspace_id = m.workspace_id
                        WHERE m.user_id = $1)
         ORDER BY lower(c.name), c.id LIMIT {MAX_LISTED_CATALOGS}"
    ))
    .bind(user.id)
    .bind(user.is_admin)
    .query(db)
    .await?;
    rows.iter().map(Catalog::from_row).collect()
}

/// Puts `workspace` in the catalog (catalog admins); already in is fine. One statement.
pub async fn add_workspace(
    db: &impl Sql,
    user: &User,
    catalog: i64,
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    let row = Statement::new(format!(
        "WITH standing AS (SELECT c.id, {STANDING_COLUMNS} FROM catalogs c WHERE c.id = $3),
         target AS (SELECT w.id FROM workspaces w WHERE w.id = $4),
         added AS (
             INSERT INTO catalog_workspaces (catalog_id, workspace_id)
             SELECT s.id, t.id FROM standing s, target t WHERE s.admin
             ON CONFLICT DO NOTHING RETURNING 1)
         SELECT s.member, s.admin, EXISTS (SELECT 1 FROM target) AS target_exists FROM standing s"
    ))
    .bind(user.id)
    .bind(user.is_admin)
    .bind(catalog)
    .bind(workspace)
    .query_opt(db)
    .await?
    .ok_or(CatalogError::NotFound("catalog"))?;
    Standing::from_row(&row)?.require_admin()?;
    if !row.read::<bool>("target_exists")? {
        return Err(CatalogError::NotFound("workspace"));
    }
    Ok(())
}

/// Takes `workspace` out of the catalog: its admins may, and so may an owner or admin of that workspace
/// (leaving). Its installed copies stay; it no longer sees, installs or updates the catalog's listings.
/// The owner workspace cannot leave. One statement.
pub async fn remove_workspace(
    db: &impl Sql,
    user: &User,
    catalog: i64,
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    let row = Statement::new(format!(
        "WITH standing AS (
             SELECT c.id, c.owner_workspace_id = $4 AS owner, {STANDING_COLUMNS},
                    EXISTS (SELECT 1 FROM workspace_members m
                            WHERE m.workspace_id = $4 AND m.user_id = $1
                              AND m.role IN ('owner', 'admin')) AS leaving
             FROM catalogs c WHERE c.id = $3),
         removed AS (
             DELETE FROM catalog_workspaces cw USING standing s
             WHERE cw.catalog_id = s.id AND cw.workspace_id = $4 AND (s.admin OR s.leaving) AND NOT s.owner
             RETURNING 1)
         SELECT s.owner, s.member, s.admin, s.leaving FROM standing s"
    ))
    .bind(user.id)
    .bind(user.is_admin)
    .bind(catalog)
    .bind(workspace)
    .query_opt(db)
    .await?
    .ok_or(CatalogError::NotFound("catalog"))?;
    let leaving: bool = row.read("leaving")?;
    let standing = Standing::from_row(&row)?;
    Standing {
        member: standing.member || leaving,
        admin: standing.admin || leaving,
    }
    .require_admin()?;
    if row.read::<bool>("owner")? {
        return Err(CatalogError::CatalogOwnerWorkspace);
    }
    Ok(())
}

/// Whether `user` may moderate (approve, reject, delist) listing `item_id`: a marketplace admin any listing,
/// without a statement; a catalog's admins its private listings. Anyone else is refused as before catalogs
/// existed, except that a private listing outside the user's catalogs does not exist for them.
pub async fn require_moderator(
    db: &impl Sql,
    user: &User,
    item_id: i64,
) -> Result<(), CatalogError> {
    if user.is_admin {
        return Ok(());
    }
    let listings = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT t.catalog_id FROM {table} t WHERE t.id = $3 AND t.owner_type = 'marketplace'",
            table = kind.table()
        )
    });
    let row = Statement::new(format!(
        "SELECT {STANDING_COLUMNS} FROM catalogs c
         WHERE c.id = (SELECT l.catalog_id FROM ({listings}) l LIMIT 1)"
    ))
    .bind(user.id)
    .bind(user.is_admin)
    .bind(item_id)
    .query_opt(db)
    .await?
    .ok_or(CatalogError::Forbidden(
        "Only marketplace admins may do this.",
    ))?;
    Standing::from_row(&row)?.require_admin()
}
