//! The workspace copies an install makes: each cloned listing under the name its plan gave it (or the next
//! free one), agents linked to their skills, and a recipe's steps pointed at its agents' copies.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use serde_json::Value;
use tokio_postgres::Transaction;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Params, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copy_names::{first_free_name, taken_copy_names};
use crate::install::plan;
use crate::install::planned::{Node, NodeAction, Plan};

/// How many names past `X-copy` a single install tries before giving up (each retry follows a conflict).
const NAME_ATTEMPTS: usize = 20;

/// The workspace copy of a plan's node: made by this install, or already there.
pub(crate) enum NodeCopy {
    Cloned(WorkspaceCopy),
    Reused { id: i64, name: String },
}

impl NodeCopy {
    pub(crate) fn id(&self) -> i64 {
        match self {
            Self::Cloned(copy) => copy.id,
            Self::Reused { id, .. } => *id,
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Cloned(copy) => &copy.name,
            Self::Reused { name, .. } => name,
        }
    }
}

/// Clones every node the plan clones, under the name the plan gave it, in one statement: a run of clones of
/// one kind after another, in plan order. A clone whose name was taken meanwhile moves on to the next free
/// one.
pub(crate) async fn make_copies(
    tx: &Transaction<'_>,
    plan: &Plan,
    workspace: WorkspaceId,
) -> Result<Vec<NodeCopy>, CatalogError> {
    let clones: Vec<(&Node, &str)> = plan
        .nodes
        .iter()
        .filter_map(|node| match &node.action {
            NodeAction::Clone { as_name } => Some((node, as_name.as_str())),
            NodeAction::Reuse { .. } => None,
        })
        .collect();
    let runs: Vec<(ItemKind, Vec<(i64, &str)>)> = clones
        .chunk_by(|(a, _), (b, _)| a.kind == b.kind)
        .map(|run| {
            let copies = run.iter().map(|(node, name)| (node.listing_id, *name));
            (run[0].0.kind, copies.collect())
        })
        .collect();
    let mut made = insert_copies(tx, workspace, &runs).await?;
    for (node, _) in &clones {
        if let Entry::Vacant(name_taken) = made.entry(node.listing_id) {
            let copy =
                clone_with_free_name(tx, node.kind, node.listing_id, workspace, &node.name).await?;
            name_taken.insert(copy);
        }
    }
    Ok(plan
        .nodes
        .iter()
        .map(|node| match &node.action {
            NodeAction::Clone { .. } => NodeCopy::Cloned(
                made.remove(&node.listing_id)
                    .expect("every clone of the plan was made"),
            ),
            NodeAction::Reuse {
                copy_id, copy_name, ..
            } => NodeCopy::Reused {
                id: *copy_id,
                name: copy_name.clone(),
            },
        })
        .collect())
}

/// Links each agent copy made to the skills its plan names (marketplace skills are global).
pub(crate) async fn link_agent_skills(
    tx: &Transaction<'_>,
    plan: &Plan,
    copies: &[NodeCopy],
) -> Result<(), CatalogError> {
    for (node, copy) in plan.nodes.iter().zip(copies) {
        if let (NodeCopy::Cloned(copy), ItemKind::Agent) = (copy, node.kind) {
            if !node.skills.is_empty() {
                Statement::new(
                    "INSERT INTO agent_skills (agent_id, skill_id) SELECT $1, unnest($2::bigint[])",
                )
                .bind(copy.id)
                .bind(node.skills.iter().map(|(id, _)| *id).collect::<Vec<_>>())
                .execute(tx)
                .await?;
            }
        }
    }
    Ok(())
}

/// The workspace copies of a recipe's agents as its steps name them: by name (lowercased, and each name it
/// was asked for as) and by listing id.
pub(crate) fn recipe_agents(
    plan: &Plan,
    copies: &[NodeCopy],
) -> (HashMap<String, i64>, HashMap<i64, i64>) {
    let mut by_name = HashMap::new();
    let mut by_listing = HashMap::new();
    for (node, copy) in plan.nodes.iter().zip(copies).skip(1) {
        if node.kind == ItemKind::Agent && node.parent == Some(0) {
            by_listing.insert(node.listing_id, copy.id());
            by_name.insert(node.name.to_lowercase(), copy.id());
            for name in &node.requested_as {
                by_name.insert(name.clone(), copy.id());
            }
        }
    }
    (by_name, by_listing)
}

