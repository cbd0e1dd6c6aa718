//! What the workspace must connect before an installed copy works: an agent's tool assignments (which are
//! not copied) and a recipe's required tools.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::shown;

/// Something the workspace must connect before the installed copy works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStep {
    pub kind: String,
    pub slug: String,
    pub name: String,
}

/// The tools a copy of row `alias` of `kind` needs connected, by slug, each with its display name, as a
/// `jsonb` array of `[slug, name]` (a SQL expression read with the listing, so a plan needs no statement of
/// its own for them): an agent's tool assignments, a recipe's required tools, nothing for the other kinds.
pub(crate) fn setup_sql(kind: ItemKind, alias: &str) -> String {
    let slugs = match kind {
        ItemKind::Agent => {
            format!("SELECT g.app_slug FROM agent_tools g WHERE g.agent_id = {alias}.id")
        }
        ItemKind::Recipe => format!("SELECT jsonb_array_elements_text({alias}.required_tools)"),
        ItemKind::Skill | ItemKind::Llm | ItemKind::Tool => return "'[]'::jsonb".to_owned(),
    };
    format!(
        "(SELECT coalesce(jsonb_agg(jsonb_build_array(s.slug, coalesce(c.display_name, c.app_name, s.slug))
                                    ORDER BY s.slug), '[]')
          FROM ({slugs}) s(slug) LEFT JOIN composio_apps_cache c ON c.app_slug = s.slug)"
    )
}

/// The steps of a [`setup_sql`] value.
pub(crate) fn setup_steps(value: Value) -> Result<Vec<SetupStep>, CatalogError> {
    let pairs: Vec<(String, String)> = serde_json::from_value(value)
        .map_err(|e| CatalogError::Unreadable(format!("setup steps: {e}")))?;
    Ok(pairs
        .into_iter()
        .map(|(slug, name)| SetupStep {
            kind: "tool".into(),
            slug: shown(&slug).to_owned(),
            name: shown(&name).to_owned(),
        })
        .collect())
}
