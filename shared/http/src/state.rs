use std::ops::Deref;
use std::sync::Arc;

use marketplace_catalog::{ItemKind, RateLimit};
use std::time::Duration;

use marketplace_db::{DatabaseTarget, Object, Pool, PoolError, PoolSettings, TargetError};

use crate::caller::{subject, Caller};
use crate::error::ApiError;
use crate::hints::{CallerHints, ListingKinds};
use crate::request_scope::RequestScope;
use lambda_http::Request;

/// Settings read once from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Default size of `GET /featured` (`FEATURED_LIMIT`, 1–20, default 8).
    pub featured_limit: i64,
    /// Submissions (new items and versions) per user per hour (`SUBMISSIONS_PER_HOUR`, default 20).
    pub submission_limit: RateLimit,
    /// Reviews (new or replacing) per user per hour (`REVIEWS_PER_HOUR`, default 20).
    pub review_limit: RateLimit,
    /// The longest a request may take before it answers 503 (`REQUEST_BUDGET_MS`, default 8000: below the
    /// functions' 10 s timeout, above the pool's and the statements' own bounds).
    pub request_budget: Duration,
    /// A verified token whose subject has no user makes one (`USER_PROVISIONING`, `on` by default; `off`
    /// when the platform owns the users table).
    pub user_provisioning: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            featured_limit: 8,
            submission_limit: RateLimit::default(),
            review_limit: RateLimit::default(),
            request_budget: Duration::from_secs(8),
            user_provisioning: true,
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
            review_limit: RateLimit {
                submissions: env_integer("REVIEWS_PER_HOUR", 1..=100_000)?
                    .map_or(defaults.review_limit.submissions, |n| n as i32),
                ..defaults.review_limit
            },
            request_budget: env_integer("REQUEST_BUDGET_MS", 100..=60_000)?
                .map_or(defaults.request_budget, |ms| {
                    Duration::from_millis(ms as u64)
                }),
            user_provisioning: match std::env::var("USER_PROVISIONING").as_deref() {
                Err(_) | Ok("on") => true,
                Ok("off") => false,
                Ok(other) => {
                    return Err(ConfigError::Invalid {
                        name: "USER_PROVISIONING",
                        reason: format!("{other:?} is neither on nor off"),
                    })
                }
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
    /// The callers this instance has seen: who a read's statements are built for ([`crate::ReadSession`]).
    pub(crate) callers: Arc<CallerHints>,
    /// The kinds of the listings this instance has answered for.
    listing_kinds: Arc<ListingKinds>,
}

impl AppState {
    pub fn new(pool: Pool, config: Config) -> Self {
        Self {
            pool,
            config,
            callers: Arc::default(),
            listing_kinds: Arc::default(),
        }
    }

    /// The kind of listing `id`, when this instance has answered for it: a hint a statement may be built
    /// with, which it checks.
    pub fn listing_kind(&self, id: i64) -> Option<ItemKind> {
        self.listing_kinds.get(&id)
    }

    /// Remembers that listing `id` is of `kind`.
    pub fn remember_listing_kind(&self, id: i64, kind: ItemKind) {
        self.listing_kinds.remember(&id, &kind);
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
        let caller = Caller::authenticate(req, &*db, self.config.user_provisioning).await?;
        self.callers.remember(subject(req)?, &caller.user);
        RequestScope::record_user(caller.user.id);
        Ok(Session { db, caller })
    }

    /// A pooled connection; when none can be had in time the client is told to retry (503).
    pub async fn db(&self) -> Result<Db, ApiError> {
        self.pool.get().await.map(Db::new).map_err(|error| {
            match &error {
                PoolError::Timeout(_) => tracing::warn!(%error, "no database connection in time"),
                _ => tracing::error!(%error, "database connection failed"),
            }
            ApiError::service_unavailable(1)
        })
    }
}

/// A pooled connection, usable wherever the domain takes a `tokio_postgres` client. If its request is
/// abandoned mid-statement, or its connection broke, the connection is closed rather than returned to the
/// pool, where the next request would queue behind the abandoned statement or fail on the broken link.
pub struct Db {
    client: Option<marketplace_db::Client>,
    scope: Option<RequestScope>,
}

impl Db {
    fn new(client: marketplace_db::Client) -> Self {
        Self {
            client: Some(client),
            scope: RequestScope::current(),
        }
    }

    pub fn client_mut(&mut self) -> &mut tokio_postgres::Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Deref for Db {
    type Target = tokio_postgres::Client;

    fn deref(&self) -> &Self::Target {
        self.client.as_ref().expect("present until dropped")
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if self
            .scope
            .as_ref()
            .is_some_and(RequestScope::must_discard_connection)
        {
            if let Some(client) = self.client.take() {
                drop(Object::take(client));
            }
        }
    }
}

/// An authenticated request's connection and caller.
pub struct Session {
    pub db: Db,
    pub caller: Caller,
}
