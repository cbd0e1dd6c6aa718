//! What an install leaves on record besides its copies: install ids reserved up front, and which install
//! relies on which.

use tokio_postgres::Transaction;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Statement;
use crate::install::planned::{Node, NodeAction, Plan};

/// An install record id for each node the plan clones (in plan order, so the item's is the lowest); `None`
/// for reused ones.
pub(crate) async fn reserve_install_ids(
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
pub(crate) fn linked_ids(node: &Node) -> Option<Vec<i64>> {
    (node.kind == ItemKind::Agent).then(|| {
        let mut ids: Vec<i64> = node.skills.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids
    })
}

/// Which installs each install relies on: each dependency's record (or the reused copy's) under the record
/// of every node that brought it.
pub(crate) async fn record_dependency_edges(
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
