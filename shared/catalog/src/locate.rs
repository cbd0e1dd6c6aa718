use tokio_postgres::types::Type;
use tokio_postgres::GenericClient;

use crate::{CatalogError, ItemKind, Viewer};

/// The kind of the marketplace item `id`, if this viewer may see it: five primary-key probes in one statement.
pub(crate) async fn visible_kind(
    db: &impl GenericClient,
    viewer: Viewer,
    id: i64,
) -> Result<ItemKind, CatalogError> {
    let listed = viewer.listed_sql();
    let probes = ItemKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "SELECT '{kind}'::text FROM {table} t WHERE t.id = $1 AND {listed}",
                kind = kind.as_str(),
                table = kind.table()
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let row = db
        .query_typed_opt(&probes, &[(&id, Type::INT8)])
        .await?
        .ok_or(CatalogError::NotFound("item"))?;
    Ok(ItemKind::parse(row.get(0)).expect("probes name only known kinds"))
}
