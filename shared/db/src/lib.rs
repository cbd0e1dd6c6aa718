//! Database access shared by every function: the connection pool (plain URL locally, RDS Proxy with IAM
//! authentication deployed) and the embedded migrations.

#[cfg(feature = "iam")]
mod iam;
mod migrations;
mod pool;

pub use deadpool_postgres::{Client, Object, Pool, PoolError, Transaction};
#[cfg(feature = "iam")]
pub use iam::TokenSigner;
pub use migrations::{migrate, MigrateError};
pub use pool::{
    pool_from_url, DatabaseTarget, IamTarget, PoolSettings, SessionLimits, TargetError,
};
