//! Demo data for the local API: users, workspaces with members, the tools cache, and marketplace items of
//! every kind with versions (some pending). Seeding is idempotent: the first seeder to create the demo admin
//! writes everything else, in the same transaction; later runs find the admin and change nothing. The test
//! fixtures insert their items the same way ([`insert_item`]).

use std::collections::BTreeMap;

use marketplace_catalog::{ItemKind, Version};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio_postgres::types::Type;
use tokio_postgres::{GenericClient, Transaction};

/// The demo data shipped with the service.
pub const BUNDLED: &str = include_str!("../../../seed/demo.json");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data: {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("database error while seeding: {0}")]
    Database(#[from] tokio_postgres::Error),
}

impl DemoError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

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
    version: Version,
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
pub async fn seed(tx: &Transaction<'_>, data: &DemoData) -> Result<bool, DemoError> {
    if !insert_users(tx, &data.users).await? {
        return Ok(false);
    }
    insert_workspaces(tx, &data.workspaces).await?;
    let apps = Value::Array(data.apps.clone());
    tx.execute_typed(
        "INSERT INTO composio_apps_cache (app_slug, app_name, display_name, logo_url, description, categories,
                                          auth_schemes)
         SELECT app_slug, app_name, display_name, logo_url, description, categories, auth_schemes
         FROM jsonb_to_recordset($1) AS a(app_slug text, app_name text, display_name text, logo_url text,
                                          description text, categories jsonb, auth_schemes jsonb)
         ON CONFLICT (app_slug) DO NOTHING",
        &[(&apps, Type::JSONB)],
    )
    .await?;

    for kind in SEED_ORDER {
        for item in data.items.get(&kind).into_iter().flatten() {
            insert_item(tx, kind, item, None).await?;
        }
    }
    for (workspace, kinds) in &data.workspace_items {
        let workspace: uuid::Uuid = workspace
            .parse()
            .map_err(|_| DemoError::invalid("workspace_items", "keys must be workspace UUIDs"))?;
        for kind in SEED_ORDER {
            for item in kinds.get(&kind).into_iter().flatten() {
                insert_item(tx, kind, item, Some(workspace)).await?;
            }
        }
    }
    Ok(true)
}

/// Inserts the users that are missing; returns whether the demo admin was one of them (a first seed).
async fn insert_users(tx: &Transaction<'_>, users: &[DemoUser]) -> Result<bool, DemoError> {
    let mut first_seed = false;
    for user in users {
        let inserted = tx
            .query_typed_opt(
                "INSERT INTO users (auth_subject, display_name, email, system_role) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (auth_subject) DO NOTHING RETURNING id",
                &[
                    (&user.subject, Type::TEXT),
                    (&user.display_name, Type::TEXT),
                    (&user.email, Type::TEXT),
                    (&user.role, Type::TEXT),
                ],
            )
            .await?;
        first_seed |= inserted.is_some() && user.role == "admin";
    }
    Ok(first_seed)
}

