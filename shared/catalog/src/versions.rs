use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::{CatalogError, ItemKind, Version, Viewer};

/// An approved version of a listing.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedVersion {
    pub version: Version,
    pub changelog: String,
    pub published_at: DateTime<Utc>,
}

/// The approved versions of an item this viewer may see, highest SemVer first.
pub async fn item_versions(
    db: &impl GenericClient,
    viewer: Viewer,
    id: i64,
) -> Result<Vec<PublishedVersion>, CatalogError> {
    let listed = viewer.listed_sql();
    let visible = ItemKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "SELECT t.id FROM {} t WHERE t.id = $1 AND {listed}",
                kind.table()
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows = db
        .query_typed(
            &format!(
                "SELECT item.id, v.version::text, v.changelog, v.published_at
                 FROM ({visible}) item
                 LEFT JOIN item_versions v ON v.item_id = item.id AND v.status = 'approved'"
            ),
            &[(&id, Type::INT8)],
        )
        .await?;
    if rows.is_empty() {
        return Err(CatalogError::NotFound("item"));
    }
    let mut versions: Vec<PublishedVersion> = rows
        .iter()
        .filter_map(|row| {
            let version: Option<&str> = row.get(1);
            Some(PublishedVersion {
                version: Version::parse(version?).ok()?,
                changelog: row.get(2),
                published_at: row.get(3),
            })
        })
        .collect();
    versions.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(versions)
}
