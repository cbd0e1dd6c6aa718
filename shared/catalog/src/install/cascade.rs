//! Installing a marketplace item: clone it into the workspace with swapped ownership fields, record the
//! install and count it — one transaction.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_postgres::{Client, GenericClient, Transaction};

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::item::ItemRef;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::redact::shown;
use crate::foundation::statement::{Params, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copy_names::{first_free_name, taken_copy_names};
use crate::install::plan::{self, Node, NodeAction, Plan};
use crate::install::setup::SetupStep;

/// Who installs what, where.
#[derive(Debug, Clone)]
pub struct InstallRequest {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    /// `Idempotency-Key`: a repeat with the same key in the same workspace replays the first response.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallResponse {
    pub install_id: i64,
    #[serde(flatten)]
    pub installation: Installation,
}

/// What an install made: the part of its response stored with it, replayed for a repeated key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    pub item: ItemRef,
    pub installed: ItemRef,
    pub version: Version,
    pub requires_setup: Vec<SetupStep>,
    pub warnings: Vec<String>,
    /// What the install brought with it (absent from responses stored before dependencies existed).
    #[serde(default)]
    pub dependencies: Vec<InstalledDependency>,
}

/// A dependency an install cloned (with its own install record) or found already in the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledDependency {
    pub action: DependencyAction,
    /// The dependency's own install record (`clone`), or `null` (`reuse`).
    pub install_id: Option<i64>,
    pub item: ItemRef,
    pub installed: ItemRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyAction {
    Clone,
    Reuse,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstallOutcome {
    pub response: InstallResponse,
    /// True when this answers a repeated `Idempotency-Key` and nothing new was created.
    pub replayed: bool,
}

/// How many names past `X-copy` a single install tries before giving up (each retry follows a conflict).
const NAME_ATTEMPTS: usize = 20;

/// Installs, running the transaction again (a few times) when it lost a race: a concurrent install made a
/// copy this plan would clone, an uninstall deleted one it would reuse, or a deadlock.
pub async fn install_item(
    client: &mut Client,
    request: &InstallRequest,
) -> Result<InstallOutcome, CatalogError> {
    let mut attempt = 1;
    loop {
        match install_once(client, request).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

async fn install_once(
    client: &mut Client,
    request: &InstallRequest,
) -> Result<InstallOutcome, CatalogError> {
    if let Some(response) = replay(&*client, request).await? {
        return Ok(response);
    }
    let tx = client.transaction().await?;
    match install_in(&tx, request).await? {
        Some(response) => {
            tx.commit().await?;
            Ok(InstallOutcome {
                response,
                replayed: false,
            })
        }
        // A concurrent request with the same key committed first: undo ours, answer with theirs.
        None => {
            tx.rollback().await?;
            replay(&*client, request).await?.ok_or_else(|| {
                CatalogError::Conflict("The idempotent install is still in progress.".into())
            })
        }
    }
}

/// The stored response of an earlier install with the same key in the same workspace. The key answers only
/// for the request it came with: the same user installing the same item.
async fn replay(
    db: &impl GenericClient,
    request: &InstallRequest,
) -> Result<Option<InstallOutcome>, CatalogError> {
    let Some(key) = &request.idempotency_key else {
        return Ok(None);
    };
    let row = Statement::new(
        "SELECT id, response, item_id = $3 AND user_id IS NOT DISTINCT FROM $4 AS same_request
         FROM marketplace_installs WHERE workspace_id = $1 AND idempotency_key = $2",
    )
    .bind(request.workspace)
    .bind(key)
    .bind(request.item_id)
    .bind(request.user_id)
    .query_opt(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if !row.read::<bool>("same_request")? {
        return Err(CatalogError::IdempotencyKeyReused(
            "This Idempotency-Key was already used in this workspace for a different request; \
             send a new key for a new install."
                .into(),
        ));
    }
    let installation = serde_json::from_value(row.read("response")?)
        .map_err(|e| CatalogError::Unreadable(format!("stored install response: {e}")))?;
    Ok(Some(InstallOutcome {
        response: InstallResponse {
            install_id: row.read("id")?,
            installation,
        },
        replayed: true,
    }))
}

/// The install inside `tx`; `None` when another install holding the same idempotency key won. Builds the
/// install plan and executes exactly it: the listing and every missing dependency cloned, each with its own
/// install record, existing copies reused, skills linked, a recipe's steps pointed at the agents' copies.
async fn install_in(
    tx: &Transaction<'_>,
    request: &InstallRequest,
) -> Result<Option<InstallResponse>, CatalogError> {
    let kind = visible_kind(tx, Audience::Member, request.item_id).await?;
    let version = lock_listing(tx, kind, request.item_id).await?;
    let plan = plan::build(tx, request.workspace, kind, request.item_id).await?;
    if let Some((kind, id, name)) = plan.unavailable.first() {
        return Err(CatalogError::DependencyUnavailable(
            *kind,
            *id,
            shown(name).to_owned(),
        ));
    }
    let versions = lock_dependencies(tx, &plan).await?;
    if !plan::copies_still_as_planned(tx, request.workspace, &plan).await? {
        return Err(CatalogError::Retry);
    }

    let mut copies = make_copies(tx, &plan, request.workspace).await?;
    link_agent_skills(tx, &plan, &copies).await?;
    if kind == ItemKind::Recipe {
        repoint_recipe_steps(tx, &plan, &mut copies).await?;
    }

    // Record ids are drawn first, the item's before its dependencies': the item's record stores the whole
    // response, dependencies' ids included, and each dependency's record names its parent's.
    let install_ids = reserve_install_ids(tx, &plan).await?;
    let install_id = install_ids[0].expect("the listing itself is always cloned");
    let NodeCopy::Cloned(root_copy) = &copies[0] else {
        unreachable!("the listing itself is always cloned")
    };
    let root = plan.root();
    let installation = Installation {
        item: ItemRef {
            id: root.listing_id,
            kind,
            name: root.name.clone(),
        },
        installed: ItemRef {
            id: root_copy.id,
            kind,
            name: root_copy.name.clone(),
        },
        version,
        requires_setup: plan.requires_setup.clone(),
        warnings: plan.warnings.clone(),
        dependencies: installed_dependencies(&plan, &copies, &install_ids),
    };
    let record = InstallRecord {
        id: install_id,
        item_id: request.item_id,
        item_kind: kind,
        workspace_id: request.workspace,
        user_id: request.user_id,
        installed_item_id: root_copy.id,
        installed_version: installation.version.clone(),
        content_hash: root_copy.content_hash.clone(),
        linked_skill_ids: linked_ids(root),
        idempotency_key: request.idempotency_key.clone(),
        response: Some(&installation),
        parent_install_id: None,
    };
    // The item's record on its own: its idempotency key decides a race between two requests.
    if InstallRecord::insert(tx, &[record]).await? == 0 {
        return Ok(None);
    }
    let dependencies = dependency_records(&plan, &copies, &install_ids, &versions, request);
    InstallRecord::insert(tx, &dependencies).await?;
    record_dependency_edges(tx, &plan, &install_ids).await?;
    count_installs(tx, &plan, request.workspace).await?;
    // After count_installs has locked every listing of the plan in its fixed order.
    let recorded: Vec<(ItemKind, i64)> = plan
        .nodes
        .iter()
        .zip(&install_ids)
        .filter(|(_, install_id)| install_id.is_some())
        .map(|(node, _)| (node.kind, node.listing_id))
        .collect();
    crate::install::trending::record_installs(tx, &recorded, request.workspace).await?;
    Ok(Some(InstallResponse {
        install_id,
        installation,
    }))
}

/// The workspace copy of a plan's node: made by this install, or already there.
enum NodeCopy {
    Cloned(WorkspaceCopy),
    Reused { id: i64, name: String },
}

impl NodeCopy {
    fn id(&self) -> i64 {
        match self {
            Self::Cloned(copy) => copy.id,
            Self::Reused { id, .. } => *id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Self::Cloned(copy) => &copy.name,
            Self::Reused { name, .. } => name,
        }
    }
}

/// Clones every node the plan clones, under the name the plan gave it (or the next free one): a statement
/// per run of clones of one kind, so that copies are still made in plan order.
async fn make_copies(
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
    let mut made = HashMap::new();
    for run in clones.chunk_by(|(a, _), (b, _)| a.kind == b.kind) {
        made.extend(clone_all(tx, run, workspace).await?);
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
async fn link_agent_skills(
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

/// The response's `dependencies`: every node but the item, cloned (with its record) or reused.
fn installed_dependencies(
    plan: &Plan,
    copies: &[NodeCopy],
    install_ids: &[Option<i64>],
) -> Vec<InstalledDependency> {
    plan.nodes
        .iter()
        .zip(copies)
        .zip(install_ids)
        .skip(1)
        .map(|((node, copy), install_id)| InstalledDependency {
            action: match copy {
                NodeCopy::Cloned(_) => DependencyAction::Clone,
                NodeCopy::Reused { .. } => DependencyAction::Reuse,
            },
            install_id: *install_id,
            item: ItemRef {
                id: node.listing_id,
                kind: node.kind,
                name: node.name.clone(),
            },
            installed: ItemRef {
                id: copy.id(),
                kind: node.kind,
                name: copy.name().to_owned(),
            },
        })
        .collect()
}

/// An install record id for each node the plan clones (in plan order, so the item's is the lowest); `None`
/// for reused ones.
async fn reserve_install_ids(
    tx: &Transaction<'_>,
    plan: &Plan,
) -> Result<Vec<Option<i64>>, CatalogError> {
    let cloned = plan
        .nodes
        .iter()
        .filter(|node| matches!(node.action, NodeAction::Clone { .. }))
        .count();
    // Through a function: a sequence function in the statement itself would pin the proxy session.
    let rows = Statement::new(
        "SELECT id FROM marketplace_reserve_install_ids($1::integer) WITH ORDINALITY AS r(id, n) ORDER BY n",
    )
    .bind(cloned as i64)
    .query(tx)
    .await?;
    let mut ids = rows.iter().map(|row| row.read::<i64>("id"));
    plan.nodes
        .iter()
        .map(|node| match node.action {
            NodeAction::Clone { .. } => ids.next().transpose(),
            NodeAction::Reuse { .. } => Ok(None),
        })
        .collect()
}

/// The skill ids an agent's copy was linked to, sorted (`None` for other kinds).
fn linked_ids(node: &Node) -> Option<Vec<i64>> {
    (node.kind == ItemKind::Agent).then(|| {
        let mut ids: Vec<i64> = node.skills.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids
    })
}

/// Locks the listing for this install and returns its version: installs of one item queue here instead of
/// racing each other for the same copy names.
async fn lock_listing(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
) -> Result<Version, CatalogError> {
    let listing = Statement::new(format!(
        "SELECT t.version::text AS version FROM {table} t
         WHERE t.id = $1 AND {listed} FOR NO KEY UPDATE",
        table = kind.table(),
        listed = Audience::Member.listed("t")
    ))
    .bind(item_id)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    listing.read("version")
}

/// Locks every dependency of the plan (cloned or reused), as [`lock_listing`] locks the item, in the one
/// lock order ([`ItemKind::lock_rank`], then id), before any copy is read under lock: installs and
/// uninstalls of overlapping plans then queue on their first common listing instead of waiting in a
/// circle. Returns their versions by listing id. A dependency delisted since the plan was read is a
/// conflict: the plan no longer holds.
async fn lock_dependencies(
    tx: &Transaction<'_>,
    plan: &Plan,
) -> Result<HashMap<i64, Version>, CatalogError> {
    let dependencies = in_lock_order(plan.nodes.iter().skip(1));
    let mut versions = HashMap::new();
    for run in dependencies.chunk_by(locked_together) {
        let rows = Statement::new(format!(
            "SELECT t.id, t.version::text AS version FROM {table} t
             WHERE t.id = ANY($1) AND {listed}
             ORDER BY t.id FOR NO KEY UPDATE",
            table = run[0].kind.table(),
            listed = Audience::Member.listed("t"),
        ))
        .bind(listing_ids(run))
        .query(tx)
        .await?;
        if rows.len() < run.len() {
            return Err(CatalogError::Conflict(
                "A dependency of this item changed during the install; retry it.".into(),
            ));
        }
        for row in &rows {
            versions.insert(row.read("id")?, row.read("version")?);
        }
    }
    Ok(versions)
}

/// `nodes` in the lock order: by [`ItemKind::lock_rank`], then id.
fn in_lock_order<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<&'a Node> {
    let mut ordered: Vec<&Node> = nodes.collect();
    ordered.sort_by_key(|node| (node.kind.lock_rank(), node.listing_id));
    ordered
}

/// Whether two listings next to each other in lock order are locked (and counted) by one statement: one
/// kind, so one table, in id order.
fn locked_together(a: &&Node, b: &&Node) -> bool {
    a.kind == b.kind
}

fn listing_ids(nodes: &[&Node]) -> Vec<i64> {
    nodes.iter().map(|node| node.listing_id).collect()
}

/// Points the recipe copy's steps at the workspace copies of its agents, and fingerprints the copy as it
/// now is (its steps were pointed by the install, not changed by the workspace).
async fn repoint_recipe_steps(
    tx: &Transaction<'_>,
    plan: &Plan,
    copies: &mut [NodeCopy],
) -> Result<(), CatalogError> {
    let mut by_name = HashMap::new();
    let mut by_listing = HashMap::new();
    for (node, copy) in plan.nodes.iter().zip(copies.iter()).skip(1) {
        if node.kind == ItemKind::Agent && node.parent == Some(0) {
            by_listing.insert(node.listing_id, copy.id());
            by_name.insert(node.name.to_lowercase(), copy.id());
            for name in &node.requested_as {
                by_name.insert(name.clone(), copy.id());
            }
        }
    }
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

/// Which installs each install relies on: each dependency's record (or the reused copy's) under the record
/// of every node that brought it.
async fn record_dependency_edges(
    tx: &Transaction<'_>,
    plan: &Plan,
    install_ids: &[Option<i64>],
) -> Result<(), CatalogError> {
    let record_of = |index: usize| match plan.nodes[index].action {
        NodeAction::Clone { .. } => install_ids[index],
        NodeAction::Reuse { install_id, .. } => install_id,
    };
    let parents = plan
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(index, node)| node.parent.map(|parent| (parent, index)));
    let (users, used): (Vec<i64>, Vec<i64>) = parents
        .chain(plan.shared.iter().copied())
        .filter_map(|(user, dependency)| install_ids[user].zip(record_of(dependency)))
        .unzip();
    if users.is_empty() {
        return Ok(());
    }
    Statement::new(
        "INSERT INTO marketplace_install_dependencies (install_id, dependency_id)
         SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
    )
    .bind(users)
    .bind(used)
    .execute(tx)
    .await?;
    Ok(())
}

/// Counts the install of every listing it cloned, last thing before commit: `install_count` and
/// `active_installs` + 1 each, `workspace_count` + 1 for a listing this workspace never installed before,
/// and the workspace among those that ever installed. The `marketplace_counts` rows the counts' trigger
/// updates are locked first, in one order, so that installs of several listings never wait in a circle.
async fn count_installs(
    tx: &Transaction<'_>,
    plan: &Plan,
    workspace: WorkspaceId,
) -> Result<(), CatalogError> {
    let cloned = in_lock_order(plan.nodes.iter().filter(|node| node.is_cloned()));
    if cloned.len() > 1 {
        let (kinds, categories): (Vec<String>, Vec<String>) = cloned
            .iter()
            .map(|node| (node.kind.as_str().to_owned(), node.category_key.clone()))
            .unzip();
        Statement::new(
            "SELECT 1 FROM marketplace_counts
             WHERE is_approved AND (kind::text, category_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))
             ORDER BY kind, category_key FOR UPDATE",
        )
        .bind(kinds)
        .bind(categories)
        .execute(tx)
        .await?;
    }
    for run in cloned.chunk_by(locked_together) {
        Statement::new(format!(
            "WITH first AS (
                 INSERT INTO marketplace_install_workspaces (item_id, workspace_id)
                 SELECT unnest($1::bigint[]), $2
                 ON CONFLICT DO NOTHING RETURNING item_id)
             UPDATE {table} t
             SET install_count = install_count + 1, active_installs = active_installs + 1,
                 workspace_count = workspace_count + (SELECT count(*) FROM first f WHERE f.item_id = t.id)::int
             WHERE t.id = ANY($1)",
            table = run[0].kind.table(),
        ))
        .bind(listing_ids(run))
        .bind(workspace)
        .execute(tx)
        .await?;
    }
    Statement::new(
        "INSERT INTO marketplace_installing_workspaces (workspace_id) VALUES ($1) ON CONFLICT DO NOTHING",
    )
    .bind(workspace)
    .execute(tx)
    .await?;
    Ok(())
}

/// A row of `marketplace_installs`, serialised as its columns.
#[derive(Serialize)]
struct InstallRecord<'a> {
    id: i64,
    item_id: i64,
    item_kind: ItemKind,
    workspace_id: WorkspaceId,
    user_id: i64,
    installed_item_id: i64,
    installed_version: Version,
    content_hash: String,
    linked_skill_ids: Option<Vec<i64>>,
    idempotency_key: Option<String>,
    /// The response replayed for a repeated key (the item's record only).
    response: Option<&'a Installation>,
    /// The install that brought this one as a dependency.
    parent_install_id: Option<i64>,
}

impl InstallRecord<'_> {
    /// Inserts `records` in one statement and returns how many were: none with an idempotency key already
    /// recorded in its workspace.
    async fn insert(tx: &Transaction<'_>, records: &[Self]) -> Result<u64, CatalogError> {
        if records.is_empty() {
            return Ok(0);
        }
        let rows = serde_json::to_value(records).expect("install records serialise");
        let inserted = Statement::new(
            "INSERT INTO marketplace_installs (id, item_id, item_kind, workspace_id, user_id, installed_item_id,
                                              installed_version, content_hash, idempotency_key, response,
                                              linked_skill_ids, parent_install_id)
             SELECT id, item_id, item_kind, workspace_id, user_id, installed_item_id, installed_version,
                    content_hash, idempotency_key, response, linked_skill_ids, parent_install_id
             FROM jsonb_populate_recordset(NULL::marketplace_installs, $1)
             ON CONFLICT (workspace_id, idempotency_key) DO NOTHING",
        )
        .bind(rows)
        .execute(tx)
        .await?;
        Ok(inserted)
    }
}

/// The install records of the dependencies the install cloned, each naming its parent's record.
fn dependency_records<'a>(
    plan: &Plan,
    copies: &[NodeCopy],
    install_ids: &[Option<i64>],
    versions: &HashMap<i64, Version>,
    request: &InstallRequest,
) -> Vec<InstallRecord<'a>> {
    let mut records = Vec::new();
    for (index, node) in plan.nodes.iter().enumerate().skip(1) {
        let (NodeCopy::Cloned(copy), Some(id)) = (&copies[index], install_ids[index]) else {
            continue;
        };
        records.push(InstallRecord {
            id,
            item_id: node.listing_id,
            item_kind: node.kind,
            workspace_id: request.workspace,
            user_id: request.user_id,
            installed_item_id: copy.id,
            installed_version: versions[&node.listing_id].clone(),
            content_hash: copy.content_hash.clone(),
            linked_skill_ids: linked_ids(node),
            idempotency_key: None,
            response: None,
            parent_install_id: node.parent.and_then(|parent| install_ids[parent]),
        });
    }
    records
}

