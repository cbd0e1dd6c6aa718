use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::locate::visible_kind;
use crate::params::Statement;
use crate::{CatalogError, Version, Viewer};

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
    visible_kind(db, viewer, id).await?;
    let rows = approved_versions_statement(id).query(db).await?;
    let mut versions: Vec<PublishedVersion> = rows
        .iter()
        .filter_map(|row| {
            Some(PublishedVersion {
                version: Version::parse(row.get(0)).ok()?,
                changelog: row.get(1),
                published_at: row.get(2),
            })
        })
        .collect();
    versions.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(versions)
}

/// The approved versions of item `id`, in no particular order.
pub fn approved_versions_statement(id: i64) -> Statement {
    Statement::with(
        "SELECT version::text, changelog, published_at FROM item_versions WHERE item_id = $1 AND status = 'approved'",
        id,
        Type::INT8,
    )
}
