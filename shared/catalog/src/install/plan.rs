//! What installing a listing into a workspace does, worked out without doing it: the listing and each
//! dependency it brings (a recipe's recommended agents, an agent's LLM, recursively) cloned, or reused where
//! the workspace already has a copy, and the skills its agents link. `GET /items/{id}/install-plan` shows a
//! plan; an install builds the same plan inside its transaction and executes exactly it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Serialize;
use serde_json::Value;
use tokio_postgres::GenericClient;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemRef;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::redact::shown;
use crate::foundation::statement::Statement;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copy_names::{first_free_name, taken_copy_names};
use crate::install::setup::{requires_setup, SetupStep};

/// How deep dependencies are followed: the listing (0), a recipe's agents (1), their LLMs (2), with room
/// for one more kind of edge. Anything deeper is left out with a warning.
pub const MAX_DEPENDENCY_DEPTH: usize = 3;

/// `GET /items/{id}/install-plan`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallPlan {
    pub item: ItemRef,
    pub steps: Vec<PlanStep>,
    pub requires_setup: Vec<SetupStep>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepAction {
    /// Clone the listing into the workspace under `as_name`.
    Clone,
    /// The workspace already has a copy of the listing (`existing_id`): use it.
    Reuse,
    /// Link the (global) marketplace skill to the agent copy made by the step before.
    Link,
    /// A dependency the listing's version pinned that is no longer listed: the install is refused
    /// (`dependency_unavailable`) until the publisher ships a version without it.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStep {
    pub action: StepAction,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub item_id: i64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<i64>,
}

/// One listing in a plan: the item installed (node 0) or a dependency of an earlier node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) kind: ItemKind,
    pub(crate) listing_id: i64,
    pub(crate) name: String,
    /// `lower(coalesce(marketplace_category, ''))`: the listing's `marketplace_counts` row.
    pub(crate) category_key: String,
    pub(crate) depth: usize,
    /// The node that brought this one in.
    pub(crate) parent: Option<usize>,
    pub(crate) action: NodeAction,
    /// Agents cloned: the listed skills their copy links, `(id, name)`.
    pub(crate) skills: Vec<(i64, String)>,
    /// Agents: the recommended names (lowercased) that resolved to this listing.
    pub(crate) requested_as: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeAction {
    Clone {
        as_name: String,
    },
    Reuse {
        copy_id: i64,
        copy_name: String,
        /// The live install record that made the copy, when there is one.
        install_id: Option<i64>,
    },
}

impl Node {
    /// A node to clone under a name [`claim_names`] gives it once the plan is complete.
    fn unnamed_clone(
        kind: ItemKind,
        listing: Listing,
        depth: usize,
        parent: Option<usize>,
    ) -> Self {
        Self {
            kind,
            listing_id: listing.id,
            name: listing.name,
            category_key: listing.category_key,
            depth,
            parent,
            action: NodeAction::Clone {
                as_name: String::new(),
            },
            skills: Vec::new(),
            requested_as: Vec::new(),
        }
    }

    pub(crate) fn is_cloned(&self) -> bool {
        matches!(self.action, NodeAction::Clone { .. })
    }
}

/// A plan as the install executes it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) nodes: Vec<Node>,
    pub(crate) requires_setup: Vec<SetupStep>,
    pub(crate) warnings: Vec<String>,
    /// Second paths to a node already in the plan, `(user, used)` by node index: a dependency two listings
    /// share is relied on by both.
    pub(crate) shared: Vec<(usize, usize)>,
    /// Pinned dependencies that are no longer listed, `(kind, id, name)`.
    pub(crate) unavailable: Vec<(ItemKind, i64, String)>,
}

