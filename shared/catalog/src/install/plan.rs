//! What installing a listing into a workspace does, worked out without doing it: the listing and each
//! dependency it brings (a recipe's recommended agents, an agent's LLM, recursively) cloned, or reused where
//! the workspace already has a copy, and the skills its agents link. `GET /items/{id}/install-plan` shows a
//! plan; an install builds the same plan inside its transaction and executes exactly it.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde_json::Value;

use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::shown;
use crate::foundation::statement::Sql;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copy_names::{first_free_name, taken_copy_names};
use crate::install::dependencies::{
    agent_llm, installable_listing, pinned, recommended_agents, Claim, Installable, Listing, Pin,
};
use crate::install::planned::{InstallPlan, Node, NodeAction, Plan, MAX_DEPENDENCY_DEPTH};
use crate::install::reach::beyond_reused;
use crate::install::setup::SetupStep;
use crate::install::skills::linked_skills;

/// The install plan of listing `item_id` for `workspace` (404 unless a member may install it).
pub async fn install_plan(
    db: &impl Sql,
    workspace: WorkspaceId,
    item_id: i64,
) -> Result<InstallPlan, CatalogError> {
    let Installable::Listing(kind, root, _) =
        installable_listing(db, workspace, item_id, None, Claim::Nothing, None).await?
    else {
        unreachable!("a plan replays nothing")
    };
    Ok(build(db, workspace, kind, *root).await?.public())
}

/// Follows the dependencies of listing `item_id` breadth first: those its live version pinned when it was
/// approved (`listing_dependencies`), never a listing found by name or count now. Each listing enters the
/// plan once (a second path to it, or a cycle back to it, adds nothing), and nothing deeper than
/// [`MAX_DEPENDENCY_DEPTH`] is followed. What a version asked for but pinned nothing for is a warning that
/// names what was asked for; a pinned dependency no longer listed is `unavailable`. Reads the pins of every
/// level in one statement: each with the workspace's copy of it, the skills it uses, the tools it needs and
/// the names its copy could collide with.
pub(crate) async fn build(
    db: &impl Sql,
    workspace: WorkspaceId,
    kind: ItemKind,
    root: Listing,
) -> Result<Plan, CatalogError> {
    let item_id = root.id;
    let mut plan = Plan {
        nodes: vec![Node::new(kind, root, 0, None)],
        requires_setup: Vec::new(),
        warnings: Vec::new(),
        shared: Vec::new(),
        unavailable: Vec::new(),
        beyond_reused: Default::default(),
    };
    let mut seen: HashSet<i64> = HashSet::from([item_id]);
    let mut pins = None;
    let mut level = 0..plan.nodes.len();
    while !level.is_empty() {
        let next = plan.nodes.len();
        expand(db, workspace, &mut plan, level, &mut seen, &mut pins).await?;
        level = next..plan.nodes.len();
    }
    claim_names(&mut plan.nodes);
    plan.requires_setup = setup_of(&plan.nodes);
    plan.beyond_reused = beyond_reused(db, workspace, &plan).await?;
    Ok(plan)
}

/// Adds what the cloned nodes of `level` depend on as the next level's nodes (unnamed clones, or reused where
/// the workspace has a copy), node by node and edge by edge, and links each cloned agent's skills. The first
/// level that pins anything reads the pins of every level below it, as deep as a plan follows them, in one
/// statement (`pins`); later levels take theirs from what it read.
async fn expand(
    db: &impl Sql,
    workspace: WorkspaceId,
    plan: &mut Plan,
    level: Range<usize>,
    seen: &mut HashSet<i64>,
    pins: &mut Option<HashMap<i64, Vec<Pin>>>,
) -> Result<(), CatalogError> {
    let pinning: Vec<i64> = plan.nodes[level.clone()]
        .iter()
        .filter(|node| node.is_cloned() && node.kind.pins_dependencies())
        .map(|node| node.listing_id)
        .collect();
    if pins.is_none() && !pinning.is_empty() {
        let below = MAX_DEPENDENCY_DEPTH.saturating_sub(plan.nodes[level.start].depth);
        *pins = Some(pinned(db, workspace, &pinning, below).await?);
    }
    for index in level {
        if !plan.nodes[index].is_cloned() {
            // A copy the workspace already has brings nothing more.
            continue;
        }
        let node = plan.nodes[index].clone();
        let node_pins = pins
            .as_mut()
            .and_then(|pins| pins.remove(&node.listing_id))
            .unwrap_or_default();
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
                let agent = &mut plan.nodes[index];
                let found = std::mem::take(&mut agent.uses_skills);
                agent.skills = linked_skills(found, &mut plan.warnings, &mut agent.capabilities);
                agent_llm(&node, node_pins, &mut plan.warnings)
            }
            ItemKind::Recipe => recommended_agents(&node, node_pins, &mut plan.warnings),
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
            let mut dependency = Node::new(edge.kind, edge.listing, node.depth + 1, Some(index));
            dependency.requested_as = edge.requested_as;
            plan.nodes.push(dependency);
        }
    }
    Ok(())
}

/// What the workspace must connect for everything cloned: each tool once, by slug.
fn setup_of(nodes: &[Node]) -> Vec<SetupStep> {
    let mut steps: Vec<SetupStep> = Vec::new();
    for step in nodes
        .iter()
        .filter(|node| node.is_cloned())
        .flat_map(|node| &node.setup)
    {
        if !steps.iter().any(|known| known.slug == step.slug) {
            steps.push(step.clone());
        }
    }
    steps.sort_by(|a, b| a.slug.cmp(&b.slug));
    steps
}

/// Names the plan's clones again from the names the workspace has now: for an install that may have waited on
/// its lane behind another install of the same listing into the workspace (the lane was there), whose copy's
/// name the names read with the listing would not hold. One statement.
pub(crate) async fn claim_names_now(
    db: &impl Sql,
    workspace: WorkspaceId,
    plan: &mut Plan,
) -> Result<(), CatalogError> {
    let wanted: Vec<(ItemKind, &str)> = plan
        .nodes
        .iter()
        .filter(|node| node.is_cloned())
        .map(|node| (node.kind, node.name.as_str()))
        .collect();
    let taken = taken_copy_names(db, workspace, &wanted).await?;
    let clones = plan.nodes.iter_mut().filter(|node| node.is_cloned());
    for (node, taken) in clones.zip(taken) {
        node.taken_names = taken;
    }
    claim_names(&mut plan.nodes);
    Ok(())
}

/// Names every clone of the plan: the first free name in the workspace, counting those given to earlier
/// clones of the same kind in the same plan. The names taken were read with the listings; one taken since is
/// found by the copy's insert, which then names it again (install/copies.rs).
fn claim_names(nodes: &mut [Node]) {
    let mut claimed: HashMap<ItemKind, Vec<String>> = HashMap::new();
    for node in nodes.iter_mut().filter(|node| node.is_cloned()) {
        let claimed = claimed.entry(node.kind).or_default();
        let mut taken = node.taken_names.clone();
        taken.extend(claimed.iter().cloned());
        let as_name = first_free_name(&node.name, &taken);
        claimed.push(as_name.clone());
        node.action = NodeAction::Clone { as_name };
    }
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
