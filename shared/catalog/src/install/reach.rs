//! What an install's cascade reaches whatever the workspace already has. A plan stops at a copy it reuses
//! (the copy brings nothing more), so a plan built after a concurrent install made some copies would name
//! less than the same plan built before; the manifest an installer consents to must not depend on that
//! race. What a reused copy's listing depends on (its pinned dependencies, recursively, and an agent's
//! linked skills) is read here, for the manifest only: nothing of it is installed.

use std::collections::HashSet;

use crate::foundation::capabilities::Capabilities;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Sql;
use crate::foundation::workspace::WorkspaceId;
use crate::install::dependencies::pinned;
use crate::install::planned::{Plan, MAX_DEPENDENCY_DEPTH};
use crate::install::skills::{linked_skills, AgentSkill};

/// The reach (and cascade) below the plan's reused copies that the plan itself does not name: a statement
/// per level below a reused agent or recipe, none when nothing is reused.
pub(crate) async fn beyond_reused(
    db: &impl Sql,
    workspace: WorkspaceId,
    plan: &Plan,
) -> Result<Capabilities, CatalogError> {
    let mut seen: HashSet<i64> = plan.nodes.iter().map(|node| node.listing_id).collect();
    // Each listing of a level: its kind, its id and the skills it uses (agents).
    let mut level: Vec<(ItemKind, i64, Vec<AgentSkill>)> = plan
        .nodes
        .iter()
        .filter(|node| !node.is_cloned())
        .map(|node| (node.kind, node.listing_id, node.uses_skills.clone()))
        .collect();
    let mut depth = plan
        .nodes
        .iter()
        .filter(|node| !node.is_cloned())
        .map(|node| node.depth)
        .min()
        .unwrap_or(MAX_DEPENDENCY_DEPTH);
    let mut reach = Capabilities::default();
    while !level.is_empty() && depth < MAX_DEPENDENCY_DEPTH {
        let mut listings = Vec::new();
        for (kind, id, skills) in level {
            linked_skills(skills, &mut Vec::new(), &mut reach);
            if kind.pins_dependencies() {
                listings.push(id);
            }
        }
        let mut next = Vec::new();
        for pin in pinned(db, workspace, &listings, 0)
            .await?
            .into_values()
            .flatten()
        {
            if pin.listed && seen.insert(pin.listing.id) {
                reach = reach.union(&Capabilities::derive(
                    pin.kind,
                    &pin.listing.content,
                    &pin.listing.tool_slugs,
                ));
                next.push((pin.kind, pin.listing.id, pin.listing.uses_skills));
            }
        }
        level = next;
        depth += 1;
    }
    Ok(reach)
}
