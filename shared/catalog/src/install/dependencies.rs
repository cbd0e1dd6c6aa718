//! What a listing brings with it, read for a plan: a recipe's recommended agents, an agent's LLM (the one its
//! version pinned, or the one its configuration names), each a listed item a member could install.

use std::collections::HashMap;

use serde_json::Value;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::Capabilities;
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::pulled::live_version_pulled_sql;
use crate::foundation::redact::shown;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;
use crate::install::planned::{Node, NodeAction};
use tokio_postgres::Row;

impl Node {
    /// A node to clone under a name [`claim_names`] gives it once the plan is complete.
    pub(crate) fn unnamed_clone(
        kind: ItemKind,
        listing: Listing,
        depth: usize,
        parent: Option<usize>,
    ) -> Self {
        Self {
            kind,
            capabilities: Capabilities::derive(kind, &listing.content, &listing.tool_slugs),
            content_digest: listing.content_digest,
            listing_id: listing.id,
            name: listing.name,
            depth,
            parent,
            action: NodeAction::Clone {
                as_name: String::new(),
            },
            skills: Vec::new(),
            requested_as: Vec::new(),
        }
    }
}

/// A listing's id and name, and what its manifest is derived from: its live content and (agents) its tool
/// assignments; and its live version's content digest, when approval recorded one.
pub(crate) struct Listing {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) content: Value,
    pub(crate) tool_slugs: Vec<String>,
    pub(crate) content_digest: Option<String>,
}

impl Listing {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            name: row.read("name")?,
            content: row.read("content")?,
            tool_slugs: row.read("tool_slugs")?,
            content_digest: row.read("content_digest")?,
        })
    }
}

/// The columns [`Listing::from_row`] reads from a row `t` of `kind`.
fn listing_columns(kind: ItemKind) -> String {
    format!(
        "t.id, t.name, {content} AS content, {tools} AS tool_slugs, {digest} AS content_digest",
        content = kind.content_sql("t"),
        tools = kind.tool_slugs_sql("t"),
        digest = content::approved_digest_sql("t"),
    )
}

/// An install's hold on its item: the lane is locked, and the install record id drawn.
pub(crate) struct RootLane {
    /// The workspace's first install of the listing.
    pub(crate) first: bool,
    pub(crate) install_id: i64,
}

/// The listing `id` a member may install, with its kind: a primary-key probe of each kind's table in one
/// statement, or of `kind`'s alone when the caller remembers it (a hint: when that table has nothing, every
/// kind's is probed). With `lock`, the same statement locks the listing's lane in that workspace
/// (install/locks.rs) and draws the install's record id; nothing is locked when the listing is not found.
pub(crate) async fn installable_listing(
    db: &impl Sql,
    workspace: WorkspaceId,
    id: i64,
    kind: Option<ItemKind>,
    lock: bool,
) -> Result<(ItemKind, Listing, Option<RootLane>), CatalogError> {
    let mut found = None;
    if let Some(kind) = kind {
        found = probe(db, workspace, id, &[kind], lock).await?;
    }
    if found.is_none() {
        found = probe(db, workspace, id, &ItemKind::ALL, lock).await?;
    }
    let row = found.ok_or(CatalogError::NotFound("item"))?;
    if row.read("pulled")? {
        return Err(CatalogError::NoInstallableVersion);
    }
    let lane = row
        .read::<Option<i64>>("install_id")?
        .map(|install_id| -> Result<RootLane, CatalogError> {
            Ok(RootLane {
                first: row.read("first")?,
                install_id,
            })
        })
        .transpose()?;
    Ok((row.read("kind")?, Listing::from_row(&row)?, lane))
}

/// [`installable_listing`]'s statement over the tables of `kinds`.
async fn probe(
    db: &impl Sql,
    workspace: WorkspaceId,
    id: i64,
    kinds: &[ItemKind],
    lock: bool,
) -> Result<Option<Row>, CatalogError> {
    let probes = union_all(kinds, |kind| {
        format!(
            "SELECT '{kind}'::text AS kind, {columns}, {pulled} AS pulled FROM {table} t
             WHERE t.id = $1 AND {listed}",
            columns = listing_columns(kind),
            table = kind.table(),
            listed = Audience::Workspace(workspace).listed("t"),
            pulled = live_version_pulled_sql("t"),
        )
    });
    let statement = match lock {
        true => Statement::new(format!(
            "SELECT v.*, EXISTS (SELECT 1 FROM marketplace_lock_lanes($2, ARRAY[v.id], ARRAY[true])) AS first,
                    (SELECT r FROM marketplace_reserve_install_ids(1) AS r) AS install_id
             FROM ({probes}) v"
        ))
        .bind(id)
        .bind(workspace),
        false => Statement::new(format!(
            "SELECT v.*, false AS first, NULL::bigint AS install_id FROM ({probes}) v"
        ))
        .bind(id),
    };
    Ok(statement.query_opt(db).await?)
}

/// A dependency found for a node.
pub(crate) struct Edge {
    pub(crate) kind: ItemKind,
    pub(crate) listing: Listing,
    pub(crate) requested_as: Vec<String>,
}

