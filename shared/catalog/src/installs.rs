//! `GET /installs`: a workspace's installs, newest first, a page at a time behind an opaque cursor.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row};

use crate::column::ReadColumn;
use crate::item::Creator;
use crate::kind::union_all;
use crate::statement::Statement;
use crate::{CatalogError, ItemKind, Version, WorkspaceId};

/// Where a page of installs continues: after the install with this (installed_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallCursor {
    installed_at: DateTime<Utc>,
    id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a next_cursor returned by this route")]
pub struct BadCursor;

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

    /// The text of a cursor: URL-safe, meant to be passed back as it is.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "i1:{}:{}",
            self.installed_at.timestamp_micros(),
            self.id
        ))
    }

    pub fn parse(text: &str) -> Result<Self, BadCursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| BadCursor)?;
        let mut parts = text.split(':');
        let (Some("i1"), Some(micros), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadCursor);
        };
        let micros: i64 = micros
            .parse()
            .ok()
            .filter(|micros| crate::cursor::timestamp_in_range(*micros))
            .ok_or(BadCursor)?;
        let id: i64 = id.parse().map_err(|_| BadCursor)?;
        let installed_at = DateTime::from_timestamp_micros(micros).ok_or(BadCursor)?;
        if id < 1 {
            return Err(BadCursor);
        }
        Ok(Self { installed_at, id })
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
    /// The copy exists, the listing is still listed and has a higher version.
    pub update_available: bool,
    pub installed_at: DateTime<Utc>,
    pub installed_by: Option<Creator>,
    /// The install this one came with as a dependency.
    pub parent_install_id: Option<i64>,
    pub uninstalled_at: Option<DateTime<Utc>>,
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

/// One page of the workspace's installs after `cursor`, newest first.
pub async fn list_installs(
    db: &impl GenericClient,
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
            InstallCursor {
                installed_at: last.installed_at,
                id: last.install_id,
            }
            .encode()
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
        let copy = row
            .read::<Option<i64>>("copy_id")?
            .map(|id| -> Result<CopyRef, CatalogError> {
                Ok(CopyRef {
                    id,
                    name: row.read("copy_name")?,
                })
            })
            .transpose()?;
        let uninstalled_at: Option<DateTime<Utc>> = row.read("uninstalled_at")?;
        Ok(Self {
            install_id: row.read("id")?,
            item: InstalledListing {
                id: row.read("item_id")?,
                kind: row.read("item_kind")?,
                name: row.read("item_name")?,
                icon: row.read("item_icon")?,
            },
            update_available: copy.is_some()
                && uninstalled_at.is_none()
                && row.read("listed")?
                && latest_version > installed_version,
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
                    (m.owner_type = 'marketplace' AND m.delisted_at IS NULL AND m.is_approved) AS listed
             FROM {table} m WHERE p.item_kind = '{kind}' AND m.id = p.item_id",
            table = kind.table()
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
                    i.parent_install_id, i.user_id
             FROM marketplace_installs i
             WHERE i.workspace_id = $1 {after}
             ORDER BY i.installed_at DESC, i.id DESC
             LIMIT $2)
         SELECT p.id, p.item_id, p.item_kind, p.installed_item_id, p.installed_version, p.installed_at,
                p.uninstalled_at, p.parent_install_id, p.user_id, u.display_name,
                m.name AS item_name, m.marketplace_icon AS item_icon, m.version AS latest_version, m.listed,
                c.id AS copy_id, c.name AS copy_name
         FROM page p
         LEFT JOIN users u ON u.id = p.user_id
         JOIN LATERAL ({listing}) m ON true
         LEFT JOIN LATERAL ({copy}) c ON true
         ORDER BY p.installed_at DESC, p.id DESC"
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
    fn cursors_round_trip_and_anything_else_is_refused() {
        let cursor = InstallCursor {
            installed_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap(),
            id: 42,
        };
        let text = cursor.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(InstallCursor::parse(&text), Ok(cursor));
        for bad in [
            "",
            "x",
            "!!!",
            &URL_SAFE_NO_PAD.encode("i1:1:0"),
            &URL_SAFE_NO_PAD.encode("i1:1"),
            &URL_SAFE_NO_PAD.encode("i2:1:5"),
            &URL_SAFE_NO_PAD.encode("i1:1:5:6"),
            &URL_SAFE_NO_PAD.encode("i1:abc:5"),
        ] {
            assert_eq!(InstallCursor::parse(bad), Err(BadCursor), "{bad:?}");
        }
    }
}
