//! Installing a marketplace item: clone it into the workspace with swapped ownership fields and record the
//! install — one transaction — then fold its counts into the listings' counters (install/counts.rs).

use serde::{Deserialize, Serialize};
use tokio_postgres::{Client, Transaction};

use crate::foundation::caller_check::{CallerCheck, Checked};
use crate::foundation::capabilities::Manifest;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::item::ItemRef;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::shown;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copies::{link_agent_skills, make_copies, repoint_recipe_steps, NodeCopy};
use crate::install::counts::fold_counts;
use crate::install::dependencies::installable_listing;
use crate::install::existing::copies_still_as_planned;
use crate::install::locks::{in_lock_order, lock_lanes};
use crate::install::plan;
use crate::install::planned::Plan;
use crate::install::records::{
    dependency_edges, install_ids, linked_ids, InstallRecord, Recording,
};
use crate::install::setup::SetupStep;

/// Who installs what, where.
#[derive(Debug, Clone)]
pub struct InstallRequest {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    /// `Idempotency-Key`: a repeat with the same key in the same workspace replays the first response.
    pub idempotency_key: Option<String>,
    /// The digest of the install plan's manifest the installer accepts (`accept_capabilities`).
    pub accept_capabilities: Option<String>,
    /// The listing's kind, when the caller remembers it from an earlier answer: the listing is then read from
    /// that kind's table alone (a statement of a fifth the size to plan). Only a hint; it is checked.
    pub kind: Option<ItemKind>,
    /// The token's subject, when the route has not looked the caller up: the install's first statement then
    /// carries the lookup ([`CallerCheck`]), and the install goes on only if it finds `user_id` with a role
    /// that may change `workspace`; else it writes nothing and fails with
    /// [`CatalogError::CallerUnconfirmed`]. Not with an `idempotency_key`, whose replay is read first.
    pub confirm_caller: Option<String>,
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

/// Installs, running the transaction again (a few times) when it lost a race: a concurrent install made a
/// copy this plan would clone, an uninstall deleted one it would reuse, or a deadlock.
pub async fn install_item(
    client: &mut Client,
    request: &InstallRequest,
) -> Result<InstallOutcome, CatalogError> {
    let mut confirm = request.confirm_caller.as_deref();
    if confirm.is_some() && request.idempotency_key.is_some() {
        return Err(CatalogError::CallerUnconfirmed);
    }
    let mut attempt = 1;
    loop {
        match install_once(client, request, &mut confirm).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

/// One attempt; `confirm`, the caller still to confirm, is taken once the attempt's first statement has.
async fn install_once(
    client: &mut Client,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
) -> Result<InstallOutcome, CatalogError> {
    if let Some(response) = replay(&*client, request).await? {
        return Ok(response);
    }
    let tx = client.transaction().await?;
    match install_in(&tx, request, confirm).await? {
        Written::Installed(response, counted) => {
            tx.commit().await?;
            fold_counts(client, &counted).await;
            Ok(InstallOutcome {
                response,
                replayed: false,
            })
        }
        Written::KeyTaken(Some(outcome)) => {
            tx.rollback().await?;
            Ok(outcome)
        }
        // A concurrent request with the same key committed first: undo ours, answer with theirs.
        Written::KeyTaken(None) => {
            tx.rollback().await?;
            replay(&*client, request).await?.ok_or_else(|| {
                CatalogError::Conflict("The idempotent install is still in progress.".into())
            })
        }
    }
}

/// How an install's transaction ended.
enum Written {
    /// It installed: the response, and the listings whose counts it left pending.
    Installed(InstallResponse, Vec<i64>),
    /// Another install with the same idempotency key committed first; its answer, when already read.
    KeyTaken(Option<InstallOutcome>),
}

/// The stored response of an earlier install with the same key in the same workspace. The key answers only
/// for the request it came with: the same user installing the same item.
async fn replay(
    db: &impl Sql,
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

/// The install inside `tx`, or the answer of another install holding the same idempotency key that won. Builds the install plan and executes exactly it: the listing and
/// every missing dependency cloned, each with its own install record, existing copies reused, skills linked,
/// a recipe's steps pointed at the agents' copies. Holds the lanes of the plan's listings in the workspace
/// (install/locks.rs), never a listing's row.
async fn install_in(
    tx: &Transaction<'_>,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
) -> Result<Written, CatalogError> {
    let (workspace, item_id, kind_hint) = (request.workspace, request.item_id, request.kind);
    let (kind, root, lane) = match *confirm {
        None => installable_listing(tx, workspace, item_id, kind_hint, true).await?,
        Some(subject) => {
            let checking = CallerCheck::new(tx, subject, Some(workspace));
            let found = installable_listing(&checking, workspace, item_id, kind_hint, true).await;
            // A statement that failed confirmed no one (it may have failed for want of a check: a lane
            // in a workspace that does not exist); the route looks the caller up and tries again.
            let Some(checked) = checking.checked() else {
                return Err(CatalogError::CallerUnconfirmed);
            };
            if !confirms(&checked, request.user_id) {
                return Err(CatalogError::CallerUnconfirmed);
            }
            *confirm = None;
            found?
        }
    };
    let lane = lane.expect("the root's lane is locked");
    // Repeats of a key queue on the lane behind the install that used it: once it has committed they answer
    // with its response here, instead of each making an install of its own only to throw it away.
    if !lane.first {
        if let Some(outcome) = replay(tx, request).await? {
            return Ok(Written::KeyTaken(Some(outcome)));
        }
    }
    let mut plan = plan::build(tx, request.workspace, kind, root).await?;
    if !lane.first {
        plan::claim_names_now(tx, request.workspace, &mut plan).await?;
    }
    if let Some((kind, id, name)) = plan.unavailable.first() {
        return Err(CatalogError::DependencyUnavailable(
            *kind,
            *id,
            shown(name).to_owned(),
        ));
    }
    let manifest = plan.manifest();
    let needs_consent = manifest.capabilities.needs_consent();
    let manifest = consented(
        manifest,
        needs_consent,
        request.accept_capabilities.as_deref(),
    )?;
    let dependencies = in_lock_order(plan.nodes.iter().skip(1));
    let locked: Vec<(ItemKind, i64, bool)> = dependencies
        .iter()
        .map(|node| (node.kind, node.listing_id, node.is_cloned()))
        .collect();
    let clones = plan
        .nodes
        .iter()
        .skip(1)
        .filter(|node| node.is_cloned())
        .count();
    let held = lock_lanes(tx, request.workspace, &locked, clones).await?;
    if !copies_still_as_planned(&dependencies, &held.copies) {
        return Err(CatalogError::Retry);
    }
    let mut first = held.first;
    if lane.first {
        first.insert(request.item_id);
    }
    let dependency_ids = held.install_ids;

    let mut copies = make_copies(tx, &plan, request.workspace).await?;
    refuse_changed_content(&plan, &copies)?;
    link_agent_skills(tx, &plan, &copies).await?;
    if kind == ItemKind::Recipe {
        repoint_recipe_steps(tx, &plan, &mut copies).await?;
    }

    // Record ids were drawn with the lanes, the item's before its dependencies': the item's record stores the
    // whole response, dependencies' ids included, and each dependency's record names its parent's.
    let install_ids = install_ids(&plan, lane.install_id, dependency_ids);
    let install_id = lane.install_id;
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
        version: root_copy.version.clone(),
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
        response: Some(serde_json::to_value(&installation).expect("an installation serialises")),
        parent_install_id: None,
        capabilities: Some(manifest.capabilities_json()),
        capabilities_digest: Some(manifest.capabilities_digest),
    };
    let dependencies = dependency_records(&plan, &copies, &install_ids, request);
    let counted: Vec<(ItemKind, i64)> = plan
        .nodes
        .iter()
        .zip(&install_ids)
        .filter(|(_, install_id)| install_id.is_some())
        .map(|(node, _)| (node.kind, node.listing_id))
        .collect();
    let recorded = Recording {
        root: record,
        dependencies,
        edges: dependency_edges(&plan, &install_ids),
        counted: &counted,
        first: &first,
        workspace: request.workspace,
    };
    if !recorded.write(tx).await? {
        return Ok(Written::KeyTaken(None));
    }
    let response = InstallResponse {
        install_id,
        installation,
    };
    Ok(Written::Installed(
        response,
        counted.iter().map(|(_, id)| *id).collect(),
    ))
}

/// Whether a caller lookup found user `user_id` with a role that may change the workspace.
fn confirms(checked: &Checked, user_id: i64) -> bool {
    checked
        .caller
        .as_ref()
        .is_some_and(|caller| caller.id == user_id)
        && checked.role.is_some_and(|role| role.can_write())
}

/// `manifest`, when the caller consented to it: a digest sent must be the manifest's, and without one only
/// what `needs_consent` says needs none goes ahead. Installs need consent to a manifest that reaches
/// anything; updates, to one that reaches more than the copy did.
pub(crate) fn consented(
    manifest: Manifest,
    needs_consent: bool,
    accepted: Option<&str>,
) -> Result<Manifest, CatalogError> {
    match accepted {
        Some(digest) if digest != manifest.capabilities_digest => {
            Err(CatalogError::CapabilitiesChanged(Box::new(manifest)))
        }
        None if needs_consent => Err(CatalogError::CapabilitiesConsentRequired(Box::new(
            manifest,
        ))),
        _ => Ok(manifest),
    }
}

/// Every clone must be the content approved under its listing's version: a listing edited behind review's
/// back is never handed out.
fn refuse_changed_content(plan: &Plan, copies: &[NodeCopy]) -> Result<(), CatalogError> {
    for (node, copy) in plan.nodes.iter().zip(copies) {
        if let (NodeCopy::Cloned(copy), Some(approved)) = (copy, &node.content_digest) {
            if copy.content_hash != *approved {
                return Err(CatalogError::ContentChanged(
                    node.kind,
                    node.listing_id,
                    shown(&node.name).to_owned(),
                ));
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

/// The install records of the dependencies the install cloned, each naming its parent's record.
fn dependency_records(
    plan: &Plan,
    copies: &[NodeCopy],
    install_ids: &[Option<i64>],
    request: &InstallRequest,
) -> Vec<InstallRecord> {
    let mut records = Vec::new();
    for (index, node) in plan.nodes.iter().enumerate().skip(1) {
        let (NodeCopy::Cloned(copy), Some(id)) = (&copies[index], install_ids[index]) else {
            continue;
        };
        let node_manifest = Manifest::from(node.capabilities.clone());
        records.push(InstallRecord {
            id,
            item_id: node.listing_id,
            item_kind: node.kind,
            workspace_id: request.workspace,
            user_id: request.user_id,
            installed_item_id: copy.id,
            installed_version: copy.version.clone(),
            content_hash: copy.content_hash.clone(),
            linked_skill_ids: linked_ids(node),
            idempotency_key: None,
            response: None,
            parent_install_id: node.parent.and_then(|parent| install_ids[parent]),
            capabilities: Some(node_manifest.capabilities_json()),
            capabilities_digest: Some(node_manifest.capabilities_digest),
        });
    }
    records
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
