//! `GET /advisories`: a workspace's live installs of revoked versions, most severe first, then the most
//! recent revocation, a page at a time. Read from the few revoked versions (a partial index) into the
//! workspace's installs of each, never from every install of the workspace.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::kind::{union_all, ItemKind};
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::pulled::{fixed_in, installable_versions_sql, parse_versions};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::status::Severity;
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::installs::CopyRef;

#[derive(Debug, Clone, Serialize)]
pub struct AdvisoriesPage {
    pub advisories: Vec<InstallAdvisory>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallAdvisory {
    pub install_id: i64,
    pub item: AdvisedListing,
    pub installed_version: Version,
    /// The workspace copy, `null` once deleted.
    pub copy: Option<CopyRef>,
    pub severity: Severity,
    pub reason: String,
    pub at: DateTime<Utc>,
    pub fixed_in: Option<Version>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AdvisedListing {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
}

/// Where a page of advisories continues: after this (severity rank, revocation time, install id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvisoryCursor {
    rank: i64,
    at_micros: i64,
    install_id: i64,
}

fn scope(workspace: WorkspaceId) -> String {
    format!("advisories\n{}", workspace.as_uuid())
}

impl AdvisoryCursor {
    /// A token this route issued for this workspace, or why not.
    pub fn parse(token: &str, workspace: WorkspaceId) -> Result<Self, CursorError> {
        match cursor::decode(
            token,
            &scope(workspace),
            &[KeyType::Integer, KeyType::Timestamp, KeyType::Integer],
        )?[..]
        {
            [PositionValue::Integer(rank), PositionValue::Integer(at_micros), PositionValue::Integer(install_id)]
                if (0..=3).contains(&rank) && install_id > 0 =>
            {
                Ok(Self {
                    rank,
                    at_micros,
                    install_id,
                })
            }
            _ => Err(CursorError::Malformed),
        }
    }
}

/// One page of the workspace's advisories after `after`.
pub async fn list_advisories(
    db: &impl Sql,
    workspace: WorkspaceId,
    after: Option<AdvisoryCursor>,
    limit: i64,
) -> Result<AdvisoriesPage, CatalogError> {
    let rows = advisories_statement(workspace, after, limit + 1)
        .query(db)
        .await?;
    let mut advisories = Vec::with_capacity(rows.len());
    let mut positions: Vec<[serde_json::Value; 3]> = Vec::with_capacity(rows.len());
    for row in &rows {
        advisories.push(InstallAdvisory::from_row(row)?);
        positions.push([
            row.read::<i32>("rank")?.into(),
            row.read::<i64>("at_micros")?.into(),
            row.read::<i64>("id")?.into(),
        ]);
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if advisories.len() > limit {
        advisories.truncate(limit);
        positions
            .get(limit - 1)
            .map(|position| cursor::encode(&scope(workspace), position))
    } else {
        None
    };
    Ok(AdvisoriesPage {
        advisories,
        next_cursor,
    })
}

/// A page of `limit` advisories of `workspace` after `after`: from the revoked versions (a partial index)
/// into the workspace's live installs of each, most severe first.
pub fn advisories_statement(
    workspace: WorkspaceId,
    after: Option<AdvisoryCursor>,
    limit: i64,
) -> Statement<'static> {
    let names = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT m.name FROM {table} m WHERE i.item_kind = '{kind}' AND m.id = i.item_id",
            table = kind.table()
        )
    });
    let copies = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT c.id, c.name FROM {table} c
             WHERE i.item_kind = '{kind}' AND c.id = i.installed_item_id AND c.owner_id = i.workspace_id::text",
            table = kind.table()
        )
    });
    Statement::new(format!(
        "WITH affected AS (
             SELECT i.id, i.item_id, i.item_kind, i.installed_item_id, i.workspace_id,
                    i.installed_version::text AS installed_version,
                    v.revoke_severity, v.revoke_reason, v.revoked_at,
                    {rank} AS rank, (extract(epoch FROM v.revoked_at) * 1000000)::bigint AS at_micros
             FROM item_versions v
             JOIN marketplace_installs i ON i.workspace_id = $1 AND i.item_id = v.item_id
                  AND i.installed_version = v.version AND i.uninstalled_at IS NULL
             WHERE v.revoked_at IS NOT NULL)
         SELECT i.id, i.item_id, i.item_kind::text AS item_kind, i.installed_version, i.revoke_severity,
                i.revoke_reason, i.revoked_at, i.rank, i.at_micros, n.name AS item_name,
                c.id AS copy_id, c.name AS copy_name, {installable} AS installable
         FROM affected i
         JOIN LATERAL ({names}) n ON true
         LEFT JOIN LATERAL ({copies}) c ON true
         WHERE $3::bigint IS NULL
            OR (i.rank, -i.at_micros, i.id) > ($3, -$4::bigint, $5)
         ORDER BY i.rank, i.at_micros DESC, i.id
         LIMIT $2",
        rank = Severity::rank_sql("v.revoke_severity"),
        installable = installable_versions_sql("i.item_id"),
    ))
    .bind(workspace)
    .bind(limit)
    .bind(after.map(|after| after.rank))
    .bind(after.map(|after| after.at_micros))
    .bind(after.map(|after| after.install_id))
}

impl InstallAdvisory {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        let installed_version: Version = row.read("installed_version")?;
        let installable = parse_versions(&row.read::<Vec<String>>("installable")?)?;
        let copy = CopyRef::from_row(row)?;
        Ok(Self {
            install_id: row.read("id")?,
            item: AdvisedListing {
                id: row.read("item_id")?,
                kind: row.read("item_kind")?,
                name: row.read("item_name")?,
            },
            fixed_in: fixed_in(&installed_version, &installable),
            installed_version,
            copy,
            severity: row.read("revoke_severity")?,
            reason: row.read("revoke_reason")?,
            at: row.read("revoked_at")?,
        })
    }
}
