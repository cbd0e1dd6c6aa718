//! An install written by one statement, without `BEGIN` or `COMMIT`. Its plan is read first, outside any
//! transaction: the listing, with ids drawn for every copy and record the install could make, then (an agent
//! or recipe) the pins of every level below it in one statement. Then one statement holds the plan's lanes (V25),
//! checks under them that the workspace's copies are still as planned, makes the copies under the ids and
//! names the plan gave them (a recipe's steps already pointed at its agents' copies), links the agents'
//! skills and writes the records (V23). Its locks are held for that one statement; the fold follows it, as
//! it follows an install's transaction (install/counts.rs).
//!
//! Taken by every install whose clones need no scrubbing; a keyed one's listing statement reads its replay
//! first (install/replay.rs), and a repeat is answered there. When the plan no longer holds once the statement holds the lanes (a copy
//! appeared or went, a name was taken, a listing changed since it was read), or another install recorded
//! the same idempotency key first, the statement undoes itself (V26's `marketplace_plan_changed`), and when a
//! lane is held by another install the statement does not wait for it (V27); either way the install runs
//! as a transaction instead (install/cascade.rs), which waits on the lanes and reads its plan under them.

use serde_json::Value;
use tokio_postgres::Client;

use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::strip_credentials;
use crate::foundation::statement::{Params, Placeholder, Statement};
use crate::install::admission::{admitted, listing_for};
use crate::install::copies::{
    copied_columns, copied_values, recipe_agents, NodeCopy, WorkspaceCopy,
};
use crate::install::counts::fold_counts;
use crate::install::dependencies::{Claim, Claimed, Installable, ReservedIds};
use crate::install::locks::in_lock_order;
use crate::install::outcome::{made, InstallOutcome, InstallRequest, Made};
use crate::install::plan;
use crate::install::planned::{Node, NodeAction, Plan};
use crate::install::records::{linked_ids, records_json};

/// The SQLSTATE V26's `marketplace_plan_changed` raises.
const PLAN_CHANGED: &str = "MP001";

/// Installs in one statement; `None` when this install is not one for it or its plan changed before the
/// statement held its lanes (nothing is written then, and the caller, once confirmed, stays confirmed).
pub(crate) async fn install(
    client: &Client,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
) -> Result<Option<InstallOutcome>, CatalogError> {
    let replay = request.replay_key();
    let (kind, root, reserved) =
        match listing_for(client, request, confirm, Claim::Ids, replay).await? {
            Installable::Replayed(earlier) => return InstallOutcome::replaying(earlier).map(Some),
            Installable::Listing(kind, root, Claimed::Ids(reserved)) => (kind, *root, reserved),
            Installable::Listing(..) => unreachable!("ids were asked for"),
        };
    let plan = plan::build(client, request.workspace, kind, root).await?;
    let manifest = admitted(&plan, request)?;
    refuse_changed_content(&plan)?;
    let Some((copies, install_ids)) = planned_copies(&plan, reserved) else {
        return Ok(None);
    };
    let made = made(&plan, &copies, &install_ids, request, &manifest);
    let counted: Vec<i64> = made.counted.iter().map(|(_, id)| *id).collect();
    let response = made.response.clone();
    match write(client, request, &plan, &copies, made).await {
        Err(error) if plan_changed(&error) => return Ok(None),
        written => written?,
    }
    fold_counts(client, &counted).await;
    Ok(Some(InstallOutcome {
        response,
        replayed: false,
    }))
}

/// Every clone must be the content approved under its listing's version, as read for the plan (the statement
/// copies it only if it is still what was read): a listing edited behind review's back is never handed out.
fn refuse_changed_content(plan: &Plan) -> Result<(), CatalogError> {
    for node in plan.nodes.iter().filter(|node| node.is_cloned()) {
        content::check_approved(
            node.kind,
            node.listing_id,
            &node.name,
            node.content_digest.as_deref(),
            &node.fingerprint,
        )?;
    }
    Ok(())
}

