//! One item in full: its summary, its (redacted) content, what it depends on, and its latest changelog.

use serde::Serialize;
use serde_json::Value;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::{Capabilities, Manifest};
use crate::foundation::column::{read_manifest, ReadColumn};
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemSummary;
use crate::foundation::item::{summary_join, SUMMARY_COLUMNS};
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::redact_fields;
use crate::foundation::statement::{Sql, Statement};

#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    #[serde(flatten)]
    pub summary: ItemSummary,
    pub content: Value,
    pub dependencies: Dependencies,
    pub latest_changelog: Option<String>,
    /// The listing this one was forked from (submitted from a modified install of it), while that listing is
    /// visible to the audience: `{"id", "name"}`.
    pub forked_from: Option<Value>,
    /// What its live version reaches, with its pinned dependencies (as recorded when it was submitted; for a
    /// version that predates manifests, derived from its content now).
    #[serde(flatten)]
    pub manifest: Manifest,
}

/// What an item needs to work: skills and tools it uses, the LLM it runs on, agents it recommends.
#[derive(Debug, Clone, Serialize)]
pub struct Dependencies {
    pub skills: Value,
    pub tools: Value,
    pub llm: Value,
    pub agents: Value,
}

/// The item with this id, if this audience may see it in the marketplace.
pub async fn item_detail(
    db: &impl Sql,
    audience: Audience,
    id: i64,
) -> Result<ItemDetail, CatalogError> {
    let row = detail_statement(audience, id)
        .query_opt(db)
        .await?
        .ok_or(CatalogError::NotFound("item"))?;

    let summary = ItemSummary::from_row(&row, audience)?;
    let mut content: Value = row.read("content")?;
    let manifest = match read_manifest(&row)? {
        Some(stored) => stored,
        None => Manifest::from(Capabilities::derive(
            summary.kind,
            &content,
            &row.read::<Vec<String>>("tool_slugs")?,
        )),
    };
    redact_fields(&mut content);
    let dependencies = Dependencies::from_row(&row)?;
    Ok(ItemDetail {
        manifest,
        summary,
        content,
        dependencies,
        latest_changelog: row.read("latest_changelog")?,
        forked_from: row.read("forked_from")?,
    })
}

/// The item's row in full (five primary-key probes, one of which can match, then its summary), with its
/// creator's name, its tool assignments, the changelog and manifest of its current version, and what it
/// depends on: everything the detail shows, in one statement.
pub fn detail_statement(audience: Audience, id: i64) -> Statement<'static> {
    let listed = audience.listed("t");
    let branches = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT '{kind}'::text AS kind, t.id, {content} AS content, {tools} AS tool_slugs,
                    (SELECT jsonb_build_object('id', o.id, 'name', o.name) FROM {table} o
                     WHERE o.id = t.forked_from_id AND {original_listed}) AS forked_from
             FROM {table} t WHERE t.id = $1 AND {listed}",
            tools = kind.tool_slugs_sql("t"),
            content = kind.content_sql("t"),
            table = kind.table(),
            original_listed = audience.listed("o"),
        )
    });
    Statement::new(format!(
        "SELECT {SUMMARY_COLUMNS}, item.content, item.tool_slugs, item.forked_from,
                u.display_name AS creator_name, live.changelog AS latest_changelog,
                live.capabilities, live.capabilities_digest, {dependencies}
         FROM ({branches}) item
         {join}
         LEFT JOIN users u ON u.id = s.original_creator_id
         LEFT JOIN LATERAL (
             SELECT v.changelog, v.capabilities, v.capabilities_digest FROM item_versions v
             WHERE v.item_id = s.id AND v.version = s.version AND v.status = 'approved'
         ) live ON true",
        join = summary_join("item"),
        dependencies = dependency_columns(audience),
    ))
    .bind(id)
}

/// A tool object for app slug `slug`, with its cache row `c`.
const TOOL_OBJECT: &str = "jsonb_build_object('slug', slug, \
     'name', coalesce(c.display_name, c.app_name, slug), 'icon_url', c.logo_url, \
     'auth_required', coalesce(jsonb_array_length(c.auth_schemes) > 0, false))";

impl Dependencies {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            skills: row.read("dependency_skills")?,
            tools: row.read("dependency_tools")?,
            llm: row
                .read::<Option<Value>>("dependency_llm")?
                .unwrap_or(Value::Null),
            agents: row.read("dependency_agents")?,
        })
    }
}

/// What the listing of summary `s` depends on, as four columns of its detail, each read only for the kinds
/// that have it: its skills and tools, and the LLM and agents its live version pinned (what an install
/// brings). Only items the audience could open themselves are named.
fn dependency_columns(audience: Audience) -> String {
    let skill_listed = audience.listed("k");
    let llm_listed = audience.listed("m");
    let agent_listed = audience.listed("a");
    format!(
        "CASE s.kind WHEN 'agent' THEN
             (SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'name', k.name,
                                        'description', k.description) ORDER BY k.name, k.id), '[]')
              FROM agent_skills l JOIN skills k ON k.id = l.skill_id
              WHERE l.agent_id = s.id AND {skill_listed})
         ELSE '[]' END AS dependency_skills,
         CASE s.kind
         WHEN 'agent' THEN
             (SELECT coalesce(jsonb_agg({TOOL_OBJECT} ORDER BY slug), '[]')
              FROM (SELECT app_slug AS slug FROM agent_tools WHERE agent_id = s.id) tools
              LEFT JOIN composio_apps_cache c ON c.app_slug = slug)
         WHEN 'recipe' THEN
             (SELECT coalesce(jsonb_agg({TOOL_OBJECT} ORDER BY slug), '[]')
              FROM workflow_templates w, jsonb_array_elements_text(w.required_tools) AS slug
              LEFT JOIN composio_apps_cache c ON c.app_slug = slug
              WHERE w.id = s.id)
         WHEN 'tool' THEN
             (SELECT coalesce(jsonb_agg({TOOL_OBJECT}), '[]')
              FROM (SELECT app_slug AS slug FROM tools WHERE id = s.id) tool
              LEFT JOIN composio_apps_cache c ON c.app_slug = slug)
         ELSE '[]' END AS dependency_tools,
         CASE s.kind WHEN 'agent' THEN
             (SELECT jsonb_build_object('id', m.id, 'name', m.name, 'provider', m.provider,
                                        'model_id', m.model_id)
              FROM listing_dependencies d JOIN llm_models m ON m.id = d.dependency_id
              WHERE d.listing_id = s.id AND d.dependency_kind = 'llm' AND {llm_listed}
              ORDER BY m.id LIMIT 1)
         END AS dependency_llm,
         CASE s.kind WHEN 'recipe' THEN
             (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name,
                                        'description', a.description) ORDER BY a.name, a.id), '[]')
              FROM listing_dependencies d JOIN agents a ON a.id = d.dependency_id
              WHERE d.listing_id = s.id AND d.dependency_kind = 'agent' AND {agent_listed})
         ELSE '[]' END AS dependency_agents"
    )
}
