//! Demo data for the local API: users, workspaces with members, the tools cache, and marketplace items of
//! every kind with versions (some pending). Seeding is idempotent: the first seeder to create the demo admin
//! writes everything else, in the same transaction; later runs find the admin and change nothing.

use serde::Deserialize;
use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tokio_postgres::{GenericClient, Transaction};

use crate::column::ReadColumn;
use crate::statement::Statement;
use crate::{CatalogError, ItemKind};

/// The demo data shipped with the service.
pub const BUNDLED: &str = include_str!("../../../seed/demo.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoData {
    users: Vec<DemoUser>,
    workspaces: Vec<DemoWorkspace>,
    apps: Vec<Value>,
    items: BTreeMap<ItemKind, Vec<Map<String, Value>>>,
    workspace_items: BTreeMap<String, BTreeMap<ItemKind, Vec<Map<String, Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoUser {
    pub subject: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoWorkspace {
    id: uuid::Uuid,
    name: String,
    members: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct DemoVersion {
    version: String,
    changelog: String,
}

impl DemoData {
    pub fn bundled() -> Result<Self, serde_json::Error> {
        serde_json::from_str(BUNDLED)
    }

    pub fn users(&self) -> &[DemoUser] {
        &self.users
    }
}

/// Seeds the demo data unless it is already there. Returns whether it wrote anything.
pub async fn seed(tx: &Transaction<'_>, data: &DemoData) -> Result<bool, CatalogError> {
    let mut first_seed = false;
    for user in &data.users {
        let inserted = Statement::new(
            "INSERT INTO users (auth_subject, display_name, email, system_role) VALUES ($1, $2, $3, $4)
             ON CONFLICT (auth_subject) DO NOTHING RETURNING id",
        )
        .bind(&user.subject)
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(&user.role)
        .query_opt(tx)
        .await?;
        first_seed |= inserted.is_some() && user.role == "admin";
    }
    if !first_seed {
        return Ok(false);
    }

    for workspace in &data.workspaces {
        Statement::new(
            "INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(workspace.id)
        .bind(&workspace.name)
        .execute(tx)
        .await?;
        for (subject, role) in &workspace.members {
            Statement::new(
                "INSERT INTO workspace_members (workspace_id, user_id, role)
                 SELECT $1, id, $3 FROM users WHERE auth_subject = $2
                 ON CONFLICT (workspace_id, user_id) DO NOTHING",
            )
            .bind(workspace.id)
            .bind(subject)
            .bind(role)
            .execute(tx)
            .await?;
        }
    }

    let apps = Value::Array(data.apps.clone());
    Statement::new(
        "INSERT INTO composio_apps_cache (app_slug, app_name, display_name, logo_url, description, categories,
                                          auth_schemes)
         SELECT app_slug, app_name, display_name, logo_url, description, categories, auth_schemes
         FROM jsonb_to_recordset($1) AS a(app_slug text, app_name text, display_name text, logo_url text,
                                          description text, categories jsonb, auth_schemes jsonb)
         ON CONFLICT (app_slug) DO NOTHING",
    )
    .bind(apps)
    .execute(tx)
    .await?;

    for kind in SEED_ORDER {
        for item in data.items.get(&kind).into_iter().flatten() {
            insert_item(tx, kind, item, None).await?;
        }
    }
    for (workspace, kinds) in &data.workspace_items {
        let workspace: uuid::Uuid = workspace.parse().map_err(|_| {
            CatalogError::invalid("workspace_items", "keys must be workspace UUIDs")
        })?;
        for kind in SEED_ORDER {
            for item in kinds.get(&kind).into_iter().flatten() {
                insert_item(tx, kind, item, Some(workspace)).await?;
            }
        }
    }
    Ok(true)
}

/// Skills before agents: agents link to skills by name.
const SEED_ORDER: [ItemKind; 5] = [
    ItemKind::Skill,
    ItemKind::Tool,
    ItemKind::Llm,
    ItemKind::Agent,
    ItemKind::Recipe,
];

/// Keys of a demo item that are not columns of its table.
const EXTRA_KEYS: [&str; 4] = ["creator", "versions", "tools", "skills"];

/// Inserts one item as the demo data writes it: table columns plus `creator` (an auth subject), `versions`
/// (`[{"version", "changelog"}]`, oldest first; the last is the item's version, pending unless
/// `is_approved`), and for agents `tools` (app slugs) and `skills` (marketplace skill names).
pub async fn insert_item(
    tx: &impl GenericClient,
    kind: ItemKind,
    item: &Map<String, Value>,
    workspace: Option<uuid::Uuid>,
) -> Result<i64, CatalogError> {
    let mut row: Map<String, Value> = item
        .iter()
        .filter(|(key, _)| !EXTRA_KEYS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let versions: Vec<DemoVersion> = serde_json::from_value(
        item.get("versions")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
    )
    .map_err(|e| CatalogError::invalid("versions", e.to_string()))?;
    if let Some(latest) = versions.last() {
        row.insert("version".into(), latest.version.clone().into());
    }
    match workspace {
        Some(id) => {
            row.insert("owner_type".into(), "workspace".into());
            row.insert("workspace_id".into(), id.to_string().into());
            row.insert("owner_id".into(), id.to_string().into());
        }
        None => {
            row.insert("owner_type".into(), "marketplace".into());
        }
    }
    if row
        .keys()
        .any(|key| !key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    {
        return Err(CatalogError::invalid("items", "keys must be column names"));
    }
    let columns = row.keys().cloned().collect::<Vec<_>>().join(", ");
    let table = kind.table();
    let creator = item.get("creator").and_then(Value::as_str);
    let id: i64 = Statement::new(format!(
        "INSERT INTO {table} ({columns}, original_creator_id)
                 SELECT {columns}, (SELECT id FROM users WHERE auth_subject = $2)
                 FROM jsonb_populate_record(NULL::{table}, $1)
                 RETURNING id"
    ))
    .bind(Value::Object(row))
    .bind(creator)
    .query_one(tx)
    .await?
    .read("id")?;

    let approved = item
        .get("is_approved")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let content = kind.content_sql("t");
    for (index, version) in versions.iter().enumerate() {
        let is_latest = index + 1 == versions.len();
        let status = if approved || !is_latest {
            "approved"
        } else {
            "pending"
        };
        Statement::new(format!(
                "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, submitted_by,
                                            submitted_at, published_at)
                 SELECT t.id, $2, $3, $4, {content}, $5, t.original_creator_id,
                        now() - make_interval(days => $6), CASE WHEN $5 = 'approved' THEN now() - make_interval(days => $6) END
                 FROM {table} t WHERE t.id = $1"
            ))
        .bind(id)
        .bind(kind)
        .bind(&version.version)
        .bind(&version.changelog)
        .bind(status)
        .bind(((versions.len() - index) * 7) as i32)
        .execute(tx)
        .await?;
    }

    if kind == ItemKind::Agent {
        let tools = item.get("tools").cloned().unwrap_or(Value::Array(vec![]));
        let skills = item.get("skills").cloned().unwrap_or(Value::Array(vec![]));
        Statement::new(
            "INSERT INTO agent_tools (agent_id, app_slug) SELECT $1, slug FROM jsonb_array_elements_text($2) slug",
        )
        .bind(id)
        .bind(tools)
        .execute(tx)
        .await?;
        Statement::new(
            "INSERT INTO agent_skills (agent_id, skill_id)
             SELECT $1, min(s.id) FROM jsonb_array_elements_text($2) wanted
             JOIN skills s ON s.name = wanted AND s.owner_type = 'marketplace'
             GROUP BY wanted",
        )
        .bind(id)
        .bind(skills)
        .execute(tx)
        .await?;
    }
    Ok(id)
}
