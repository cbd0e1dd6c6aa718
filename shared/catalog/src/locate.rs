use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::kind::union_all;
use crate::params::Statement;
use crate::{CatalogError, ItemKind, Viewer};

/// The kind of the marketplace item `id`, if this viewer may see it.
pub(crate) async fn visible_kind(
    db: &impl GenericClient,
    viewer: Viewer,
    id: i64,
) -> Result<ItemKind, CatalogError> {
    let row = visible_kind_statement(viewer, id)
        .query_opt(db)
        .await?
        .ok_or(CatalogError::NotFound("item"))?;
    Ok(ItemKind::parse(row.get(0)).expect("probes name only known kinds"))
}

/// Five primary-key probes in one statement: the kind of item `id`, if visible to `viewer`.
pub fn visible_kind_statement(viewer: Viewer, id: i64) -> Statement {
    let listed = viewer.listed_sql();
    let probes = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT '{kind}'::text FROM {table} t WHERE t.id = $1 AND {listed}",
            kind = kind.as_str(),
            table = kind.table()
        )
    });
    Statement::with(probes, id, Type::INT8)
}