/// The workspace copy an install made, and its content.
struct WorkspaceCopy {
    id: i64,
    name: String,
    content: Value,
    content_hash: String,
}

/// Clones `nodes`, listings of one kind, under the names their plan gave them (`(node, name)`) in one
/// statement; a clone whose name was taken meanwhile moves on to the next free one. Returns the copies by
/// listing id.
async fn clone_all(
    tx: &Transaction<'_>,
    nodes: &[(&Node, &str)],
    workspace: WorkspaceId,
) -> Result<HashMap<i64, WorkspaceCopy>, CatalogError> {
    let kind = nodes[0].0.kind;
    let planned: Vec<(i64, &str)> = nodes
        .iter()
        .map(|(node, name)| (node.listing_id, *name))
        .collect();
    let mut made = insert_copies(tx, kind, workspace, &planned).await?;
    for (node, _) in nodes {
        if let Entry::Vacant(name_taken) = made.entry(node.listing_id) {
            let copy =
                clone_with_free_name(tx, kind, node.listing_id, workspace, &node.name).await?;
            name_taken.insert(copy);
        }
    }
    Ok(made)
}

/// Inserts workspace copies of listings of `kind`, `(listing id, name)`, in the order given, and returns
/// those made by listing id, their content scrubbed. A name the workspace already has makes no copy: the
/// unique index on (workspace_id, name) decides.
async fn insert_copies(
    tx: &Transaction<'_>,
    kind: ItemKind,
    workspace: WorkspaceId,
    copies: &[(i64, &str)],
) -> Result<HashMap<i64, WorkspaceCopy>, CatalogError> {
    let table = kind.table();
    let own_columns = kind.content_columns().join(", ");
    let copied = format!(
        "description, marketplace_category, marketplace_icon, tags, original_creator_id, version, {own_columns}"
    );
    let (listings, names): (Vec<i64>, Vec<String>) = copies
        .iter()
        .map(|(listing_id, name)| (*listing_id, name.to_string()))
        .unzip();
    let rows = Statement::new(format!(
        "INSERT INTO {table} AS t (name, owner_type, owner_id, workspace_id, is_approved, is_featured,
                                   install_count, cloned_from_id, {copied})
         SELECT c.name, 'workspace', $3::text, $3, false, false, 0, m.id, {copied}
         FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS c(listing_id, name, position)
         JOIN {table} m ON m.id = c.listing_id
         ORDER BY c.position
         ON CONFLICT ON CONSTRAINT {table}_workspace_name_key DO NOTHING
         RETURNING t.id, t.cloned_from_id, t.name, {scrubbed}",
        scrubbed = content::scrub_columns(kind),
    ))
    .bind(listings)
    .bind(names)
    .bind(workspace)
    .query(tx)
    .await?;
    let mut made = HashMap::new();
    for row in &rows {
        let id = row.read("id")?;
        // A listing holds no secrets, but one that entered another way than a submission might.
        let scrubbed = content::scrub_returned(tx, kind, id, row).await?;
        let copy = WorkspaceCopy {
            id,
            name: row.read("name")?,
            content: scrubbed.content,
            content_hash: scrubbed.fingerprint,
        };
        made.insert(row.read("cloned_from_id")?, copy);
    }
    Ok(made)
}

/// Clones listing `listing_id` once the name its plan gave it was taken meanwhile, under the first free name
/// of `X`, `X-copy`, `X-copy-2`, ... The unique index on (workspace_id, name) decides; a name taken meanwhile
/// just moves us to the next one.
async fn clone_with_free_name(
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
        let mut made = insert_copies(tx, kind, workspace, &[(listing_id, &name)]).await?;
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
                listed = Audience::Member.listed("s"),
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

#[cfg(test)]
mod tests {
    use super::Installation;

    #[test]
    fn responses_stored_before_installation_existed_still_replay() {
        let stored = serde_json::json!({
            "install_id": 0,
            "item": {"id": 7, "type": "agent", "name": "Bot"},
            "installed": {"id": 9, "type": "agent", "name": "Bot-copy"},
            "version": "1.2.0",
            "requires_setup": [{"kind": "tool", "slug": "gmail", "name": "Gmail"}],
            "warnings": [],
        });
        let installation: Installation = serde_json::from_value(stored).unwrap();
        assert_eq!(installation.installed.name, "Bot-copy");
        assert_eq!(installation.version.to_string(), "1.2.0");
    }
}