/// The copy each node of `plan` will have, and each clone's record id, from the ids drawn with the listing;
/// `None` when a clone's content would have to be scrubbed (a listing that entered another way than a
/// submission), which only the transaction does, or more was cloned than ids were drawn for.
fn planned_copies(plan: &Plan, reserved: ReservedIds) -> Option<(Vec<NodeCopy>, Vec<Option<i64>>)> {
    let mut item_ids = reserved.item_ids.into_iter();
    let mut record_ids = reserved.install_ids.into_iter();
    let mut copies = Vec::with_capacity(plan.nodes.len());
    let mut install_ids = Vec::with_capacity(plan.nodes.len());
    for node in &plan.nodes {
        match &node.action {
            NodeAction::Clone { as_name } => {
                let mut scrubbed = node.content.clone();
                strip_credentials(&mut scrubbed);
                if scrubbed != node.content {
                    return None;
                }
                copies.push(NodeCopy::Cloned(WorkspaceCopy {
                    id: item_ids.next()?,
                    name: as_name.clone(),
                    version: node.version.clone(),
                    content: node.content.clone(),
                    content_hash: node.fingerprint.clone(),
                }));
                install_ids.push(Some(record_ids.next()?));
            }
            NodeAction::Reuse {
                copy_id, copy_name, ..
            } => {
                copies.push(NodeCopy::Reused {
                    id: *copy_id,
                    name: copy_name.clone(),
                });
                install_ids.push(None);
            }
        }
    }
    Some((copies, install_ids))
}

/// A recipe copy's steps pointed at its agents' copies (the ids drawn for them, or those reused), when that
/// changes them: what the recipe's copy is made with instead of the listing's steps.
fn repointed_steps(plan: &Plan, copies: &[NodeCopy]) -> Option<Value> {
    let root = plan.root();
    if root.kind != ItemKind::Recipe {
        return None;
    }
    let (by_name, by_listing) = recipe_agents(plan, copies);
    let mut steps = root.content.get("steps")?.clone();
    plan::repoint_steps(&mut steps, &by_name, &by_listing).then_some(steps)
}

/// Whether `error` says the statement wrote nothing because its plan no longer held (V26) or may not hold
/// (V27: a lane was held by another install, and the statement gave way).
fn plan_changed(error: &CatalogError) -> bool {
    matches!(error, CatalogError::Database(error)
    if error.code().is_some_and(|code| {
        code.code() == PLAN_CHANGED || *code == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE
    }))
}

/// The statement. `held`: V25 locks the lanes, the item's first and then the dependencies' in lock order, and
/// reads the workspace's copies under them; through V27, which gives way when a lane is held. Each run of clones of one kind is a data-modifying CTE (in plan
/// order, which is the lock order) that copies a listing only while its version and content are those read;
/// the records are written only when every copy was made, else the statement raises and undoes itself.
async fn write(
    client: &Client,
    request: &InstallRequest,
    plan: &Plan,
    copies: &[NodeCopy],
    made: Made,
) -> Result<(), CatalogError> {
    let mut params = Params::default();
    let workspace = params.bind(request.workspace);
    let lanes: Vec<&Node> = std::iter::once(plan.root())
        .chain(in_lock_order(plan.nodes.iter().skip(1)))
        .collect();
    let expected: Vec<Option<i64>> = lanes[1..].iter().map(|node| node.planned_copy()).collect();
    let held = format!(
        "held AS (
             SELECT first, copies[2:] IS NOT DISTINCT FROM {expected}::bigint[] AS as_planned
             FROM marketplace_lock_plan_or_give_way({workspace}, {kinds}::text[], {items}::bigint[],
                                                   {insert}::boolean[]))",
        expected = params.bind(expected),
        kinds = params.bind(
            lanes
                .iter()
                .map(|node| node.kind.to_string())
                .collect::<Vec<_>>()
        ),
        items = params.bind(lanes.iter().map(|node| node.listing_id).collect::<Vec<_>>()),
        insert = params.bind(
            lanes
                .iter()
                .map(|node| node.is_cloned())
                .collect::<Vec<_>>()
        ),
    );
    let clones: Vec<(&Node, &WorkspaceCopy)> = plan
        .nodes
        .iter()
        .zip(copies)
        .filter_map(|(node, copy)| match copy {
            NodeCopy::Cloned(copy) => Some((node, copy)),
            NodeCopy::Reused { .. } => None,
        })
        .collect();
    let mut ctes = vec![held];
    let mut made_runs = Vec::new();
    let mut steps = repointed_steps(plan, copies);
    for (run, nodes) in clones
        .chunk_by(|(a, _), (b, _)| a.kind == b.kind)
        .enumerate()
    {
        ctes.push(copy_run(&mut params, workspace, run, nodes, steps.take()));
        made_runs.push(format!("SELECT id FROM made_{run}"));
    }
    let (agents, skills): (Vec<i64>, Vec<i64>) = clones
        .iter()
        .filter(|(node, _)| node.kind == ItemKind::Agent)
        .flat_map(|(node, copy)| {
            linked_ids(node)
                .unwrap_or_default()
                .into_iter()
                .map(|skill| (copy.id, skill))
        })
        .unzip();
    ctes.push(format!(
        "linked AS (
             INSERT INTO agent_skills (agent_id, skill_id)
             SELECT * FROM unnest({agents}::bigint[], {skills}::bigint[]) WHERE (SELECT as_planned FROM held))",
        agents = params.bind(agents),
        skills = params.bind(skills),
    ));
    let (kinds, items): (Vec<String>, Vec<i64>) = made
        .counted
        .iter()
        .map(|(kind, id)| (kind.to_string(), *id))
        .unzip();
    let items = params.bind(items);
    let root_copy = params.bind(clones[0].1.id);
    // The item's record holds its copy's fingerprint as stored: a recipe's steps were pointed at its agents'
    // copies on the way in.
    let sql = format!(
        "WITH {ctes}
         SELECT CASE
             WHEN (SELECT as_planned FROM held)
                  AND (SELECT count(*) FROM ({made_runs}) m) = {clones}
             THEN CASE
                 WHEN marketplace_record_install(
                          jsonb_set({root}::jsonb, '{{0,content_hash}}',
                                    to_jsonb((SELECT fingerprint FROM made_0 WHERE id = {root_copy}))),
                          {dependencies}::jsonb, {edge_installs}::bigint[], {edge_dependencies}::bigint[],
                          {kinds}::text[], {items}::bigint[],
                          ARRAY(SELECT i.id = ANY (h.first)
                                FROM held h, unnest({items}::bigint[]) WITH ORDINALITY AS i(id, o)
                                ORDER BY i.o),
                          {workspace})
                 THEN true
                 ELSE marketplace_plan_changed()
             END
             ELSE marketplace_plan_changed()
         END AS recorded",
        ctes = ctes.join(", "),
        made_runs = made_runs.join(" UNION ALL "),
        clones = params.bind(clones.len() as i64),
        root = params.bind(records_json(std::slice::from_ref(&made.root))),
        dependencies = params.bind(records_json(&made.dependencies)),
        edge_installs = params.bind(made.edges.0),
        edge_dependencies = params.bind(made.edges.1),
        kinds = params.bind(kinds),
    );
    // V23 records nothing when another install recorded the same key first (it waits for that install's
    // statement or transaction to end); the copies made here then go with the statement.
    Statement::with_params(sql, params).execute(client).await?;
    Ok(())
}