/// Points the recipe copy's steps at the workspace copies of its agents, and fingerprints the copy as it
/// now is (its steps were pointed by the install, not changed by the workspace).
pub(crate) async fn repoint_recipe_steps(
    tx: &Transaction<'_>,
    plan: &Plan,
    copies: &mut [NodeCopy],
) -> Result<(), CatalogError> {
    let (by_name, by_listing) = recipe_agents(plan, copies);
    let NodeCopy::Cloned(recipe_copy) = &mut copies[0] else {
        unreachable!("the listing itself is always cloned")
    };
    if by_listing.is_empty() {
        return Ok(());
    }
    let content = &mut recipe_copy.content;
    let Some(steps) = content.get_mut("steps") else {
        return Ok(());
    };
    if !plan::repoint_steps(steps, &by_name, &by_listing) {
        return Ok(());
    }
    let mut params = Params::default();
    let write = format!(
        "UPDATE workflow_templates SET steps = {steps} WHERE id = {id}",
        steps = params.bind(steps.clone()),
        id = params.bind(recipe_copy.id),
    );
    recipe_copy.content_hash = content::write_and_fingerprint(tx, &write, params, content).await?;
    Ok(())
}

/// The workspace copy an install made, and its content.
pub(crate) struct WorkspaceCopy {
    pub(crate) id: i64,
    pub(crate) name: String,
    /// The listing's version the copy was made from (read with its content, by the same statement).
    pub(crate) version: Version,
    pub(crate) content: Value,
    pub(crate) content_hash: String,
}

/// Inserts workspace copies of listings, `runs` of `(listing id, name)` of one kind each, in the order given
/// (one data-modifying CTE per run, read in that order, which is the lock order), and returns those made by
/// listing id, their content scrubbed. A name the workspace already has makes no copy: the unique index on
/// (workspace_id, name) decides.
pub(crate) async fn insert_copies(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    runs: &[(ItemKind, Vec<(i64, &str)>)],
) -> Result<HashMap<i64, WorkspaceCopy>, CatalogError> {
    let mut params = Params::default();
    let owner = params.bind(workspace);
    let mut inserts = Vec::new();
    let mut kinds = HashMap::new();
    for (run, (kind, copies)) in runs.iter().enumerate() {
        let table = kind.table();
        let copied = copied_columns(*kind);
        let (listings, names): (Vec<i64>, Vec<String>) = copies
            .iter()
            .map(|(listing_id, name)| (*listing_id, name.to_string()))
            .unzip();
        kinds.extend(listings.iter().map(|listing_id| (*listing_id, *kind)));
        inserts.push(format!(
            "made_{run} AS (
                 INSERT INTO {table} AS t (name, owner_type, owner_id, workspace_id, is_approved, is_featured,
                                           install_count, cloned_from_id, {copied})
                 SELECT c.name, 'workspace', {owner}::text, {owner}, false, false, 0, m.id, {copied}
                 FROM unnest({listings}::bigint[], {names}::text[]) WITH ORDINALITY AS c(listing_id, name, position)
                 JOIN {table} m ON m.id = c.listing_id
                 ORDER BY c.position
                 ON CONFLICT ON CONSTRAINT {table}_workspace_name_key DO NOTHING
                 RETURNING t.id, t.cloned_from_id, t.name, t.version::text AS version, {scrubbed})",
            listings = params.bind(listings),
            names = params.bind(names),
            scrubbed = content::scrub_columns(*kind),
        ));
    }
    let made: Vec<String> = (0..runs.len())
        .map(|run| format!("SELECT * FROM made_{run}"))
        .collect();
    let sql = format!("WITH {} {}", inserts.join(", "), made.join(" UNION ALL "));
    let rows = Statement::with_params(sql, params).query(tx).await?;
    let mut made = HashMap::new();
    for row in &rows {
        let id = row.read("id")?;
        let listing_id: i64 = row.read("cloned_from_id")?;
        // A listing holds no secrets, but one that entered another way than a submission might.
        let scrubbed = content::scrub_returned(tx, kinds[&listing_id], id, row).await?;
        let copy = WorkspaceCopy {
            id,
            name: row.read("name")?,
            version: row.read("version")?,
            content: scrubbed.content,
            content_hash: scrubbed.fingerprint,
        };
        made.insert(listing_id, copy);
    }
    Ok(made)
}