async fn insert_workspaces(
    tx: &Transaction<'_>,
    workspaces: &[DemoWorkspace],
) -> Result<(), DemoError> {
    for workspace in workspaces {
        tx.execute_typed(
            "INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
            &[(&workspace.id, Type::UUID), (&workspace.name, Type::TEXT)],
        )
        .await?;
        for (subject, role) in &workspace.members {
            tx.execute_typed(
                "INSERT INTO workspace_members (workspace_id, user_id, role)
                 SELECT $1, id, $3 FROM users WHERE auth_subject = $2
                 ON CONFLICT (workspace_id, user_id) DO NOTHING",
                &[
                    (&workspace.id, Type::UUID),
                    (subject, Type::TEXT),
                    (role, Type::TEXT),
                ],
            )
            .await?;
        }
    }
    Ok(())
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
    db: &impl GenericClient,
    kind: ItemKind,
    item: &Map<String, Value>,
    workspace: Option<uuid::Uuid>,
) -> Result<i64, DemoError> {
    let versions: Vec<DemoVersion> = serde_json::from_value(
        item.get("versions")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
    )
    .map_err(|e| DemoError::invalid("versions", e.to_string()))?;
    let row = item_row(item, versions.last(), workspace)?;
    let columns = row.keys().cloned().collect::<Vec<_>>().join(", ");
    let table = kind.table();
    let creator = item.get("creator").and_then(Value::as_str);
    let id: i64 = db
        .query_typed_one(
            &format!(
                "INSERT INTO {table} ({columns}, original_creator_id)
                 SELECT {columns}, (SELECT id FROM users WHERE auth_subject = $2)
                 FROM jsonb_populate_record(NULL::{table}, $1)
                 RETURNING id"
            ),
            &[(&Value::Object(row), Type::JSONB), (&creator, Type::TEXT)],
        )
        .await?
        .try_get("id")?;
    let approved = item
        .get("is_approved")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    insert_versions(db, kind, id, &versions, approved).await?;
    if kind == ItemKind::Agent {
        link_tools_and_skills(db, id, item).await?;
    }
    if approved && workspace.is_none() {
        // Loaded, not reviewed: the approved listings' dependencies are pinned as approval pins a
        // reviewed version's, whichever of them was loaded first.
        db.query_typed("SELECT marketplace_pin_unreviewed()", &[])
            .await?;
    }
    Ok(id)
}

/// The item's columns: its own keys, its latest version, and who owns it.
fn item_row(
    item: &Map<String, Value>,
    latest: Option<&DemoVersion>,
    workspace: Option<uuid::Uuid>,
) -> Result<Map<String, Value>, DemoError> {
    let mut row: Map<String, Value> = item
        .iter()
        .filter(|(key, _)| !EXTRA_KEYS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if let Some(latest) = latest {
        row.insert("version".into(), latest.version.to_string().into());
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
        return Err(DemoError::invalid("items", "keys must be column names"));
    }
    Ok(row)
}

/// One version row per demo version, a week apart, the latest pending unless the item is approved.
async fn insert_versions(
    db: &impl GenericClient,
    kind: ItemKind,
    id: i64,
    versions: &[DemoVersion],
    approved: bool,
) -> Result<(), DemoError> {
    let sql = format!(
        "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, submitted_by,
                                    submitted_at, published_at)
         SELECT t.id, $2, $3, $4, {content}, $5, t.original_creator_id,
                now() - make_interval(days => $6), CASE WHEN $5 = 'approved' THEN now() - make_interval(days => $6) END
         FROM {table} t WHERE t.id = $1",
        content = kind.content_sql("t"),
        table = kind.table(),
    );
    for (index, version) in versions.iter().enumerate() {
        let is_latest = index + 1 == versions.len();
        let status = if approved || !is_latest {
            "approved"
        } else {
            "pending"
        };
        db.execute_typed(
            &sql,
            &[
                (&id, Type::INT8),
                (&kind, Type::TEXT),
                (&version.version, Type::TEXT),
                (&version.changelog, Type::TEXT),
                (&status, Type::TEXT),
                (&(((versions.len() - index) * 7) as i32), Type::INT4),
            ],
        )
        .await?;
    }
    Ok(())
}

/// An agent's `tools` (app slugs) and `skills` (names of marketplace skills).
async fn link_tools_and_skills(
    db: &impl GenericClient,
    id: i64,
    item: &Map<String, Value>,
) -> Result<(), DemoError> {
    let tools = item.get("tools").cloned().unwrap_or(Value::Array(vec![]));
    let skills = item.get("skills").cloned().unwrap_or(Value::Array(vec![]));
    db.execute_typed(
        "INSERT INTO agent_tools (agent_id, app_slug) SELECT $1, slug FROM jsonb_array_elements_text($2) slug",
        &[(&id, Type::INT8), (&tools, Type::JSONB)],
    )
    .await?;
    db.execute_typed(
        "INSERT INTO agent_skills (agent_id, skill_id)
         SELECT $1, min(s.id) FROM jsonb_array_elements_text($2) wanted
         JOIN skills s ON s.name = wanted AND s.owner_type = 'marketplace'
         GROUP BY wanted",
        &[(&id, Type::INT8), (&skills, Type::JSONB)],
    )
    .await?;
    Ok(())
}
