//! Columns read by name, with a typed error.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use crate::foundation::capabilities::Manifest;
use crate::foundation::error::CatalogError;

/// Reads a row's columns by name. A value the column's Rust type cannot hold is
/// [`CatalogError::Unreadable`].
pub(crate) trait ReadColumn {
    fn read<'r, T: FromSql<'r>>(&'r self, column: &str) -> Result<T, CatalogError>;
}

impl ReadColumn for Row {
    fn read<'r, T: FromSql<'r>>(&'r self, column: &str) -> Result<T, CatalogError> {
        self.try_get(column)
            .map_err(|error| CatalogError::Unreadable(format!("column {column}: {error}")))
    }
}

/// The manifest a row carries in its `capabilities` and `capabilities_digest` columns (a version's or an
/// install record's), if it has one.
pub(crate) fn read_manifest(row: &Row) -> Result<Option<Manifest>, CatalogError> {
    let capabilities: Option<serde_json::Value> = row.read("capabilities")?;
    let digest: Option<String> = row.read("capabilities_digest")?;
    let (Some(capabilities), Some(capabilities_digest)) = (capabilities, digest) else {
        return Ok(None);
    };
    let capabilities = serde_json::from_value(capabilities)
        .map_err(|error| CatalogError::Unreadable(format!("stored manifest: {error}")))?;
    Ok(Some(Manifest {
        capabilities,
        capabilities_digest,
    }))
}

/// The findings of the checks at submit a version row carries in its `findings` column.
pub(crate) fn read_findings(
    row: &Row,
) -> Result<Vec<crate::foundation::findings::Finding>, CatalogError> {
    serde_json::from_value(row.read("findings")?)
        .map_err(|error| CatalogError::Unreadable(format!("findings: {error}")))
}