/// A recipe's recommended agents: the agents its version pinned, each under the names it was asked for
/// (case-insensitive). A name nothing was pinned for is a warning.
pub(crate) async fn recommended_agents(
    db: &impl Sql,
    node: &Node,
    pins: Vec<Pin>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Edge>, CatalogError> {
    let row = Statement::new("SELECT recommended_agents FROM workflow_templates WHERE id = $1")
        .bind(node.listing_id)
        .query_one(db)
        .await?;
    let recommended: Value = row.read("recommended_agents")?;
    // Each name once, as first spelled.
    let mut wanted: Vec<String> = Vec::new();
    for name in recommended.as_array().into_iter().flatten() {
        if let Some(name) = name.as_str().map(str::trim).filter(|name| !name.is_empty()) {
            if !wanted
                .iter()
                .any(|w| w.to_lowercase() == name.to_lowercase())
            {
                wanted.push(name.to_owned());
            }
        }
    }
    // In the order the recipe names them, as before pins existed.
    let position = |pin: &Pin| {
        wanted
            .iter()
            .position(|name| pin.requested_as.contains(&name.to_lowercase()))
            .unwrap_or(usize::MAX)
    };
    let mut agents: Vec<Pin> = pins
        .into_iter()
        .filter(|pin| pin.kind == ItemKind::Agent)
        .collect();
    agents.sort_by_key(|pin| (position(pin), pin.listing.id));
    for name in &wanted {
        let key = name.to_lowercase();
        if !agents.iter().any(|pin| pin.requested_as.contains(&key)) {
            warnings.push(format!(
                "Recommended agent \"{}\" is not available in the marketplace and was not installed.",
                shown(name)
            ));
        }
    }
    Ok(agents
        .into_iter()
        .map(|pin| Edge {
            kind: ItemKind::Agent,
            listing: pin.listing,
            requested_as: pin.requested_as,
        })
        .collect())
}

/// A dependency a listing's live version pinned, and whether a member may still install it.
pub(crate) struct Pin {
    pub(crate) kind: ItemKind,
    pub(crate) listing: Listing,
    pub(crate) requested_as: Vec<String>,
    pub(crate) listed: bool,
}

/// The pinned dependencies of `listings`, by listing id, in dependency id order: one statement.
pub(crate) async fn pinned(
    db: &impl Sql,
    workspace: WorkspaceId,
    listings: &[i64],
) -> Result<HashMap<i64, Vec<Pin>>, CatalogError> {
    if listings.is_empty() {
        return Ok(HashMap::new());
    }
    let dependency = union_all(&[ItemKind::Agent, ItemKind::Llm], |kind| {
        format!(
            "SELECT {columns}, {listed} AND NOT {pulled} AS listed FROM {table} t
             WHERE d.dependency_kind = '{kind}' AND t.id = d.dependency_id",
            columns = listing_columns(kind),
            table = kind.table(),
            listed = Audience::Workspace(workspace).listed("t"),
            pulled = live_version_pulled_sql("t"),
        )
    });
    let rows = Statement::new(format!(
        "SELECT d.listing_id, d.dependency_kind::text AS dependency_kind, d.requested_as, t.*
         FROM listing_dependencies d
         JOIN LATERAL ({dependency}) t ON true
         WHERE d.listing_id = ANY($1)
         ORDER BY d.listing_id, d.dependency_id"
    ))
    .bind(listings.to_vec())
    .query(db)
    .await?;
    let mut pins: HashMap<i64, Vec<Pin>> = HashMap::new();
    for row in &rows {
        let pin = Pin {
            kind: row.read("dependency_kind")?,
            listing: Listing::from_row(row)?,
            requested_as: row.read("requested_as")?,
            listed: row.read("listed")?,
        };
        pins.entry(row.read("listing_id")?).or_default().push(pin);
    }
    Ok(pins)
}

/// The models of `agents` (`model_config.model`, when it is a name), by agent id: one statement.
pub(crate) async fn agent_models(
    db: &impl Sql,
    agents: &[i64],
) -> Result<HashMap<i64, String>, CatalogError> {
    if agents.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = Statement::new(
        "SELECT a.id AS agent_id, a.model_config ->> 'model' AS model
         FROM agents a
         WHERE a.id = ANY($1) AND jsonb_typeof(a.model_config -> 'model') = 'string'",
    )
    .bind(agents.to_vec())
    .query(db)
    .await?;
    let mut models = HashMap::new();
    for row in &rows {
        models.insert(row.read("agent_id")?, row.read("model")?);
    }
    Ok(models)
}

/// An agent's LLM: the one its version pinned for its model; a model nothing was pinned for is a warning.
pub(crate) fn agent_llm(
    node: &Node,
    model: Option<String>,
    pins: Vec<Pin>,
    warnings: &mut Vec<String>,
) -> Vec<Edge> {
    let llms: Vec<Edge> = pins
        .into_iter()
        .filter(|pin| pin.kind == ItemKind::Llm)
        .map(|pin| Edge {
            kind: ItemKind::Llm,
            listing: pin.listing,
            requested_as: Vec::new(),
        })
        .collect();
    if let Some(model) = model.filter(|_| llms.is_empty()) {
        warnings.push(format!(
            "The model \"{}\" of agent \"{}\" is not available in the marketplace and was not installed.",
            shown(&model),
            shown(&node.name)
        ));
    }
    llms
}
