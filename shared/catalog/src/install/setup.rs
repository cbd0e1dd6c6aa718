//! What the workspace must connect before an installed copy works: an agent's tool assignments (which are
//! not copied) and a recipe's required tools.

use serde::{Deserialize, Serialize};

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::shown;
use crate::foundation::statement::{Sql, Statement};

/// Something the workspace must connect before the installed copy works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStep {
    pub kind: String,
    pub slug: String,
    pub name: String,
}

/// Tools to connect for each of `items`: an agent's tool assignments (not copied) and a recipe's required
/// tools; item by item in the order given, each item's by slug. One statement.
pub(crate) async fn requires_setup(
    db: &impl Sql,
    items: &[(ItemKind, i64)],
) -> Result<Vec<SetupStep>, CatalogError> {
    let (kinds, ids): (Vec<String>, Vec<i64>) = items
        .iter()
        .filter(|(kind, _)| matches!(kind, ItemKind::Agent | ItemKind::Recipe))
        .map(|(kind, id)| (kind.as_str().to_owned(), *id))
        .unzip();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = Statement::new(
        "SELECT s.slug, coalesce(c.display_name, c.app_name, s.slug) AS name
         FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS i(kind, id, position)
         CROSS JOIN LATERAL (
             SELECT app_slug AS slug FROM agent_tools WHERE i.kind = 'agent' AND agent_id = i.id
             UNION ALL
             SELECT jsonb_array_elements_text(required_tools) FROM workflow_templates
             WHERE i.kind = 'recipe' AND id = i.id) s
         LEFT JOIN composio_apps_cache c ON c.app_slug = s.slug
         ORDER BY i.position, s.slug",
    )
    .bind(kinds)
    .bind(ids)
    .query(db)
    .await?;
    rows.iter()
        .map(|row| {
            let (slug, name): (String, String) = (row.read("slug")?, row.read("name")?);
            Ok(SetupStep {
                kind: "tool".into(),
                slug: shown(&slug).to_owned(),
                name: shown(&name).to_owned(),
            })
        })
        .collect()
}
