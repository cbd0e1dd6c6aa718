//! Database access shared by every function: the connection pool and the embedded migrations.

mod migrations;
mod pool;

pub use deadpool_postgres::{Client, Pool, PoolError, Transaction};
pub use migrations::{migrate, MigrateError};
pub use pool::{pool_from_url, PoolSettings};
