//! What an install leaves on record besides its copies: its install records, which install relies on which,
//! and its pending counts — one statement, V23's `marketplace_record_install`.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;
use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::planned::{Node, NodeAction, Plan};

/// An install record id for each node the plan clones, in plan order (the item's, drawn first, is the
/// lowest); `None` for reused ones. `dependency_ids` were drawn with the dependencies' lanes, one per clone.
pub(crate) fn install_ids(plan: &Plan, root_id: i64, dependency_ids: Vec<i64>) -> Vec<Option<i64>> {
    let mut ids = dependency_ids.into_iter();
    std::iter::once(Some(root_id))
        .chain(plan.nodes.iter().skip(1).map(|node| match node.action {
            NodeAction::Clone { .. } => ids.next(),
            NodeAction::Reuse { .. } => None,
        }))
        .collect()
}

/// The skill ids an agent's copy was linked to, sorted (`None` for other kinds).
pub(crate) fn linked_ids(node: &Node) -> Option<Vec<i64>> {
    (node.kind == ItemKind::Agent).then(|| {
        let mut ids: Vec<i64> = node.skills.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids
    })
}

/// Which installs each install relies on, `(install, dependency)`: each dependency's record (or the reused
/// copy's) under the record of every node that brought it.
pub(crate) fn dependency_edges(plan: &Plan, install_ids: &[Option<i64>]) -> (Vec<i64>, Vec<i64>) {
    let record_of = |index: usize| match plan.nodes[index].action {
        NodeAction::Clone { .. } => install_ids[index],
        NodeAction::Reuse { install_id, .. } => install_id,
    };
    let parents = plan
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(index, node)| node.parent.map(|parent| (parent, index)));
    parents
        .chain(plan.shared.iter().copied())
        .filter_map(|(user, dependency)| install_ids[user].zip(record_of(dependency)))
        .unzip()
}

/// A row of `marketplace_installs`, serialised as its columns.
#[derive(Serialize)]
pub(crate) struct InstallRecord {
    pub(crate) id: i64,
    pub(crate) item_id: i64,
    pub(crate) item_kind: ItemKind,
    pub(crate) workspace_id: WorkspaceId,
    pub(crate) user_id: i64,
    pub(crate) installed_item_id: i64,
    pub(crate) installed_version: Version,
    pub(crate) content_hash: String,
    pub(crate) linked_skill_ids: Option<Vec<i64>>,
    pub(crate) idempotency_key: Option<String>,
    /// The response replayed for a repeated key (the item's record only).
    pub(crate) response: Option<Value>,
    /// The install that brought this one as a dependency.
    pub(crate) parent_install_id: Option<i64>,
    /// The manifest granted: the item's, over its cascade; a dependency's own.
    pub(crate) capabilities: Option<Value>,
    pub(crate) capabilities_digest: Option<String>,
}

/// Install records as V23 takes them: a jsonb array of `marketplace_installs` rows.
pub(crate) fn records_json(records: &[InstallRecord]) -> Value {
    serde_json::to_value(records).expect("install records serialise")
}

/// Everything an install leaves on record besides its copies, written by one statement: the item's record,
/// its dependencies' records, which install relies on which, and the counts of every listing cloned (see
/// install/counts.rs) — all of it only if the item's record went in: its idempotency key decides a race
/// between two requests.
pub(crate) struct Recording<'a> {
    pub(crate) root: InstallRecord,
    pub(crate) dependencies: Vec<InstallRecord>,
    /// `(install, dependency)` record ids.
    pub(crate) edges: (Vec<i64>, Vec<i64>),
    /// The listings cloned, `(kind, id)`, each once.
    pub(crate) counted: &'a [(ItemKind, i64)],
    /// The listings this install is the workspace's first of.
    pub(crate) first: &'a HashSet<i64>,
    pub(crate) workspace: WorkspaceId,
}

impl Recording<'_> {
    /// Writes it; `false` when another install with the same idempotency key was recorded first (nothing is
    /// written then).
    pub(crate) async fn write(self, tx: &Transaction<'_>) -> Result<bool, CatalogError> {
        let (kinds, (ids, firsts)): (Vec<String>, (Vec<i64>, Vec<bool>)) = self
            .counted
            .iter()
            .map(|(kind, id)| (kind.as_str().to_owned(), (*id, self.first.contains(id))))
            .unzip();
        // V23's function: the statement's plan is cached by the connection, not made anew by every install.
        let row = Statement::new(
            "SELECT marketplace_record_install($1, $2, $3, $4, $5, $6, $7, $8) AS recorded",
        )
        .bind(records_json(std::slice::from_ref(&self.root)))
        .bind(records_json(&self.dependencies))
        .bind(self.edges.0)
        .bind(self.edges.1)
        .bind(kinds)
        .bind(ids)
        .bind(firsts)
        .bind(self.workspace)
        .query_one(tx)
        .await?;
        row.read("recorded")
    }
}
