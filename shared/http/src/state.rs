use std::ops::Deref;

use marketplace_catalog::RateLimit;
use marketplace_db::{DatabaseTarget, Pool, PoolError, PoolSettings, TargetError};

use crate::{ApiError, Caller, Request};

/// Settings read once from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Default size of `GET /featured` (`FEATURED_LIMIT`, 1–20, default 8).
    pub featured_limit: i64,
    /// Submissions (new items and versions) per user per hour (`SUBMISSIONS_PER_HOUR`, default 20).
    pub submission_limit: RateLimit,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            featured_limit: 8,
            submission_limit: RateLimit::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Database(TargetError),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            featured_limit: env_integer("FEATURED_LIMIT", 1..=20)?
                .unwrap_or(defaults.featured_limit),
            submission_limit: RateLimit {
                submissions: env_integer("SUBMISSIONS_PER_HOUR", 1..=100_000)?
                    .map_or(defaults.submission_limit.submissions, |n| n as i32),
                ..defaults.submission_limit
            },
        })
    }
}

fn env_integer(
    name: &'static str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, ConfigError> {
    let Ok(raw) = std::env::var(name) else {
        return Ok(None);
    };
    raw.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .map(Some)
        .ok_or(ConfigError::Invalid {
            name,
            reason: format!(
                "{raw:?} is not an integer from {} to {}",
                range.start(),
                range.end()
            ),
        })
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

    /// State for a function: the database named by the environment (`DATABASE_URL`, or RDS Proxy with IAM
    /// authentication from `DB_HOST`…), one connection.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let pool = DatabaseTarget::from_env()
            .map_err(ConfigError::Database)?
            .pool(PoolSettings::LAMBDA)
            .await
            .map_err(ConfigError::Database)?;
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
