//! Columns read by name, with a typed error.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

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
