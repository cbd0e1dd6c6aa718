//! A plan as data: the nodes an install executes, in order ([`Plan`], [`Node`]), and the form the client
//! sees ([`InstallPlan`]).

use serde::Serialize;
use serde_json::Value;

use crate::foundation::capabilities::{Capabilities, Manifest};
use crate::foundation::item::ItemRef;
use crate::foundation::kind::ItemKind;
use crate::foundation::version::Version;
use crate::install::setup::SetupStep;
use crate::install::skills::AgentSkill;

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
    /// What the install can reach, over its whole cascade, and what it creates; an install that reaches
    /// anything needs its digest (`accept_capabilities`).
    #[serde(flatten)]
    pub manifest: Manifest,
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
    /// The listing's own manifest (its content's, and its linked skills'), without its dependencies.
    pub(crate) capabilities: Capabilities,
    /// Its live version's content digest, when approval recorded one.
    pub(crate) content_digest: Option<String>,
    /// Its live version, content and content's fingerprint, as the plan read them: what a copy made without
    /// reading the listing again holds and records (install/single.rs).
    pub(crate) version: Version,
    pub(crate) content: Value,
    pub(crate) fingerprint: String,
    pub(crate) depth: usize,
    /// The node that brought this one in.
    pub(crate) parent: Option<usize>,
    pub(crate) action: NodeAction,
    /// Agents cloned: the listed skills their copy links, `(id, name)`.
    pub(crate) skills: Vec<(i64, String)>,
    /// Agents: the recommended names (lowercased) that resolved to this listing.
    pub(crate) requested_as: Vec<String>,
    /// What its content asks for by name: an agent's model, a recipe's recommended agents.
    pub(crate) asks_for: Vec<String>,
    /// The tools a copy of it needs connected.
    pub(crate) setup: Vec<SetupStep>,
    /// The names in the workspace its copy's name could collide with, read with the listing.
    pub(crate) taken_names: Vec<String>,
    /// Agents: the skills the listing uses, listed or not, of which its copy links the listed ones.
    pub(crate) uses_skills: Vec<AgentSkill>,
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
    pub(crate) fn is_cloned(&self) -> bool {
        matches!(self.action, NodeAction::Clone { .. })
    }

    /// The workspace's copy of the listing the plan counts on: the one it reuses, none for a clone.
    pub(crate) fn planned_copy(&self) -> Option<i64> {
        match &self.action {
            NodeAction::Reuse { copy_id, .. } => Some(*copy_id),
            NodeAction::Clone { .. } => None,
        }
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
    /// What the listings below the copies it reuses reach (install/reach.rs).
    pub(crate) beyond_reused: Capabilities,
}

impl Plan {
    pub(crate) fn root(&self) -> &Node {
        &self.nodes[0]
    }

    /// The manifest of the whole install: what its whole cascade reaches and holds, whether the workspace
    /// has some of it already (a copy reused is used by what the install makes) or not, so that it names
    /// the same manifest before and after a concurrent install made some of the copies.
    pub(crate) fn manifest(&self) -> Manifest {
        let union = self
            .nodes
            .iter()
            .fold(self.beyond_reused.clone(), |union, node| {
                union.union(&node.capabilities)
            });
        Manifest::from(union)
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
            manifest: self.manifest(),
        }
    }
}
