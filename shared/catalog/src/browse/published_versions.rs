use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row};

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::locate::visible_kind;
use crate::foundation::statement::Statement;
use crate::foundation::version::Version;

/// An approved version of a listing.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedVersion {
    pub version: Version,
    pub changelog: String,
    pub published_at: DateTime<Utc>,
}

/// The approved versions of an item this audience may see, highest SemVer first.
pub async fn item_versions(
    db: &impl GenericClient,
    audience: Audience,
    id: i64,
) -> Result<Vec<PublishedVersion>, CatalogError> {
    visible_kind(db, audience, id).await?;
    let rows = approved_versions_statement(id).query(db).await?;
    let mut versions = rows
        .iter()
        .map(PublishedVersion::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    versions.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(versions)
}

impl PublishedVersion {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        Ok(Self {
            version: row.read("version")?,
            changelog: row.read("changelog")?,
            published_at: row.read("published_at")?,
        })
    }
}

/// The approved versions of item `id`, in no particular order.
pub fn approved_versions_statement(id: i64) -> Statement<'static> {
    Statement::new(
        "SELECT version::text AS version, changelog, published_at
         FROM item_versions WHERE item_id = $1 AND status = 'approved'",
    )
    .bind(id)
}
