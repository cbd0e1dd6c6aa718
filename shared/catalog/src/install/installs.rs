//! `GET /installs`: a workspace's installs, newest first, a page at a time behind an opaque cursor.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;

use crate::foundation::capabilities::Capabilities;
use crate::foundation::column::{read_manifest, ReadColumn};
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::item::Creator;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::pulled::{
    advisories_sql, live_version_pulled_sql, read_advisories, Advisory,
};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;

/// Where a page of installs continues: after the install with this (installed_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallCursor {
    installed_at: DateTime<Utc>,
    id: i64,
}

/// The two routes that page a workspace's installs; a cursor of one is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallList {
    /// `GET /installs`.
    Installs,
    /// `GET /updates`.
    Updates,
}

impl InstallList {
    fn scope(self, workspace: WorkspaceId) -> String {
        let route = match self {
            Self::Installs => "installs",
            Self::Updates => "updates",
        };
        format!("{route}\n{}", workspace.as_uuid())
    }
}

const POSITION: [KeyType; 2] = [KeyType::Timestamp, KeyType::Integer];

impl InstallCursor {
    /// The cursor after the install with this id, installed at `installed_at`.
    pub(crate) fn after(installed_at: DateTime<Utc>, id: i64) -> Self {
        Self { installed_at, id }
    }

    /// The statement text that keeps installs `i` after this cursor, its two parameters at `$from` and
    /// `$from + 1`.
    pub(crate) fn predicate(from: usize) -> String {
        format!("AND (i.installed_at, i.id) < (${from}, ${})", from + 1)
    }

    pub(crate) fn installed_at(&self) -> DateTime<Utc> {
        self.installed_at
    }

    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    /// The signed token of this position in `list` of `workspace`.
    pub(crate) fn encode(&self, list: InstallList, workspace: WorkspaceId) -> String {
        cursor::encode(
            &list.scope(workspace),
            &[self.installed_at.timestamp_micros().into(), self.id.into()],
        )
    }

