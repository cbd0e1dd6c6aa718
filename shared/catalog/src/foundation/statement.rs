//! How the catalog runs SQL. Every statement, read or write, is a [`Statement`]: its text and its typed
//! parameters, sent unnamed (`query_typed`) so that RDS Proxy never pins a connection. Each parameter's
//! PostgreSQL type follows from its Rust type ([`Param`]).

use std::fmt;

use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

/// A value that can be a statement parameter, with the PostgreSQL type it is sent as.
pub(crate) trait Param: ToSql + Sync + Send {
    const TYPE: Type;
}

macro_rules! param {
    ($($rust:ty => $sql:ident),* $(,)?) => {
        $(impl Param for $rust {
            const TYPE: Type = Type::$sql;
        })*
    };
}

param! {
    bool => BOOL,
    i32 => INT4,
    i64 => INT8,
    f64 => FLOAT8,
    String => TEXT,
    &str => TEXT,
    Uuid => UUID,
    Value => JSONB,
    Vec<bool> => BOOL_ARRAY,
    Vec<i64> => INT8_ARRAY,
    Vec<String> => TEXT_ARRAY,
    chrono::DateTime<chrono::Utc> => TIMESTAMPTZ,
}

impl<T: Param> Param for &T {
    const TYPE: Type = T::TYPE;
}

impl<T: Param> Param for Option<T> {
    const TYPE: Type = T::TYPE;
}

/// The placeholder (`$n`) of a bound parameter, to splice into the text of a statement built at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placeholder(usize);

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}

/// The parameters of a statement, in placeholder order.
#[derive(Default)]
pub(crate) struct Params<'a> {
    values: Vec<(Box<dyn ToSql + Sync + Send + 'a>, Type)>,
}

impl<'a> Params<'a> {
    /// Adds a parameter and returns its placeholder.
    pub(crate) fn bind<T: Param + 'a>(&mut self, value: T) -> Placeholder {
        self.values.push((Box::new(value), T::TYPE));
        Placeholder(self.values.len())
    }

    fn as_typed(&self) -> Vec<(&(dyn ToSql + Sync), Type)> {
        self.values
            .iter()
            .map(|(value, ty)| (&**value as &(dyn ToSql + Sync), ty.clone()))
            .collect()
    }
}

/// One SQL statement and its typed parameters. The domain builds these and runs them; the benchmark runs
/// the very same ones to measure the SQL floor under each route.
pub struct Statement<'a> {
    sql: String,
    params: Params<'a>,
}

impl<'a> Statement<'a> {
    /// A statement whose parameters are bound in order with [`Self::bind`].
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Self::with_params(sql, Params::default())
    }

    /// A statement built at run time around the placeholders of `params`.
    pub(crate) fn with_params(sql: impl Into<String>, params: Params<'a>) -> Self {
        Self {
            sql: sql.into(),
            params,
        }
    }

    /// Binds the next parameter (`$1`, then `$2`, …).
    pub(crate) fn bind<T: Param + 'a>(mut self, value: T) -> Self {
        self.params.bind(value);
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The plan PostgreSQL runs this statement with, and what running it cost (EXPLAIN ANALYZE, BUFFERS),
    /// one line per row of the plan. For the benchmark's committed plans.
    pub async fn explain(&self, db: &impl GenericClient) -> Result<String, tokio_postgres::Error> {
        let sql = format!("EXPLAIN (ANALYZE, BUFFERS) {}", self.sql);
        let rows = db.query_typed(&sql, &self.params.as_typed()).await?;
        Ok(rows
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n"))
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

    pub async fn query_one(&self, db: &impl GenericClient) -> Result<Row, tokio_postgres::Error> {
        db.query_typed_one(&self.sql, &self.params.as_typed()).await
    }

    /// Runs the statement; returns how many rows it changed.
    pub async fn execute(&self, db: &impl GenericClient) -> Result<u64, tokio_postgres::Error> {
        db.execute_typed(&self.sql, &self.params.as_typed()).await
    }
}
