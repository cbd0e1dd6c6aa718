use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::{Capabilities, Manifest};
use crate::foundation::column::{read_manifest, ReadColumn};
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind_sql;
use crate::foundation::pulled::{read_revocation, read_yank, Revocation, Yank};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::version::Version;

/// An approved version of a listing, and what it reaches.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedVersion {
    pub version: Version,
    pub changelog: String,
    pub published_at: DateTime<Utc>,
    /// As recorded when it was submitted; for a version that predates manifests, derived from the content it
    /// kept (`null` when it kept none).
    pub capabilities: Option<Capabilities>,
    pub capabilities_digest: Option<String>,
    /// Yanked by its publisher or an admin: never installed or offered as an update.
    pub yanked: Option<Yank>,
    /// Revoked by an admin: never installed, and its installed copies carry an advisory.
    pub revoked: Option<Revocation>,
}

/// The approved versions of an item this audience may see, highest SemVer first.
pub async fn item_versions(
    db: &impl Sql,
    audience: Audience,
    id: i64,
) -> Result<Vec<PublishedVersion>, CatalogError> {
    let rows = versions_statement(audience, id).query(db).await?;
    let kind: ItemKind = rows
        .first()
        .ok_or(CatalogError::NotFound("item"))?
        .read("kind")?;
    let mut versions = rows
        .iter()
        .filter(|row| matches!(row.read::<Option<String>>("version"), Ok(Some(_))))
        .map(|row| PublishedVersion::from_row(kind, row))
        .collect::<Result<Vec<_>, _>>()?;
    versions.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(versions)
}

impl PublishedVersion {
    fn from_row(kind: ItemKind, row: &Row) -> Result<Self, CatalogError> {
        let stored = read_manifest(row)?;
        let manifest = match (stored, row.read::<Option<serde_json::Value>>("content")?) {
            (Some(stored), _) => Some(stored),
            (None, Some(content)) => {
                let tool_slugs: Vec<String> = row.read("tool_slugs")?;
                Some(Manifest::from(Capabilities::derive(
                    kind,
                    &content,
                    &tool_slugs,
                )))
            }
            (None, None) => None,
        };
        let (capabilities, capabilities_digest) = match manifest {
            Some(manifest) => (
                Some(manifest.capabilities),
                Some(manifest.capabilities_digest),
            ),
            None => (None, None),
        };
        Ok(Self {
            version: row.read("version")?,
            changelog: row.read("changelog")?,
            published_at: row.read("published_at")?,
            capabilities,
            capabilities_digest,
            yanked: read_yank(row)?,
            revoked: read_revocation(row)?,
        })
    }
}

/// The kind of item `id` (five primary-key probes) when `audience` may see it, and its approved versions,
/// in no particular order, one per row (one row with no version when it has none), with their manifests
/// (or, for versions that predate manifests, the content and tool assignments to derive one from).
pub fn versions_statement(audience: Audience, id: i64) -> Statement<'static> {
    Statement::new(format!(
        "SELECT k.kind, v.* FROM ({kind}) k LEFT JOIN LATERAL (
             SELECT version::text AS version, changelog, published_at, capabilities, capabilities_digest,
                    yanked_at, yank_reason, revoked_at, revoke_reason, revoke_severity,
                    CASE WHEN capabilities IS NULL THEN content END AS content,
                    CASE WHEN capabilities IS NULL
                         THEN ARRAY(SELECT g.app_slug FROM agent_tools g WHERE g.agent_id = $1 ORDER BY 1)
                         ELSE '{{}}' END AS tool_slugs
             FROM item_versions WHERE item_id = $1 AND status = 'approved') v ON true",
        kind = visible_kind_sql(audience),
    ))
    .bind(id)
}