impl Plan {
    pub(crate) fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// The public form: each node as a clone or reuse step, each cloned agent's skills as link steps
    /// right after it.
    pub(crate) fn public(&self) -> InstallPlan {
        let mut steps = Vec::new();
        for node in &self.nodes {
            let (action, as_name, existing_id) = match &node.action {
                NodeAction::Clone { as_name } => (StepAction::Clone, Some(as_name.clone()), None),
                NodeAction::Reuse { copy_id, .. } => (StepAction::Reuse, None, Some(*copy_id)),
            };
            steps.push(PlanStep {
                action,
                kind: node.kind,
                item_id: node.listing_id,
                name: node.name.clone(),
                as_name,
                existing_id,
            });
            steps.extend(node.skills.iter().map(|(id, name)| PlanStep {
                action: StepAction::Link,
                kind: ItemKind::Skill,
                item_id: *id,
                name: name.clone(),
                as_name: None,
                existing_id: None,
            }));
        }
        steps.extend(self.unavailable.iter().map(|(kind, id, name)| PlanStep {
            action: StepAction::Unavailable,
            kind: *kind,
            item_id: *id,
            name: name.clone(),
            as_name: None,
            existing_id: None,
        }));
        let root = self.root();
        InstallPlan {
            item: ItemRef {
                id: root.listing_id,
                kind: root.kind,
                name: root.name.clone(),
            },
            steps,
            requires_setup: self.requires_setup.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// The install plan of listing `item_id` for `workspace` (404 unless a member may install it).
pub async fn install_plan(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    item_id: i64,
) -> Result<InstallPlan, CatalogError> {
    let kind = visible_kind(db, Audience::Member, item_id).await?;
    Ok(build(db, workspace, kind, item_id).await?.public())
}

/// Follows the dependencies of listing `item_id` breadth first: those its live version pinned when it was
/// approved (`listing_dependencies`), never a listing found by name or count now. Each listing enters the
/// plan once (a second path to it, or a cycle back to it, adds nothing), and nothing deeper than
/// [`MAX_DEPENDENCY_DEPTH`] is followed. What a version asked for but pinned nothing for is a warning that
/// names what was asked for; a pinned dependency no longer listed is `unavailable`. Reads a level of the plan
/// at a time, a statement per kind of listing rather than per listing.
pub(crate) async fn build(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    kind: ItemKind,
    item_id: i64,
) -> Result<Plan, CatalogError> {
    let root = listing(db, kind, item_id).await?;
    let mut plan = Plan {
        nodes: vec![Node::unnamed_clone(kind, root, 0, None)],
        requires_setup: Vec::new(),
        warnings: Vec::new(),
        shared: Vec::new(),
        unavailable: Vec::new(),
    };
    let mut seen: HashSet<i64> = HashSet::from([item_id]);
    let mut level = 0..plan.nodes.len();
    while !level.is_empty() {
        let next = plan.nodes.len();
        expand(db, &mut plan, level, &mut seen).await?;
        find_existing_copies(db, workspace, &mut plan.nodes[next..]).await?;
        level = next..plan.nodes.len();
    }
    claim_names(db, workspace, &mut plan.nodes).await?;
    plan.requires_setup = setup_of(db, &plan.nodes).await?;
    Ok(plan)
}

/// Adds what the cloned nodes of `level` depend on as the next level's nodes (unnamed clones until
/// [`find_existing_copies`]), node by node and edge by edge, and links each cloned agent's skills.
async fn expand(
    db: &impl GenericClient,
    plan: &mut Plan,
    level: Range<usize>,
    seen: &mut HashSet<i64>,
) -> Result<(), CatalogError> {
    let agents: Vec<i64> = plan.nodes[level.clone()]
        .iter()
        .filter(|node| node.kind == ItemKind::Agent && node.is_cloned())
        .map(|node| node.listing_id)
        .collect();
    let cloned: Vec<i64> = plan.nodes[level.clone()]
        .iter()
        .filter(|node| node.is_cloned())
        .map(|node| node.listing_id)
        .collect();
    let mut pins = pinned(db, &cloned).await?;
    let mut skills = agent_skills(db, &agents).await?;
    let mut models = agent_models(db, &agents).await?;
    for index in level {
        if !plan.nodes[index].is_cloned() {
            // A copy the workspace already has brings nothing more.
            continue;
        }
        let node = plan.nodes[index].clone();
        let node_pins = pins.remove(&node.listing_id).unwrap_or_default();
        let (node_pins, gone): (Vec<Pin>, Vec<Pin>) =
            node_pins.into_iter().partition(|pin| pin.listed);
        for pin in gone {
            if !plan
                .unavailable
                .iter()
                .any(|(_, id, _)| *id == pin.listing.id)
            {
                plan.unavailable
                    .push((pin.kind, pin.listing.id, pin.listing.name));
            }
        }
        let edges = match node.kind {
            ItemKind::Agent => {
                let found = skills.remove(&node.listing_id).unwrap_or_default();
                plan.nodes[index].skills = linked_skills(found, &mut plan.warnings);
                let model = models.remove(&node.listing_id);
                agent_llm(&node, model, node_pins, &mut plan.warnings)
            }
            ItemKind::Recipe => {
                recommended_agents(db, &node, node_pins, &mut plan.warnings).await?
            }
            ItemKind::Skill | ItemKind::Llm | ItemKind::Tool => Vec::new(),
        };
        if edges.is_empty() {
            continue;
        }
        if node.depth + 1 > MAX_DEPENDENCY_DEPTH {
            plan.warnings.push(format!(
                "Dependencies of \"{}\" are nested deeper than {MAX_DEPENDENCY_DEPTH} levels and were not installed.",
                shown(&node.name)
            ));
            continue;
        }
        for edge in edges {
            if !seen.insert(edge.listing.id) {
                if let Some(known) = plan
                    .nodes
                    .iter()
                    .position(|known| known.listing_id == edge.listing.id)
                {
                    plan.nodes[known].requested_as.extend(edge.requested_as);
                    if known != index && !plan.shared.contains(&(index, known)) {
                        plan.shared.push((index, known));
                    }
                }
                continue;
            }
            let mut dependency =
                Node::unnamed_clone(edge.kind, edge.listing, node.depth + 1, Some(index));
            dependency.requested_as = edge.requested_as;
            plan.nodes.push(dependency);
        }
    }
    Ok(())
}

/// A listing's name and counter key.
struct Listing {
    id: i64,
    name: String,
    category_key: String,
}

impl Listing {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            name: row.read("name")?,
            category_key: row.read("category_key")?,
        })
    }
}

