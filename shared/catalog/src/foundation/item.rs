//! The public JSON of an item, and how it is read from a row.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_postgres::Row;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::redact_fields;
use crate::foundation::redact::redact_secrets;
use crate::foundation::version::Version;

/// A listing or a workspace item as responses name it: id, kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
}

/// An item as lists and the featured section show it. Never carries an e-mail address or a secret.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub icon: Option<String>,
    pub tags: Value,
    pub version: Version,
    /// All-time installs.
    pub install_count: i64,
    pub rating: Rating,
    /// Installs not uninstalled whose workspace copy still exists.
    pub active_installs: i64,
    /// Distinct workspaces that ever installed it.
    pub workspace_count: i64,
    pub is_featured: bool,
    /// Vouched for by a marketplace admin: any publisher's versions may depend on it.
    pub is_official: bool,
    pub is_approved: bool,
    pub creator: Option<Creator>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub metadata: Value,
    pub visibility: Visibility,
    /// The private catalog the listing belongs to; `None` when public.
    pub catalog: Option<CatalogRef>,
}

/// Who may see a listing: everyone, or the members of its catalog's workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Private,
}

/// A private catalog as a listing names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogRef {
    pub id: i64,
    pub name: String,
}

impl CatalogRef {
    /// The catalog in columns `catalog_id` and `catalog_name` of a row, if the row names one.
    pub(crate) fn from_row(row: &Row) -> Result<Option<Self>, CatalogError> {
        let id: Option<i64> = row.read("catalog_id")?;
        let name: Option<String> = row.read("catalog_name")?;
        Ok(id.zip(name).map(|(id, name)| Self { id, name }))
    }

    pub(crate) fn visibility(catalog: &Option<Self>) -> Visibility {
        match catalog {
            Some(_) => Visibility::Private,
            None => Visibility::Public,
        }
    }
}

/// A listing's rating from its visible user reviews, kept on its row as reviews are written (V8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rating {
    /// The mean of the visible ratings, to two decimals; `None` without any.
    pub average: Option<f64>,
    pub count: i64,
}

impl Rating {
    /// The rating of `count` visible ratings summing to `sum`.
    pub(crate) fn new(sum: i64, count: i64) -> Self {
        let average = (count > 0).then(|| (sum as f64 / count as f64 * 100.0).round() / 100.0);
        Self { average, count }
    }

    /// From columns `rating_sum` and `rating_count` of a row.
    pub(crate) fn from_row(row: &Row) -> Result<Self, CatalogError> {
        Ok(Self::new(
            i64::from(row.read::<i32>("rating_sum")?),
            i64::from(row.read::<i32>("rating_count")?),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Creator {
    pub id: i64,
    pub display_name: String,
}

/// The summary of each listing a relation `p` names by `kind` and `id`: the columns of view
/// `item_summaries` (V20) as [`ItemSummary::from_row`] reads them, joined by this clause and selected by
/// [`SUMMARY_COLUMNS`].
pub(crate) fn summary_join(p: &str) -> String {
    format!(
        "JOIN item_summaries s ON s.id = {p}.id AND s.kind = {p}.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id"
    )
}

/// What [`summary_join`] selects.
pub(crate) const SUMMARY_COLUMNS: &str = "s.*, sc.name AS catalog_name";

impl ItemSummary {
    /// The summary of an item row as `audience` sees it, with the redaction policy applied to everything
    /// taken from its configuration. An agent's metadata also names its tools and counts the skills the
    /// audience sees in its detail (V21's columns).
    pub(crate) fn from_row(row: &Row, audience: Audience) -> Result<Self, CatalogError> {
        let kind: ItemKind = row.read("kind")?;
        let mut tags: Value = row.read("tags")?;
        let mut metadata: Value = row.read("metadata")?;
        redact_secrets(&mut tags);
        redact_fields(&mut metadata);
        if let (ItemKind::Agent, Value::Object(fields)) = (kind, &mut metadata) {
            let skills_count: i64 = row.read(if audience.is_admin() {
                "agent_skills_listed"
            } else {
                "agent_skills_approved"
            })?;
            fields.insert("tools".into(), row.read("agent_tools")?);
            fields.insert("skills_count".into(), skills_count.into());
        }
        let catalog = CatalogRef::from_row(row)?;
        Ok(Self {
            id: row.read("id")?,
            kind,
            name: row.read("name")?,
            description: row.read("description")?,
            category: row.read("marketplace_category")?,
            icon: row.read("marketplace_icon")?,
            tags,
            version: row.read("version")?,
            install_count: i64::from(row.read::<i32>("install_count")?),
            rating: Rating::from_row(row)?,
            active_installs: i64::from(row.read::<i32>("active_installs")?),
            workspace_count: i64::from(row.read::<i32>("workspace_count")?),
            is_featured: row.read("is_featured")?,
            is_official: row.read("is_official")?,
            is_approved: row.read("is_approved")?,
            creator: Creator::from_row(row, "original_creator_id", "creator_name")?,
            created_at: row.read("created_at")?,
            updated_at: row.read("updated_at")?,
            metadata,
            visibility: CatalogRef::visibility(&catalog),
            catalog,
        })
    }
}

impl Creator {
    /// The user in columns `id_column` and `name_column` of a row, when it names one.
    pub(crate) fn from_row(
        row: &Row,
        id_column: &str,
        name_column: &str,
    ) -> Result<Option<Self>, CatalogError> {
        let id: Option<i64> = row.read(id_column)?;
        let name: Option<String> = row.read(name_column)?;
        Ok(id
            .zip(name)
            .map(|(id, display_name)| Self { id, display_name }))
    }
}