/// The columns a copy of a listing of `kind` takes from it as they are.
pub(crate) fn copied_columns(kind: ItemKind) -> String {
    copied(kind).collect::<Vec<_>>().join(", ")
}

/// [`copied_columns`] as read from listing row `m`, but for the column `replaced.0`, whose value is the
/// expression `replaced.1`.
pub(crate) fn copied_values(kind: ItemKind, replaced: Option<(&str, &str)>) -> String {
    copied(kind)
        .map(|column| match replaced {
            Some((name, value)) if name == column => value.to_owned(),
            _ => format!("m.{column}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn copied(kind: ItemKind) -> impl Iterator<Item = &'static str> {
    [
        "description",
        "marketplace_category",
        "marketplace_icon",
        "tags",
        "original_creator_id",
        "version",
    ]
    .into_iter()
    .chain(kind.content_columns().iter().copied())
}

/// Clones listing `listing_id` once the name its plan gave it was taken meanwhile, under the first free name
/// of `X`, `X-copy`, `X-copy-2`, ... The unique index on (workspace_id, name) decides; a name taken meanwhile
/// just moves us to the next one.
pub(crate) async fn clone_with_free_name(
    tx: &Transaction<'_>,
    kind: ItemKind,
    listing_id: i64,
    workspace: WorkspaceId,
    base: &str,
) -> Result<WorkspaceCopy, CatalogError> {
    let mut taken = taken_copy_names(tx, workspace, &[(kind, base)])
        .await?
        .concat();
    // The plan's name was the first attempt.
    for _ in 1..NAME_ATTEMPTS {
        let name = first_free_name(base, &taken);
        let mut made = insert_copies(tx, workspace, &[(kind, vec![(listing_id, &name)])]).await?;
        if let Some(copy) = made.remove(&listing_id) {
            return Ok(copy);
        }
        taken.push(name);
    }
    Err(CatalogError::Conflict(
        "Could not find a free name for the copy; retry the install.".into(),
    ))
}

/// Marketplace skills are global: the copy links the listing's skills that are listed and approved (what
/// the installer could open themselves). Others are left out with a warning that does not name them.
/// Returns the ids linked, sorted.
pub(crate) async fn link_listed_skills(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    listing_id: i64,
    copy_id: i64,
    warnings: &mut Vec<String>,
) -> Result<Vec<i64>, CatalogError> {
    let row = Statement::new(format!(
                "WITH linked AS (
                     INSERT INTO agent_skills (agent_id, skill_id)
                     SELECT $2, l.skill_id FROM agent_skills l JOIN skills s ON s.id = l.skill_id
                     WHERE l.agent_id = $1 AND {listed}
                     RETURNING skill_id)
                 SELECT coalesce((SELECT array_agg(skill_id ORDER BY skill_id) FROM linked), '{{}}') AS linked,
                        (SELECT count(*) FROM agent_skills l WHERE l.agent_id = $1) AS links",
                listed = Audience::Workspace(workspace).listed("s"),
            ))
    .bind(listing_id)
    .bind(copy_id)
    .query_one(tx)
    .await?;
    let linked: Vec<i64> = row.read("linked")?;
    let left_out = row.read::<i64>("links")? - linked.len() as i64;
    if left_out > 0 {
        warnings.push(format!(
            "{left_out} skill(s) this agent uses are not available in the marketplace and were not linked."
        ));
    }
    Ok(linked)
}
