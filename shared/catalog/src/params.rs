use tokio_postgres::types::{ToSql, Type};

/// Positional parameters of a statement assembled at run time, each with its declared type
/// (statements go out unnamed through `query_typed`, which RDS Proxy does not pin).
#[derive(Default)]
pub(crate) struct Params {
    values: Vec<(Box<dyn ToSql + Sync + Send>, Type)>,
}

impl Params {
    /// Adds a parameter and returns its placeholder (`$n`).
    pub(crate) fn push(&mut self, value: impl ToSql + Sync + Send + 'static, ty: Type) -> String {
        self.values.push((Box::new(value), ty));
        format!("${}", self.values.len())
    }

    pub(crate) fn as_typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.values
            .iter()
            .map(|(value, ty)| (&**value as &(dyn ToSql + Sync), ty.clone()))
            .collect()
    }
}
