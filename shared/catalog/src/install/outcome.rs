//! What an install is asked and what it answers: the request, the response (whose stored part a repeated
//! `Idempotency-Key` replays), and the records an install leaves, built from its plan and its copies the same
//! way whether one statement (install/single.rs) or a transaction (install/cascade.rs) writes them.

use serde::{Deserialize, Serialize};

use crate::foundation::capabilities::Manifest;
use crate::foundation::error::CatalogError;
use crate::foundation::item::ItemRef;
use crate::foundation::kind::ItemKind;
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copies::NodeCopy;
use crate::install::planned::Plan;
use crate::install::records::{dependency_edges, linked_ids, InstallRecord};
use crate::install::replay::{ReplayKey, Replayed};
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
    /// [`CatalogError::CallerUnconfirmed`]. With an `idempotency_key`, that statement also reads the key's
    /// replay, answered only once the caller is confirmed.
    ///
    /// [`CallerCheck`]: crate::foundation::caller_check::CallerCheck
    /// [`CatalogError::CallerUnconfirmed`]: crate::CatalogError::CallerUnconfirmed
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

impl InstallRequest {
    /// The key this request would replay under, if it carries one.
    pub(crate) fn replay_key(&self) -> Option<ReplayKey<'_>> {
        self.idempotency_key.as_deref().map(|key| ReplayKey {
            key,
            user_id: self.user_id,
        })
    }
}

impl InstallOutcome {
    /// The answer to a repeat of the earlier install under the request's key: its stored response, when it
    /// came with the same request; any other request with the key is refused.
    pub(crate) fn replaying(earlier: Replayed) -> Result<Self, CatalogError> {
        if !earlier.same_request {
            return Err(CatalogError::IdempotencyKeyReused(
                "This Idempotency-Key was already used in this workspace for a different request; \
                 send a new key for a new install."
                    .into(),
            ));
        }
        let installation = serde_json::from_value(earlier.response)
            .map_err(|e| CatalogError::Unreadable(format!("stored install response: {e}")))?;
        Ok(Self {
            response: InstallResponse {
                install_id: earlier.install_id,
                installation,
            },
            replayed: true,
        })
    }
}

/// What an install answers and records, from its plan, the copy of each node and each clone's record id.
pub(crate) struct Made {
    pub(crate) response: InstallResponse,
    pub(crate) root: InstallRecord,
    pub(crate) dependencies: Vec<InstallRecord>,
    /// `(install, dependency)` record ids.
    pub(crate) edges: (Vec<i64>, Vec<i64>),
    /// The listings cloned, `(kind, id)`: the counts the install moves.
    pub(crate) counted: Vec<(ItemKind, i64)>,
}

/// The [`Made`] of an install whose copies are `copies` (one per node of `plan`) and whose clones' records
/// are `install_ids`, the item's first.
pub(crate) fn made(
    plan: &Plan,
    copies: &[NodeCopy],
    install_ids: &[Option<i64>],
    request: &InstallRequest,
    manifest: &Manifest,
) -> Made {
    let install_id = install_ids[0].expect("the item itself is always cloned");
    let NodeCopy::Cloned(root_copy) = &copies[0] else {
        unreachable!("the listing itself is always cloned")
    };
    let root = plan.root();
    let installation = Installation {
        item: ItemRef {
            id: root.listing_id,
            kind: root.kind,
            name: root.name.clone(),
        },
        installed: ItemRef {
            id: root_copy.id,
            kind: root.kind,
            name: root_copy.name.clone(),
        },
        version: root_copy.version.clone(),
        requires_setup: plan.requires_setup.clone(),
        warnings: plan.warnings.clone(),
        dependencies: installed_dependencies(plan, copies, install_ids),
    };
    let record = InstallRecord {
        id: install_id,
        item_id: request.item_id,
        item_kind: root.kind,
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
        capabilities_digest: Some(manifest.capabilities_digest.clone()),
    };
    let counted: Vec<(ItemKind, i64)> = plan
        .nodes
        .iter()
        .zip(install_ids)
        .filter(|(_, install_id)| install_id.is_some())
        .map(|(node, _)| (node.kind, node.listing_id))
        .collect();
    Made {
        response: InstallResponse {
            install_id,
            installation,
        },
        root: record,
        dependencies: dependency_records(plan, copies, install_ids, request),
        edges: dependency_edges(plan, install_ids),
        counted,
    }
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