const LISTING_COLUMNS: &str =
    "t.id, t.name, lower(coalesce(t.marketplace_category, '')) AS category_key";

async fn listing(
    db: &impl GenericClient,
    kind: ItemKind,
    id: i64,
) -> Result<Listing, CatalogError> {
    let row = Statement::new(format!(
        "SELECT {LISTING_COLUMNS} FROM {table} t WHERE t.id = $1 AND {listed}",
        table = kind.table(),
        listed = Audience::Member.listed("t"),
    ))
    .bind(id)
    .query_opt(db)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    Listing::from_row(&row)
}

/// A dependency found for a node.
struct Edge {
    kind: ItemKind,
    listing: Listing,
    requested_as: Vec<String>,
}

/// A recipe's recommended agents: the agents its version pinned, each under the names it was asked for
/// (case-insensitive). A name nothing was pinned for is a warning.
async fn recommended_agents(
    db: &impl GenericClient,
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
struct Pin {
    kind: ItemKind,
    listing: Listing,
    requested_as: Vec<String>,
    listed: bool,
}

/// The pinned dependencies of `listings`, by listing id, in dependency id order: one statement.
async fn pinned(
    db: &impl GenericClient,
    listings: &[i64],
) -> Result<HashMap<i64, Vec<Pin>>, CatalogError> {
    if listings.is_empty() {
        return Ok(HashMap::new());
    }
    let dependency = union_all(&[ItemKind::Agent, ItemKind::Llm], |kind| {
        format!(
            "SELECT {LISTING_COLUMNS}, {listed} AS listed FROM {table} t
             WHERE d.dependency_kind = '{kind}' AND t.id = d.dependency_id",
            table = kind.table(),
            listed = Audience::Member.listed("t"),
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
async fn agent_models(
    db: &impl GenericClient,
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
fn agent_llm(
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

/// Reuses the workspace's live copy of each listing in `nodes` (a new level's unnamed clones), found by
/// `cloned_from_id` (never by name), with the live install record that made it: one statement per run of
/// nodes of one kind. Reads without locking: an install checks the plan against the copies under lock once
/// it holds every listing of the plan ([`copies_still_as_planned`]).
async fn find_existing_copies(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    nodes: &mut [Node],
) -> Result<(), CatalogError> {
    for run in nodes.chunk_by_mut(|a, b| a.kind == b.kind) {
        let listings: Vec<i64> = run.iter().map(|node| node.listing_id).collect();
        let mut found = existing_copies(db, workspace, run[0].kind, listings).await?;
        for node in run {
            if let Some(copy) = found.remove(&node.listing_id) {
                node.action = NodeAction::Reuse {
                    copy_id: copy.id,
                    copy_name: copy.name,
                    install_id: copy.install_id,
                };
            }
        }
    }
    Ok(())
}

/// Whether the dependencies of `plan` still find exactly the copies the plan was built from: each reused copy
/// still there, and no copy made meanwhile of a listing the plan clones (by a concurrent install into the
/// same workspace). An install checks this once it holds every listing of its plan: every install and
/// uninstall through the service that makes or deletes a copy of those listings holds the listing too, so
/// the answer stands until commit without locking any copy (installs never wait on a copy: see the lock order
/// in docs/architecture.md). When it fails, the install starts again with a new plan, so that a dependency
/// is cloned once per workspace.
pub(crate) async fn copies_still_as_planned(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    plan: &Plan,
) -> Result<bool, CatalogError> {
    let mut dependencies: Vec<&Node> = plan.nodes.iter().skip(1).collect();
    dependencies.sort_by_key(|node| (node.kind, node.listing_id));
    for run in dependencies.chunk_by(|a, b| a.kind == b.kind) {
        let listings: Vec<i64> = run.iter().map(|node| node.listing_id).collect();
        let found = existing_copies(db, workspace, run[0].kind, listings).await?;
        for node in run {
            let planned = match &node.action {
                NodeAction::Reuse { copy_id, .. } => Some(*copy_id),
                NodeAction::Clone { .. } => None,
            };
            if planned != found.get(&node.listing_id).map(|copy| copy.id) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// A workspace's copy of a listing, with the live install record that made it.
struct ExistingCopy {
    id: i64,
    name: String,
    install_id: Option<i64>,
}

/// The workspace's first copy of each of `listings` (of one kind), by listing id. Nothing is locked.
async fn existing_copies(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    kind: ItemKind,
    listings: Vec<i64>,
) -> Result<HashMap<i64, ExistingCopy>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT c.cloned_from_id, c.id, c.name,
                (SELECT i.id FROM marketplace_installs i
                 WHERE i.workspace_id = $1 AND i.installed_item_id = c.id AND i.uninstalled_at IS NULL
                 ORDER BY i.id DESC LIMIT 1) AS install_id
         FROM unnest($2::bigint[]) AS l(id)
         CROSS JOIN LATERAL (
             SELECT w.cloned_from_id, w.id, w.name FROM {table} w
             WHERE w.workspace_id = $1 AND w.cloned_from_id = l.id AND w.owner_type = 'workspace'
             ORDER BY w.id LIMIT 1) c",
        table = kind.table(),
    ))
    .bind(workspace)
    .bind(listings)
    .query(db)
    .await?;
    let mut found = HashMap::new();
    for row in &rows {
        let copy = ExistingCopy {
            id: row.read("id")?,
            name: row.read("name")?,
            install_id: row.read("install_id")?,
        };
        found.insert(row.read::<i64>("cloned_from_id")?, copy);
    }
    Ok(found)
}

/// A skill an agent uses, and whether a member may see it.
struct AgentSkill {
    skill: (i64, String),
    listed: bool,
}

/// The skills each of `agents` uses, by agent id, each agent's by skill id: one statement.
async fn agent_skills(
    db: &impl GenericClient,
    agents: &[i64],
) -> Result<HashMap<i64, Vec<AgentSkill>>, CatalogError> {
    if agents.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = Statement::new(format!(
        "SELECT l.agent_id, s.id, s.name, {listed} AS listed
         FROM agent_skills l JOIN skills s ON s.id = l.skill_id
         WHERE l.agent_id = ANY($1) ORDER BY l.agent_id, s.id",
        listed = Audience::Member.listed("s"),
    ))
    .bind(agents.to_vec())
    .query(db)
    .await?;
    let mut skills: HashMap<i64, Vec<AgentSkill>> = HashMap::new();
    for row in &rows {
        let skill = AgentSkill {
            skill: (row.read("id")?, row.read("name")?),
            listed: row.read("listed")?,
        };
        skills.entry(row.read("agent_id")?).or_default().push(skill);
    }
    Ok(skills)
}

/// The listed skills of those an agent uses, which its copy links; the others are counted in a warning that
/// does not name them.
fn linked_skills(skills: Vec<AgentSkill>, warnings: &mut Vec<String>) -> Vec<(i64, String)> {
    let (linked, left_out): (Vec<_>, Vec<_>) = skills.into_iter().partition(|skill| skill.listed);
    if !left_out.is_empty() {
        warnings.push(format!(
            "{} skill(s) this agent uses are not available in the marketplace and were not linked.",
            left_out.len()
        ));
    }
    linked.into_iter().map(|linked| linked.skill).collect()
}

/// What the workspace must connect for everything cloned: each tool once, by slug.
async fn setup_of(db: &impl GenericClient, nodes: &[Node]) -> Result<Vec<SetupStep>, CatalogError> {
    let cloned: Vec<(ItemKind, i64)> = nodes
        .iter()
        .filter(|node| node.is_cloned())
        .map(|node| (node.kind, node.listing_id))
        .collect();
    let mut steps: Vec<SetupStep> = Vec::new();
    for step in requires_setup(db, &cloned).await? {
        if !steps.iter().any(|known| known.slug == step.slug) {
            steps.push(step);
        }
    }
    steps.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(steps)
}

/// Names every clone of the plan: the first free name in the workspace, counting those given to earlier
/// clones of the same kind in the same plan.
async fn claim_names(
    db: &impl GenericClient,
    workspace: WorkspaceId,
    nodes: &mut [Node],
) -> Result<(), CatalogError> {
    let wanted: Vec<(ItemKind, &str)> = nodes
        .iter()
        .filter(|node| node.is_cloned())
        .map(|node| (node.kind, node.name.as_str()))
        .collect();
    let taken = taken_copy_names(db, workspace, &wanted).await?;
    let mut claimed: HashMap<ItemKind, Vec<String>> = HashMap::new();
    let clones = nodes.iter_mut().filter(|node| node.is_cloned());
    for (node, mut taken) in clones.zip(taken) {
        let claimed = claimed.entry(node.kind).or_default();
        taken.extend(claimed.iter().cloned());
        let as_name = first_free_name(&node.name, &taken);
        claimed.push(as_name.clone());
        node.action = NodeAction::Clone { as_name };
    }
    Ok(())
}

/// Points a recipe copy's steps at the workspace's agents: a step whose `agent_name` names a resolved agent,
/// or whose `agent_id` is a resolved agent's listing, gets `agent_id` = that agent's workspace copy.
/// Returns whether anything changed.
pub(crate) fn repoint_steps(
    steps: &mut Value,
    by_name: &HashMap<String, i64>,
    by_listing: &HashMap<i64, i64>,
) -> bool {
    let mut changed = false;
    for step in steps.as_array_mut().into_iter().flatten() {
        let Some(step) = step.as_object_mut() else {
            continue;
        };
        let by_agent_name = step
            .get("agent_name")
            .and_then(Value::as_str)
            .and_then(|name| by_name.get(&name.trim().to_lowercase()));
        let by_agent_id = step
            .get("agent_id")
            .and_then(Value::as_i64)
            .and_then(|id| by_listing.get(&id));
        if let Some(&copy) = by_agent_name.or(by_agent_id) {
            if step.get("agent_id").and_then(Value::as_i64) != Some(copy) {
                step.insert("agent_id".into(), copy.into());
                changed = true;
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn steps_naming_or_pointing_at_a_resolved_agent_point_at_its_copy() {
        let mut steps = json!([
            {"name": "triage", "agent_name": "Support Bot"},
            {"name": "reply", "agent_id": 11},
            {"name": "other", "agent_id": 99, "agent_name": "Unknown"},
            "a plain string step",
            {"name": "no agent"}
        ]);
        let by_name = HashMap::from([("support bot".to_owned(), 501)]);
        let by_listing = HashMap::from([(11, 502)]);
        assert!(repoint_steps(&mut steps, &by_name, &by_listing));
        assert_eq!(
            steps,
            json!([
                {"name": "triage", "agent_name": "Support Bot", "agent_id": 501},
                {"name": "reply", "agent_id": 502},
                {"name": "other", "agent_id": 99, "agent_name": "Unknown"},
                "a plain string step",
                {"name": "no agent"}
            ])
        );
        assert!(!repoint_steps(&mut steps, &by_name, &by_listing));
    }
}
