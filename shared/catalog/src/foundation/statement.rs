//! How the catalog runs SQL. Every statement, read or write, is a [`Statement`]: its text and its typed
//! parameters, sent unnamed (`query_typed`) so that RDS Proxy never pins a connection. Each parameter's
//! PostgreSQL type follows from its Rust type ([`Param`]).

use std::fmt;
use std::future::Future;

use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

/// What running a statement can fail with (the domain's errors convert from it).
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// Rows not as the statement promised: more than one for a one-row statement, say. A bug.
    #[error("{0}")]
    Unexpected(String),
}

/// The typed parameters of a statement as it is sent.
pub type TypedParams<'p> = [(&'p (dyn ToSql + Sync), Type)];

/// What a [`Statement`] runs on: any `tokio_postgres` client or transaction, or a
/// [`CallerCheck`](crate::CallerCheck) that carries the caller lookup on a read's first statement.
pub trait Sql: Sync {
    fn rows(
        &self,
        sql: &str,
        params: &TypedParams<'_>,
    ) -> impl Future<Output = Result<Vec<Row>, StatementError>> + Send;

    fn changes(
        &self,
        sql: &str,
        params: &TypedParams<'_>,
    ) -> impl Future<Output = Result<u64, StatementError>> + Send;
}

impl<C: GenericClient + Sync> Sql for C {
    async fn rows(&self, sql: &str, params: &TypedParams<'_>) -> Result<Vec<Row>, StatementError> {
        Ok(self.query_typed(sql, params).await?)
    }

    async fn changes(&self, sql: &str, params: &TypedParams<'_>) -> Result<u64, StatementError> {
        Ok(self.execute_typed(sql, params).await?)
    }
}

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
    Vec<Option<i64>> => INT8_ARRAY,
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

/// The column marking a row of the statement itself in the one [`Statement::behind`] wraps around it. A
/// statement wrapped twice (behind a gate, then by the [`CallerCheck`](crate::CallerCheck)) carries both
/// markers, so each wrapper has its own name.
pub(crate) const OWN_ROW: &str = "_own";

/// The rows of the statement itself among those of a statement wrapped around it, marked by column `marker`.
pub(crate) fn marked_rows(rows: Vec<Row>, marker: &str) -> Vec<Row> {
    rows.into_iter()
        .filter(|row| matches!(row.try_get::<_, Option<i32>>(marker), Ok(Some(_))))
        .collect()
}

/// The rows of a statement behind a gate ([`Statement::behind`]).
pub(crate) fn own_rows(rows: Vec<Row>) -> Vec<Row> {
    marked_rows(rows, OWN_ROW)
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

    /// This statement behind `gate`, a query of one row `g` whose columns every row carries: read only when
    /// `condition` on `g` holds. One row per row of the statement (in its order); one row of the gate's
    /// columns alone when it has none or was not read; none when the gate has no row. [`own_rows`] keeps the
    /// statement's. `OFFSET 0` keeps the planner from pulling the statement up into the join, where the
    /// condition would only filter its rows once read (and any function it calls, called); kept apart, the
    /// condition is a one-time filter in front of it.
    pub(crate) fn behind(mut self, gate: &str, condition: &str) -> Self {
        self.sql = format!(
            "SELECT g.*, d.* FROM ({gate}) g LEFT JOIN LATERAL \
             (SELECT 1 AS {OWN_ROW}, o.* FROM ({sql}) o WHERE {condition} OFFSET 0) d ON true",
            sql = self.sql
        );
        self
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

    pub async fn query(&self, db: &impl Sql) -> Result<Vec<Row>, StatementError> {
        db.rows(&self.sql, &self.params.as_typed()).await
    }

    pub async fn query_opt(&self, db: &impl Sql) -> Result<Option<Row>, StatementError> {
        let mut rows = self.query(db).await?;
        match rows.len() {
            0 | 1 => Ok(rows.pop()),
            n => Err(StatementError::Unexpected(format!(
                "a statement for at most one row returned {n}"
            ))),
        }
    }

    pub async fn query_one(&self, db: &impl Sql) -> Result<Row, StatementError> {
        self.query_opt(db).await?.ok_or_else(|| {
            StatementError::Unexpected("a statement for one row returned none".into())
        })
    }

    /// Runs the statement; returns how many rows it changed.
    pub async fn execute(&self, db: &impl Sql) -> Result<u64, StatementError> {
        db.changes(&self.sql, &self.params.as_typed()).await
    }
}
