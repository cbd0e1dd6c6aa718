use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

/// Pool sizing and timeouts. A Lambda environment serves one request at a time, so its pool holds one
/// connection; the local API and tests use more.
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

/// A pool over a plain `postgres://` URL (local runs and tests; no TLS, no IAM).
pub fn pool_from_url(url: &str, settings: PoolSettings) -> Result<Pool, tokio_postgres::Error> {
    let config: tokio_postgres::Config = url.parse()?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Ok(Pool::builder(manager)
        .max_size(settings.max_size)
        .timeouts(Timeouts {
            wait: Some(settings.wait_timeout),
            create: Some(settings.create_timeout),
            recycle: Some(settings.recycle_timeout),
        })
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a runtime and timeouts are set, so building cannot fail"))
}
