//! What a workspace already has that a plan reuses: copies of its dependencies from earlier installs, and
//! the listed skills its agents link.

use std::collections::HashMap;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::Capabilities;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;
use crate::install::planned::{Node, NodeAction, Plan};

/// Reuses the workspace's live copy of each listing in `nodes` (a new level's unnamed clones), found by
/// `cloned_from_id` (never by name), with the live install record that made it: one statement per run of
/// nodes of one kind. Reads without locking: an install checks the plan against the copies under lock once
/// it holds every listing of the plan ([`copies_still_as_planned`]).
pub(crate) async fn find_existing_copies(
    db: &impl Sql,
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
    db: &impl Sql,
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
pub(crate) struct ExistingCopy {
    id: i64,
    name: String,
    install_id: Option<i64>,
}

/// The workspace's first copy of each of `listings` (of one kind), by listing id. Nothing is locked.
pub(crate) async fn existing_copies(
    db: &impl Sql,
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
pub(crate) struct AgentSkill {
    skill: (i64, String),
    listed: bool,
    /// What the skill's content reaches.
    reach: Capabilities,
}

/// The skills each of `agents` uses, by agent id, each agent's by skill id: one statement.
pub(crate) async fn agent_skills(
    db: &impl Sql,
    workspace: WorkspaceId,
    agents: &[i64],
) -> Result<HashMap<i64, Vec<AgentSkill>>, CatalogError> {
    if agents.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = Statement::new(format!(
        "SELECT l.agent_id, s.id, s.name, {listed} AS listed, {content} AS content
         FROM agent_skills l JOIN skills s ON s.id = l.skill_id
         WHERE l.agent_id = ANY($1) ORDER BY l.agent_id, s.id",
        listed = Audience::Workspace(workspace).listed("s"),
        content = ItemKind::Skill.content_sql("s"),
    ))
    .bind(agents.to_vec())
    .query(db)
    .await?;
    let mut skills: HashMap<i64, Vec<AgentSkill>> = HashMap::new();
    for row in &rows {
        let skill = AgentSkill {
            skill: (row.read("id")?, row.read("name")?),
            listed: row.read("listed")?,
            reach: Capabilities {
                creates: Default::default(),
                ..Capabilities::derive(ItemKind::Skill, &row.read("content")?, &[])
            },
        };
        skills.entry(row.read("agent_id")?).or_default().push(skill);
    }
    Ok(skills)
}

/// The listed skills of those an agent uses, which its copy links, their reach added to the agent's; the
/// others are counted in a warning that does not name them.
pub(crate) fn linked_skills(
    skills: Vec<AgentSkill>,
    warnings: &mut Vec<String>,
    reach: &mut Capabilities,
) -> Vec<(i64, String)> {
    let (linked, left_out): (Vec<_>, Vec<_>) = skills.into_iter().partition(|skill| skill.listed);
    if !left_out.is_empty() {
        warnings.push(format!(
            "{} skill(s) this agent uses are not available in the marketplace and were not linked.",
            left_out.len()
        ));
    }
    for skill in &linked {
        *reach = std::mem::take(reach).union(&skill.reach);
    }
    linked.into_iter().map(|linked| linked.skill).collect()
}
