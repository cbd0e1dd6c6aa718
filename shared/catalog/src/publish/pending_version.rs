//! A submitted version as it waits for review: its content, the dependencies resolved for it, and the
//! capability manifest derived from both.

use serde_json::Value;
use tokio_postgres::Transaction;

use crate::foundation::capabilities::{Capabilities, Manifest};
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::findings::Finding;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;

/// A version to record as waiting for review.
pub(crate) struct PendingVersion<'a> {
    pub(crate) kind: ItemKind,
    pub(crate) item_id: i64,
    pub(crate) version: &'a Version,
    pub(crate) changelog: &'a str,
    pub(crate) content: &'a Value,
    pub(crate) user_id: i64,
    /// The item whose tool assignments are the version's (an agent's): the workspace item a new listing
    /// is submitted from (they are carried onto the listing), or the listing itself for a new version.
    pub(crate) tools_of: i64,
    pub(crate) declared: Option<&'a Capabilities>,
    /// The workspace it is submitted from.
    pub(crate) workspace: WorkspaceId,
    /// What the checks at submit found, none of it blocking.
    pub(crate) findings: &'a [Finding],
}

/// Records the pending version with its dependencies, resolved now for the publisher of the listing
/// (docs/api.md, "Dependencies"), and its capability manifest: its own content's, and each pinned
/// dependency's (its live version's manifest; derived from its content when that version has none). A
/// declared manifest must cover the derived one (422 naming what it misses). Returns the manifest.
pub(crate) async fn record_pending_version(
    tx: &Transaction<'_>,
    pending: &PendingVersion<'_>,
) -> Result<Manifest, CatalogError> {
    let kind = pending.kind;
    let resolved = Statement::new(format!(
        "SELECT d.dependencies,
                (SELECT coalesce(array_agg(app_slug ORDER BY app_slug), '{{}}') FROM agent_tools
                 WHERE agent_id = $4 AND $2::text = 'agent') AS tool_slugs,
                (SELECT coalesce(jsonb_agg(jsonb_build_object('type', e ->> 'type', 'stored', v.capabilities,
                                                              'content', c.content, 'tool_slugs', c.tool_slugs)),
                                 '[]')
                 FROM jsonb_array_elements(d.dependencies) e
                 LEFT JOIN item_versions v ON v.item_id = (e ->> 'item_id')::bigint
                      AND v.version = (e ->> 'version')::semver AND v.status = 'approved'
                 LEFT JOIN LATERAL ({dependency_content}) c ON true) AS dependency_manifests
         FROM (SELECT marketplace_resolve_dependencies($2::text::item_kind, $3::jsonb,
                   l.original_creator_id, l.catalog_id) AS dependencies
               FROM {table} l WHERE l.id = $1) d",
        table = kind.table(),
        dependency_content = dependency_content_sql(),
    ))
    .bind(pending.item_id)
    .bind(kind)
    .bind(pending.content)
    .bind(pending.tools_of)
    .query_one(tx)
    .await?;
    let dependencies: Value = resolved.read("dependencies")?;
    let tool_slugs: Vec<String> = resolved.read("tool_slugs")?;
    let mut capabilities = Capabilities::derive(kind, pending.content, &tool_slugs);
    for dependency in resolved
        .read::<Value>("dependency_manifests")?
        .as_array()
        .into_iter()
        .flatten()
    {
        capabilities = capabilities.union(&dependency_manifest(dependency)?);
    }
    if let Some(declared) = pending.declared {
        let undeclared = capabilities.undeclared(&declared.clone().normalised());
        if undeclared.needs_consent() {
            return Err(CatalogError::CapabilitiesUndeclared(Box::new(undeclared)));
        }
    }
    let manifest = Manifest::from(capabilities);
    let inserted = Statement::new(
        "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, submitted_by,
                                    dependencies, capabilities, capabilities_digest, workspace_id, findings)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING",
    )
    .bind(pending.item_id)
    .bind(kind)
    .bind(pending.version)
    .bind(pending.changelog)
    .bind(pending.content)
    .bind(pending.user_id)
    .bind(dependencies)
    .bind(serde_json::to_value(&manifest.capabilities).expect("a manifest serialises"))
    .bind(&manifest.capabilities_digest)
    .bind(pending.workspace)
    .bind(serde_json::to_value(pending.findings).expect("findings serialise"))
    .execute(tx)
    .await?;
    if inserted == 0 {
        return Err(CatalogError::Conflict(
            "A version of this item is already waiting for review.".into(),
        ));
    }
    Ok(manifest)
}

/// The content and tool assignments of dependency `e` (`{"type", "item_id"}`): an agent or an LLM.
fn dependency_content_sql() -> String {
    let branch = |kind: ItemKind| {
        format!(
            "SELECT {content} AS content, to_jsonb({tools}) AS tool_slugs FROM {table} t
             WHERE e ->> 'type' = '{kind}' AND t.id = (e ->> 'item_id')::bigint",
            content = kind.content_sql("t"),
            tools = kind.tool_slugs_sql("t"),
            table = kind.table(),
        )
    };
    format!(
        "{} UNION ALL {}",
        branch(ItemKind::Agent),
        branch(ItemKind::Llm)
    )
}

/// A pinned dependency's manifest: its live version's, or derived from its content when it has none.
fn dependency_manifest(dependency: &Value) -> Result<Capabilities, CatalogError> {
    let unreadable = |error: serde_json::Error| {
        CatalogError::Unreadable(format!("dependency manifest: {error}"))
    };
    if let Some(stored) = dependency.get("stored").filter(|stored| !stored.is_null()) {
        return serde_json::from_value(stored.clone()).map_err(unreadable);
    }
    let kind = dependency
        .get("type")
        .and_then(Value::as_str)
        .and_then(|kind| ItemKind::parse(kind).ok())
        .ok_or_else(|| CatalogError::Unreadable("dependency kind".into()))?;
    let tool_slugs: Vec<String> =
        serde_json::from_value(dependency.get("tool_slugs").cloned().unwrap_or_default())
            .unwrap_or_default();
    let content = dependency.get("content").cloned().unwrap_or_default();
    Ok(Capabilities::derive(kind, &content, &tool_slugs))
}
