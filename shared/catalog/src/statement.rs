use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};

/// Positional parameters of a statement assembled at run time, each with its declared type.
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

    fn as_typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.values
            .iter()
            .map(|(value, ty)| (&**value as &(dyn ToSql + Sync), ty.clone()))
            .collect()
    }
}

/// One SQL statement and its typed parameters, sent unnamed (`query_typed`) so that RDS Proxy never pins a
/// connection. The domain builds these and runs them; the benchmark runs the very same ones to measure the
/// SQL floor under each route.
pub struct Statement {
    sql: String,
    params: Params,
}

impl Statement {
    pub(crate) fn new(sql: impl Into<String>, params: Params) -> Self {
        Self {
            sql: sql.into(),
            params,
        }
    }

    /// A statement with one parameter.
    pub(crate) fn with(
        sql: impl Into<String>,
        value: impl ToSql + Sync + Send + 'static,
        ty: Type,
    ) -> Self {
        let mut params = Params::default();
        params.push(value, ty);
        Self::new(sql, params)
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub async fn query(&self, db: &impl GenericClient) -> Result<Vec<Row>, tokio_postgres::Error> {
        db.query_typed(&self.sql, &self.params.as_typed()).await
    }

    pub async fn query_opt(
        &self,
        db: &impl GenericClient,
    ) -> Result<Option<Row>, tokio_postgres::Error> {
        db.query_typed_opt(&self.sql, &self.params.as_typed()).await
    }
}
