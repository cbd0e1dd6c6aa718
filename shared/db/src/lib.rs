//! Database access shared by every function: the connection pool (plain URL locally, RDS Proxy with IAM
//! authentication deployed) and the embedded migrations.

mod iam;
mod migrations;
mod pool;

pub use deadpool_postgres::{Client, Object, Pool, PoolError, Transaction};
pub use iam::{IamTarget, TokenSigner};
pub use migrations::{migrate, MigrateError};
pub use pool::{pool_from_url, DatabaseTarget, PoolSettings, SessionLimits, TargetError};
