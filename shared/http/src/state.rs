use std::ops::Deref;

use marketplace_db::{pool_from_url, Pool, PoolError, PoolSettings};

use crate::{ApiError, Caller, Request};

/// Settings read once from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Default size of `GET /featured` (`FEATURED_LIMIT`, 1–20, default 8).
    pub featured_limit: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self { featured_limit: 8 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let featured_limit = match std::env::var("FEATURED_LIMIT") {
            Err(_) => Self::default().featured_limit,
            Ok(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=20).contains(n))
                .ok_or(ConfigError::Invalid {
                    name: "FEATURED_LIMIT",
                    reason: format!("{raw:?} is not an integer from 1 to 20"),
                })?,
        };
        Ok(Self { featured_limit })
    }
}

/// What a handler needs: built once per process, before the first request.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Config,
}

impl AppState {
    pub fn new(pool: Pool, config: Config) -> Self {
        Self { pool, config }
    }

    /// State for a deployed function: the database from `DATABASE_URL`, one connection.
    pub fn from_env() -> Result<Self, ConfigError> {
        let url =
            std::env::var("DATABASE_URL").map_err(|_| ConfigError::Missing("DATABASE_URL"))?;
        let pool = pool_from_url(&url, PoolSettings::LAMBDA).map_err(|e| ConfigError::Invalid {
            name: "DATABASE_URL",
            reason: e.to_string(),
        })?;
        Ok(Self::new(pool, Config::from_env()?))
    }

    /// A connection and the authenticated caller: how every handler starts.
    pub async fn session(&self, req: &Request) -> Result<Session, ApiError> {
        let db = self.db().await?;
        let caller = Caller::authenticate(req, &*db).await?;
        Ok(Session { db, caller })
    }

    /// A pooled connection; when none can be had in time the client is told to retry (503).
    pub async fn db(&self) -> Result<Db, ApiError> {
        self.pool.get().await.map(Db).map_err(|error| {
            match &error {
                PoolError::Timeout(_) => tracing::warn!(%error, "no database connection in time"),
                _ => tracing::error!(%error, "database connection failed"),
            }
            ApiError::service_unavailable(1)
        })
    }
}

/// A pooled connection, usable wherever the domain takes a `tokio_postgres` client.
pub struct Db(marketplace_db::Client);

impl Deref for Db {
    type Target = tokio_postgres::Client;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Db {
    pub fn client_mut(&mut self) -> &mut tokio_postgres::Client {
        &mut self.0
    }
}

/// An authenticated request's connection and caller.
pub struct Session {
    pub db: Db,
    pub caller: Caller,
}
