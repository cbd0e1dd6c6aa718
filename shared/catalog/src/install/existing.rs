//! What a workspace already has that a plan reuses: copies of its dependencies from earlier installs.

use serde::Deserialize;
use serde_json::Value;
use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::install::planned::Node;

/// Whether `dependencies` still find exactly the copies the plan was built from, given `copies`, the
/// workspace's copy of each read once the install held every listing of its plan ([`lock_lanes`]): each
/// reused copy still there, and no copy made meanwhile of a listing the plan clones (by a concurrent install
/// into the same workspace). Every install and uninstall through the service that makes or deletes a copy of
/// those listings holds the listing too, so the answer stands until commit without locking any copy
/// (installs never wait on a copy: see the lock order in docs/architecture.md). When it fails, the install
/// starts again with a new plan, so that a dependency is cloned once per workspace.
///
/// [`lock_lanes`]: crate::install::locks::lock_lanes
pub(crate) fn copies_still_as_planned(dependencies: &[&Node], copies: &[Option<i64>]) -> bool {
    dependencies.len() == copies.len()
        && dependencies
            .iter()
            .zip(copies)
            .all(|(node, copy)| node.planned_copy() == *copy)
}

/// A workspace's copy of a listing, with the live install record that made it.
#[derive(Deserialize)]
pub(crate) struct ExistingCopy {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) install_id: Option<i64>,
}

impl ExistingCopy {
    /// [`existing_copy_sql`]'s column where no copy is looked for.
    pub(crate) const NONE: &'static str = "NULL::jsonb AS existing_copy";

    /// The copy in the `existing_copy` column of `row`, when there is one.
    pub(crate) fn from_row(row: &Row) -> Result<Option<Self>, CatalogError> {
        row.read::<Option<Value>>("existing_copy")?
            .map(|copy| {
                serde_json::from_value(copy)
                    .map_err(|e| CatalogError::Unreadable(format!("existing copy: {e}")))
            })
            .transpose()
    }
}

/// The column `existing_copy`: the workspace `workspace`'s (a placeholder) first copy of listing row `alias`
/// of `kind`, found by `cloned_from_id` (never by name), with the live install record that made it, as a
/// `jsonb` object ([`ExistingCopy`]), or NULL. Nothing is locked: an install checks the copies under lock
/// once it holds every listing of its plan ([`copies_still_as_planned`]; V25 reads them the same way).
pub(crate) fn existing_copy_sql(kind: ItemKind, alias: &str, workspace: &str) -> String {
    format!(
        "(SELECT jsonb_build_object('id', w.id, 'name', w.name, 'install_id',
                    (SELECT i.id FROM marketplace_installs i
                     WHERE i.workspace_id = {workspace} AND i.installed_item_id = w.id AND i.uninstalled_at IS NULL
                     ORDER BY i.id DESC LIMIT 1))
          FROM {table} w
          WHERE w.workspace_id = {workspace} AND w.cloned_from_id = {alias}.id AND w.owner_type = 'workspace'
          ORDER BY w.id LIMIT 1) AS existing_copy",
        table = kind.table(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::capabilities::Capabilities;
    use crate::install::planned::NodeAction;

    fn node(action: NodeAction) -> Node {
        Node {
            kind: ItemKind::Llm,
            listing_id: 1,
            name: "fast-1".into(),
            capabilities: Capabilities::default(),
            content_digest: None,
            version: "1.0.0".parse().unwrap(),
            content: serde_json::Value::Null,
            fingerprint: String::new(),
            depth: 1,
            parent: Some(0),
            action,
            skills: Vec::new(),
            requested_as: Vec::new(),
            asks_for: Vec::new(),
            setup: Vec::new(),
            taken_names: Vec::new(),
            uses_skills: Vec::new(),
        }
    }

    #[test]
    fn a_plan_stands_only_while_the_workspace_has_exactly_the_copies_it_planned() {
        let clone = node(NodeAction::Clone {
            as_name: "fast-1".into(),
        });
        let reuse = node(NodeAction::Reuse {
            copy_id: 9,
            copy_name: "fast-1".into(),
            install_id: None,
        });
        assert!(copies_still_as_planned(&[&clone, &reuse], &[None, Some(9)]));
        assert!(
            !copies_still_as_planned(&[&clone], &[Some(9)]),
            "copied meanwhile"
        );
        assert!(
            !copies_still_as_planned(&[&reuse], &[None]),
            "deleted meanwhile"
        );
        assert!(
            !copies_still_as_planned(&[&reuse], &[Some(10)]),
            "another copy"
        );
        assert!(!copies_still_as_planned(&[&reuse], &[]), "not read");
    }
}