    /// A token this route issued for this workspace, or why not.
    pub fn parse(
        token: &str,
        list: InstallList,
        workspace: WorkspaceId,
    ) -> Result<Self, CursorError> {
        match cursor::decode(token, &list.scope(workspace), &POSITION)?[..] {
            [PositionValue::Integer(micros), PositionValue::Integer(id)] if id > 0 => Ok(Self {
                installed_at: DateTime::from_timestamp_micros(micros)
                    .ok_or(CursorError::Malformed)?,
                id,
            }),
            _ => Err(CursorError::Malformed),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallsPage {
    pub installs: Vec<InstallEntry>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstallEntry {
    pub install_id: i64,
    pub item: InstalledListing,
    /// The workspace copy, `null` once deleted.
    pub copy: Option<CopyRef>,
    pub installed_version: Version,
    /// The listing's latest approved version.
    pub latest_version: Version,
    /// The copy exists, the listing is still listed and its installable version is higher.
    pub update_available: bool,
    /// One per revocation of the installed version.
    pub advisories: Vec<Advisory>,
    pub installed_at: DateTime<Utc>,
    pub installed_by: Option<Creator>,
    /// The install this one came with as a dependency.
    pub parent_install_id: Option<i64>,
    pub uninstalled_at: Option<DateTime<Utc>>,
    /// What the workspace granted it: the install's manifest (an item's, over its whole cascade) and what
    /// accepted updates added; `null` for installs made before manifests existed.
    pub capabilities: Option<Capabilities>,
    pub capabilities_digest: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstalledListing {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
    pub icon: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CopyRef {
    pub id: i64,
    pub name: String,
}

impl CopyRef {
    /// The copy a row names in its `copy_id` and `copy_name` columns; `None` once it was deleted.
    pub(crate) fn from_row(row: &Row) -> Result<Option<Self>, CatalogError> {
        row.read::<Option<i64>>("copy_id")?
            .map(|id| {
                Ok(Self {
                    id,
                    name: row.read("copy_name")?,
                })
            })
            .transpose()
    }
}

/// One page of the workspace's installs after `cursor`, newest first.
pub async fn list_installs(
    db: &impl Sql,
    workspace: WorkspaceId,
    cursor: Option<InstallCursor>,
    limit: i64,
) -> Result<InstallsPage, CatalogError> {
    let rows = installs_page_statement(workspace, cursor, limit + 1)
        .query(db)
        .await?;
    let mut installs = rows
        .iter()
        .map(InstallEntry::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if installs.len() as i64 > limit {
        installs.truncate(limit as usize);
        installs.last().map(|last| {
            InstallCursor::after(last.installed_at, last.install_id)
                .encode(InstallList::Installs, workspace)
        })
    } else {
        None
    };
    Ok(InstallsPage {
        installs,
        next_cursor,
    })
}

impl InstallEntry {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        let installed_version: Version = row.read("installed_version")?;
        let latest_version: Version = row.read("latest_version")?;
        let copy = CopyRef::from_row(row)?;
        let uninstalled_at: Option<DateTime<Utc>> = row.read("uninstalled_at")?;
        let (capabilities, capabilities_digest) = match read_manifest(row)? {
            Some(granted) => (
                Some(granted.capabilities),
                Some(granted.capabilities_digest),
            ),
            None => (None, None),
        };
        Ok(Self {
            capabilities,
            capabilities_digest,
            install_id: row.read("id")?,
            item: InstalledListing {
                id: row.read("item_id")?,
                kind: row.read("item_kind")?,
                name: row.read("item_name")?,
                icon: row.read("item_icon")?,
            },
            update_available: copy.is_some()
                && uninstalled_at.is_none()
                && row.read("installable")?
                && latest_version > installed_version,
            advisories: read_advisories(row.read("advisories")?, &installed_version)?,
            copy,
            installed_version,
            latest_version,
            installed_at: row.read("installed_at")?,
            installed_by: Creator::from_row(row, "user_id", "display_name")?,
            parent_install_id: row.read("parent_install_id")?,
            uninstalled_at,
        })
    }
}

/// A page of `limit` installs of the workspace after `cursor`, read from the (workspace_id, installed_at
/// DESC, id DESC) index; each with its listing and copy by primary key.
pub fn installs_page_statement(
    workspace: WorkspaceId,
    cursor: Option<InstallCursor>,
    limit: i64,
) -> Statement<'static> {
    let listing = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT m.name, m.marketplace_icon, m.version::text AS version,
                    (m.owner_type = 'marketplace' AND m.delisted_at IS NULL AND m.is_approved
                     AND NOT {pulled}) AS installable
             FROM {table} m WHERE p.item_kind = '{kind}' AND m.id = p.item_id",
            table = kind.table(),
            pulled = live_version_pulled_sql("m"),
        )
    });
    let copy = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT c.id, c.name FROM {table} c
             WHERE p.item_kind = '{kind}' AND c.id = p.installed_item_id AND c.owner_id = p.workspace_id::text",
            table = kind.table()
        )
    });
    let after = if cursor.is_some() {
        InstallCursor::predicate(3)
    } else {
        String::new()
    };
    let statement = Statement::new(format!(
        "WITH page AS (
             SELECT i.id, i.item_id, i.item_kind::text AS item_kind, i.workspace_id, i.installed_item_id,
                    i.installed_version::text AS installed_version, i.installed_at, i.uninstalled_at,
                    i.parent_install_id, i.user_id, i.capabilities, i.capabilities_digest
             FROM marketplace_installs i
             WHERE i.workspace_id = $1 {after}
             ORDER BY i.installed_at DESC, i.id DESC
             LIMIT $2)
         SELECT p.id, p.item_id, p.item_kind, p.installed_item_id, p.installed_version, p.installed_at,
                p.uninstalled_at, p.parent_install_id, p.user_id, u.display_name,
                p.capabilities, p.capabilities_digest,
                m.name AS item_name, m.marketplace_icon AS item_icon, m.version AS latest_version,
                m.installable, c.id AS copy_id, c.name AS copy_name,
                {advisories} AS advisories
         FROM page p
         LEFT JOIN users u ON u.id = p.user_id
         JOIN LATERAL ({listing}) m ON true
         LEFT JOIN LATERAL ({copy}) c ON true
         ORDER BY p.installed_at DESC, p.id DESC",
        advisories = advisories_sql("p.item_id", "p.installed_version"),
    ))
    .bind(workspace)
    .bind(limit);
    match cursor {
        Some(cursor) => statement.bind(cursor.installed_at).bind(cursor.id),
        None => statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_for_their_route_and_workspace_only() {
        let cursor = InstallCursor {
            installed_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap(),
            id: 42,
        };
        let workspace = WorkspaceId::from(uuid::Uuid::new_v4());
        let text = cursor.encode(InstallList::Installs, workspace);
        assert_eq!(
            InstallCursor::parse(&text, InstallList::Installs, workspace),
            Ok(cursor)
        );
        let other = WorkspaceId::from(uuid::Uuid::new_v4());
        assert_eq!(
            InstallCursor::parse(&text, InstallList::Installs, other),
            Err(CursorError::OtherListing)
        );
        assert_eq!(
            InstallCursor::parse(&text, InstallList::Updates, workspace),
            Err(CursorError::OtherListing)
        );
        let zero = InstallCursor { id: 0, ..cursor }.encode(InstallList::Installs, workspace);
        for bad in ["", "x", "!!!", "aTE6MTo1", zero.as_str()] {
            assert_eq!(
                InstallCursor::parse(bad, InstallList::Installs, workspace),
                Err(CursorError::Malformed),
                "{bad:?}"
            );
        }
    }
}
