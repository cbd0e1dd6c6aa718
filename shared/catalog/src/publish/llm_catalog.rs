//! The catalog of current LLMs, kept in a data file in the repo and upserted into `llm_models` as approved
//! marketplace items, keyed by (provider, model_id). Upserting never deletes or renumbers a row, and an
//! entry that has not changed is not written at all.

use serde::Deserialize;
use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::Statement;
use crate::foundation::version::Version;

/// The catalog shipped with the service.
pub const BUNDLED: &str = include_str!("../../../../seed/llm-catalog.json");

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LlmCatalogEntry {
    pub provider: String,
    pub model_id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub icon: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub context_window: i32,
    pub max_output_tokens: i32,
    pub input_cost_per_mtok: f64,
    pub output_cost_per_mtok: f64,
    #[serde(default)]
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpsertReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

pub fn parse(json: &str) -> Result<Vec<LlmCatalogEntry>, serde_json::Error> {
    serde_json::from_str(json)
}

/// Upserts every entry in one statement, and gives each new model its first approved version.
pub async fn upsert(
    tx: &Transaction<'_>,
    entries: &[LlmCatalogEntry],
) -> Result<UpsertReport, CatalogError> {
    let input = serde_json::to_value(entries).expect("catalog entries serialise");
    let rows = Statement::new(
            "INSERT INTO llm_models AS t (owner_type, is_approved, from_catalog, is_official, version, provider,
                 model_id, name, description, marketplace_category, marketplace_icon, tags, context_window,
                 max_output_tokens, input_cost_per_mtok, output_cost_per_mtok, capabilities)
             SELECT 'marketplace', true, true, true, $2, provider, model_id, name, description, category, icon,
                    coalesce(tags, '[]'), context_window, max_output_tokens,
                    input_cost_per_mtok, output_cost_per_mtok, coalesce(capabilities, '[]')
             FROM jsonb_to_recordset($1) AS e(provider text, model_id text, name text, description text,
                  category text, icon text, tags jsonb, context_window int, max_output_tokens int,
                  input_cost_per_mtok float8, output_cost_per_mtok float8, capabilities jsonb)
             ON CONFLICT (provider, model_id) WHERE from_catalog DO UPDATE SET
                 name = excluded.name, description = excluded.description,
                 marketplace_category = excluded.marketplace_category,
                 marketplace_icon = excluded.marketplace_icon, tags = excluded.tags,
                 context_window = excluded.context_window, max_output_tokens = excluded.max_output_tokens,
                 input_cost_per_mtok = excluded.input_cost_per_mtok,
                 output_cost_per_mtok = excluded.output_cost_per_mtok,
                 capabilities = excluded.capabilities, updated_at = now()
             WHERE (t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags,
                    t.context_window, t.max_output_tokens, t.input_cost_per_mtok, t.output_cost_per_mtok,
                    t.capabilities)
                   IS DISTINCT FROM
                   (excluded.name, excluded.description, excluded.marketplace_category,
                    excluded.marketplace_icon, excluded.tags, excluded.context_window,
                    excluded.max_output_tokens, excluded.input_cost_per_mtok, excluded.output_cost_per_mtok,
                    excluded.capabilities)
             RETURNING t.id, (t.xmax = 0) AS inserted",
        )
    .bind(input)
    .bind(Version::initial())
    .query(tx)
    .await?;
    let mut inserted: Vec<i64> = Vec::new();
    for row in &rows {
        if row.read("inserted")? {
            inserted.push(row.read("id")?);
        }
    }
    if !inserted.is_empty() {
        let content = crate::foundation::kind::ItemKind::Llm.content_sql("t");
        Statement::new(format!(
                "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, published_at)
                 SELECT t.id, 'llm', t.version, 'Added to the catalog.', {content}, 'approved', now()
                 FROM llm_models t WHERE t.id = ANY($1)
                 ON CONFLICT (item_id, version) DO NOTHING"
            ))
        .bind(&inserted)
        .execute(tx)
        .await?;
    }
    let written = rows.len() as u64;
    let inserted = inserted.len() as u64;
    Ok(UpsertReport {
        inserted,
        updated: written - inserted,
        unchanged: entries.len() as u64 - written,
    })
}

/// The catalog entries as a JSON array (for tools that want to show them).
pub fn bundled_entries() -> Result<Vec<LlmCatalogEntry>, serde_json::Error> {
    parse(BUNDLED)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_catalog_parses_and_has_unique_keys() {
        let entries = super::bundled_entries().unwrap();
        assert!(entries.len() >= 10);
        let mut keys: Vec<_> = entries.iter().map(|e| (&e.provider, &e.model_id)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), entries.len());
    }
}
