use std::time::Duration;

use deadpool_postgres::{
    Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts,
};
use tokio_postgres::NoTls;

#[cfg(feature = "iam")]
use crate::iam::{self, IamConnect, TokenSigner};
use crate::iam_target::IamTarget;

/// Pool sizing and timeouts. A Lambda environment serves one request at a time, so its pool holds one
/// connection (RDS Proxy multiplexes); the local API and tests use more.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_size: usize,
    pub wait_timeout: Duration,
    pub create_timeout: Duration,
    pub recycle_timeout: Duration,
    /// A connection unused for longer is closed instead of reused: RDS Proxy closes client connections idle
    /// for 30 minutes (its default idle client timeout), and a connection it closed must never serve a
    /// request.
    pub max_idle: Duration,
    /// A connection unused for longer is checked with an empty query before it serves a request, so one that
    /// died meanwhile (a database restart, a cut network) is replaced instead of failing the request.
    pub verify_after_idle: Duration,
    /// Server-side bounds for every statement on the pool's connections; `None` for the migrate function.
    pub session_limits: Option<SessionLimits>,
}

impl PoolSettings {
    pub const LAMBDA: Self = Self {
        max_size: 1,
        wait_timeout: Duration::from_secs(2),
        create_timeout: Duration::from_secs(3),
        recycle_timeout: Duration::from_secs(1),
        max_idle: Duration::from_secs(5 * 60),
        verify_after_idle: Duration::from_secs(5),
        session_limits: Some(SessionLimits::SERVING),
    };

    pub fn with_max_size(self, max_size: usize) -> Self {
        Self { max_size, ..self }
    }

    pub fn with_session_limits(self, session_limits: Option<SessionLimits>) -> Self {
        Self {
            session_limits,
            ..self
        }
    }
}

/// Server-side time bounds of a serving session, all well below the functions' 10 s timeout.
///
/// Locally and in tests they travel in the connection's startup packet (`options`); through RDS Proxy they
/// are settings of the app role (`ALTER ROLE … SET`, see the README), since neither a startup option nor a
/// `SET` should reach the proxy (a `SET` pins the connection to one client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// `statement_timeout`: the longest any one statement runs.
    pub statement: Duration,
    /// `lock_timeout`: the longest a statement waits for a row or table lock.
    pub lock: Duration,
    /// `idle_in_transaction_session_timeout`: a transaction left open by a vanished client is ended.
    pub idle_in_transaction: Duration,
    /// `client_connection_check_interval`: how often a running statement checks that its client is still
    /// there, so the statement of an abandoned connection stops early.
    pub client_check: Duration,
}

impl SessionLimits {
    pub const SERVING: Self = Self {
        statement: Duration::from_secs(3),
        lock: Duration::from_secs(2),
        idle_in_transaction: Duration::from_secs(5),
        client_check: Duration::from_secs(1),
    };

    /// The PostgreSQL settings, as `(name, milliseconds)`.
    pub fn settings(&self) -> [(&'static str, u128); 4] {
        [
            ("statement_timeout", self.statement.as_millis()),
            ("lock_timeout", self.lock.as_millis()),
            (
                "idle_in_transaction_session_timeout",
                self.idle_in_transaction.as_millis(),
            ),
            (
                "client_connection_check_interval",
                self.client_check.as_millis(),
            ),
        ]
    }

    /// The settings as a startup `options` string (`-c name=value …`).
    fn startup_options(&self) -> String {
        self.settings()
            .iter()
            .map(|(name, ms)| format!("-c {name}={ms}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Which database a process uses, read once from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// `DATABASE_URL`: a plain `postgres://` URL (local runs and tests; no TLS, no IAM).
    Url(String),
    /// `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`, `AWS_REGION`: RDS Proxy with IAM authentication.
    Iam(IamTarget),
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "set DATABASE_URL, or DB_HOST, DB_NAME, DB_USER and AWS_REGION (and optionally DB_PORT)"
    )]
    Missing,
    #[error("DB_PORT is not a port number: {0:?}")]
    Port(String),
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    Url(#[from] tokio_postgres::Error),
    #[cfg(feature = "iam")]
    #[error("could not set up RDS IAM authentication: {0}")]
    Iam(aws_sdk_rds::error::BoxError),
    #[cfg(not(feature = "iam"))]
    #[error(
        "this build has no RDS IAM support (the `iam` feature of marketplace-db); set DATABASE_URL"
    )]
    IamUnsupported,
}

impl DatabaseTarget {
    pub fn from_env() -> Result<Self, TargetError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if let Some(url) = var("DATABASE_URL") {
            return Ok(Self::Url(url));
        }
        let (Some(host), Some(database), Some(user), Some(region)) = (
            var("DB_HOST"),
            var("DB_NAME"),
            var("DB_USER"),
            var("AWS_REGION"),
        ) else {
            return Err(TargetError::Missing);
        };
        let port = match var("DB_PORT") {
            None => 5432,
            Some(port) => port.parse().map_err(|_| TargetError::Port(port))?,
        };
        Ok(Self::Iam(IamTarget {
            host,
            port,
            database,
            user,
            region,
        }))
    }

    /// The pool for this target. For IAM, a first token is signed now so that missing credentials fail the
    /// cold start rather than a request.
    pub async fn pool(&self, settings: PoolSettings) -> Result<Pool, TargetError> {
        match self {
            Self::Url(url) => Ok(pool_from_url(url, settings)?),
            #[cfg(not(feature = "iam"))]
            Self::Iam(_) => Err(TargetError::IamUnsupported),
            #[cfg(feature = "iam")]
            Self::Iam(target) => {
                let signer = TokenSigner::from_environment(target)
                    .await
                    .map_err(TargetError::Iam)?;
                signer.token().await.map_err(TargetError::Iam)?;
                let connect = IamConnect {
                    signer,
                    tls: iam::rds_tls(),
                };
                let mut config = iam::pg_config(target);
                config.connect_timeout(settings.create_timeout);
                let manager = Manager::from_connect(config, connect, manager_config());
                Ok(build(manager, settings))
            }
        }
    }
}

/// A pool over a plain `postgres://` URL (local runs and tests; no TLS, no IAM).
pub fn pool_from_url(url: &str, settings: PoolSettings) -> Result<Pool, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = url.parse()?;
    config.connect_timeout(settings.create_timeout);
    if let Some(limits) = settings.session_limits {
        config.options(limits.startup_options());
    }
    Ok(build(
        Manager::from_config(config, NoTls, manager_config()),
        settings,
    ))
}

fn manager_config() -> ManagerConfig {
    ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    }
}

fn build(manager: Manager, settings: PoolSettings) -> Pool {
    Pool::builder(manager)
        .max_size(settings.max_size)
        .pre_recycle(Hook::async_fn(move |client, metrics| {
            let idle = metrics.last_used();
            Box::pin(async move {
                if idle > settings.max_idle {
                    return Err(HookError::message("idle for too long"));
                }
                if idle > settings.verify_after_idle {
                    client
                        .simple_query("")
                        .await
                        .map_err(|_| HookError::message("no longer answers"))?;
                }
                Ok(())
            })
        }))
        .timeouts(Timeouts {
            wait: Some(settings.wait_timeout),
            create: Some(settings.create_timeout),
            recycle: Some(settings.recycle_timeout),
        })
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a runtime and timeouts are set, so building cannot fail")
}