/// The CTE `made_{run}`: the copies of a run of clones of one kind, each under its drawn id and its planned
/// name, made only from a listing whose version and content are still those the plan read, and only while
/// the plan holds. A name taken meanwhile makes no copy (the unique index on (workspace_id, name) decides).
fn copy_run(
    params: &mut Params<'_>,
    workspace: Placeholder,
    run: usize,
    nodes: &[(&Node, &WorkspaceCopy)],
    steps: Option<Value>,
) -> String {
    let kind = nodes[0].0.kind;
    let table = kind.table();
    let copied = copied_columns(kind);
    let steps = steps.map(|steps| format!("{}::jsonb", params.bind(steps)));
    let values = copied_values(kind, steps.as_deref().map(|steps| ("steps", steps)));
    format!(
        "made_{run} AS (
             INSERT INTO {table} AS t (id, name, owner_type, owner_id, workspace_id, is_approved, is_featured,
                                       install_count, cloned_from_id, {copied})
             SELECT c.copy_id, c.copy_name, 'workspace', {workspace}::text, {workspace}, false, false, 0, m.id, {values}
             FROM unnest({ids}::bigint[], {listings}::bigint[], {names}::text[], {versions}::text[],
                         {fingerprints}::text[])
                  WITH ORDINALITY AS c(copy_id, listing_id, copy_name, read_version, read_fingerprint, position)
             JOIN {table} m ON m.id = c.listing_id
             WHERE (SELECT as_planned FROM held)
               AND m.version::text = c.read_version AND {fingerprint} = c.read_fingerprint
             ORDER BY c.position
             ON CONFLICT ON CONSTRAINT {table}_workspace_name_key DO NOTHING
             RETURNING t.id, {stored} AS fingerprint)",
        ids = params.bind(nodes.iter().map(|(_, copy)| copy.id).collect::<Vec<_>>()),
        listings = params.bind(
            nodes
                .iter()
                .map(|(node, _)| node.listing_id)
                .collect::<Vec<_>>()
        ),
        names = params.bind(
            nodes
                .iter()
                .map(|(_, copy)| copy.name.clone())
                .collect::<Vec<_>>()
        ),
        versions = params.bind(
            nodes
                .iter()
                .map(|(_, copy)| copy.version.to_string())
                .collect::<Vec<_>>()
        ),
        fingerprints = params.bind(
            nodes
                .iter()
                .map(|(_, copy)| copy.content_hash.clone())
                .collect::<Vec<_>>()
        ),
        fingerprint = content::fingerprint_sql(kind, "m"),
        stored = content::fingerprint_sql(kind, "t"),
    )
}
