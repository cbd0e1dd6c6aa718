use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use crate::iam::{self, IamConnect, IamTarget, TokenSigner};

/// Pool sizing and timeouts. A Lambda environment serves one request at a time, so its pool holds one
/// connection (RDS Proxy multiplexes); the local API and tests use more.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_size: usize,
    pub wait_timeout: Duration,
    pub create_timeout: Duration,
    pub recycle_timeout: Duration,
}

impl PoolSettings {
    pub const LAMBDA: Self = Self {
        max_size: 1,
        wait_timeout: Duration::from_secs(5),
        create_timeout: Duration::from_secs(5),
        recycle_timeout: Duration::from_secs(2),
    };

    pub fn with_max_size(self, max_size: usize) -> Self {
        Self { max_size, ..self }
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
    #[error("could not set up RDS IAM authentication: {0}")]
    Iam(aws_sdk_rds::error::BoxError),
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
            Self::Iam(target) => {
                let signer = TokenSigner::from_environment(target)
                    .await
                    .map_err(TargetError::Iam)?;
                signer.token().await.map_err(TargetError::Iam)?;
                let connect = IamConnect {
                    signer,
                    tls: iam::rds_tls(),
                };
                let manager =
                    Manager::from_connect(iam::pg_config(target), connect, manager_config());
                Ok(build(manager, settings))
            }
        }
    }
}

/// A pool over a plain `postgres://` URL (local runs and tests; no TLS, no IAM).
pub fn pool_from_url(url: &str, settings: PoolSettings) -> Result<Pool, tokio_postgres::Error> {
    let config: tokio_postgres::Config = url.parse()?;
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
        .timeouts(Timeouts {
            wait: Some(settings.wait_timeout),
            create: Some(settings.create_timeout),
            recycle: Some(settings.recycle_timeout),
        })
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a runtime and timeouts are set, so building cannot fail")
}
