use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Sql, Statement};

/// The kind of the marketplace item `id`, if this audience may see it.
pub(crate) async fn visible_kind(
    db: &impl Sql,
    audience: Audience,
    id: i64,
) -> Result<ItemKind, CatalogError> {
    visible_kind_statement(audience, id)
        .query_opt(db)
        .await?
        .ok_or(CatalogError::NotFound("item"))?
        .read("kind")
}

/// Five primary-key probes in one statement: the kind of item `id`, if visible to `audience`.
pub fn visible_kind_statement(audience: Audience, id: i64) -> Statement<'static> {
    Statement::new(visible_kind_sql(audience)).bind(id)
}

/// The probes of [`visible_kind_statement`], the id in `$1`: one row (`kind`) or none.
pub(crate) fn visible_kind_sql(audience: Audience) -> String {
    union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT '{kind}'::text AS kind FROM {table} t WHERE t.id = $1 AND {listed}",
            table = kind.table(),
            listed = audience.listed("t"),
        )
    })
}
