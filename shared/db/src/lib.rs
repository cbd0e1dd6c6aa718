//! Database access shared by every function: the connection pool (plain URL locally, RDS Proxy with IAM
//! authentication deployed) and the embedded migrations.

#[cfg(feature = "iam")]
mod iam;
mod iam_target;
mod migrations;
mod pool;

pub use deadpool_postgres::{Client, Object, Pool, PoolError, Transaction};
#[cfg(feature = "iam")]
pub use iam::TokenSigner;
pub use iam_target::IamTarget;
pub use migrations::{migrate, MigrateError};
pub use pool::{pool_from_url, DatabaseTarget, PoolSettings, SessionLimits, TargetError};
