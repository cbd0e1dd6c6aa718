//! The test harness: one throwaway PostgreSQL per test run (or `DATABASE_URL`), a migrated template
//! database, and a fresh database per test made from it, so tests are isolated and run in parallel.
//! Requests go through the route table, the API Gateway v2 event and the real handlers.

mod call;
mod client;
pub mod contract;
pub mod contract_types;
pub mod fault_proxy;
mod fixtures;
mod rng;
pub mod runtime_api;
mod server;
pub mod statement_log;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use marketplace_db::pool_from_url;
pub use marketplace_db::{PoolSettings, SessionLimits};
use marketplace_http::{AppState, Config};
use throwaway_pg::Cluster;
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

pub use call::{Call, TestResponse};
pub use client::Client;
pub use contract_types::{Install, ItemPage, Pending};
pub use fault_proxy::{FaultProxy, Mode};
pub use fixtures::ItemBuilder;
pub use marketplace_catalog::ItemKind;
pub use rng::Rng;
pub use serde_json::{json, Value};
pub use server::{http_request, TEST_JWT_SECRET};

/// The install route of listing `id`.
pub fn install_path(id: i64) -> String {
    format!("/api/marketplace/items/{id}/install")
}

/// The server every test's database lives on.
struct TestServer {
    /// URL of a maintenance database, with `{db}` where the database name goes.
    url_template: String,
    template_db: String,
    /// The throwaway cluster, when `DATABASE_URL` did not name a server.
    _cluster: Option<Cluster>,
}

static SERVER: OnceCell<TestServer> = OnceCell::const_new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);
/// Databases of test apps that were dropped, dropped in turn by the next app made (a `Drop` cannot wait
/// for the server), so that a long run, or one against a server of `DATABASE_URL`, leaves none behind but
/// the last few.
static DROPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn server() -> &'static TestServer {
    SERVER
        .get_or_init(|| async {
            let (url_template, cluster) = match std::env::var("DATABASE_URL") {
                Ok(url) => (replace_database(&url), None),
                Err(_) => {
                    let mut settings = vec![(
                        "shared_preload_libraries".to_owned(),
                        "pg_stat_statements".to_owned(),
                    )];
                    settings.extend(statement_log::server_settings());
                    let options = throwaway_pg::Options {
                        settings,
                        ..Default::default()
                    };
                    let cluster = Cluster::start(&options).expect("start a throwaway PostgreSQL");
                    (cluster.url("{db}"), Some(cluster))
                }
            };
            let template_db = format!("mkt_template_{}", std::process::id());
            let admin = connect(&url_template.replace("{db}", "postgres")).await;
            for statement in [
                format!("DROP DATABASE IF EXISTS {template_db}"),
                format!("CREATE DATABASE {template_db}"),
            ] {
                admin
                    .batch_execute(&statement)
                    .await
                    .expect("create the template database");
            }
            let mut template = connect(&url_template.replace("{db}", &template_db)).await;
            marketplace_db::migrate(&mut template)
                .await
                .expect("migrate the template");
            TestServer {
                url_template,
                template_db,
                _cluster: cluster,
            }
        })
        .await
}

/// `postgres://user@host:port/anything?x` → the same with `{db}` as the database.
fn replace_database(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{{db}}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// The test server's URL for `database`, as its superuser (tests that set up roles and databases).
pub async fn server_url(database: &str) -> String {
    server().await.url_template.replace("{db}", database)
}

/// A new, empty database on the test server (no migrations), for tests of migrating itself.
pub async fn empty_database() -> String {
    let server = server().await;
    let name = format!(
        "mkt_empty_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let admin = connect(&server.url_template.replace("{db}", "postgres")).await;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create an empty database");
    server.url_template.replace("{db}", &name)
}

/// One test's world: its own database, the state handlers run with, and a client for fixtures. Its
/// database is dropped once the app is (by the next app made).
pub struct TestApp {
    pub state: AppState,
    pub db: tokio_postgres::Client,
    pub url: String,
    database: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if self.database.is_empty() {
            return;
        }
        if let Ok(mut dropped) = DROPPED.lock() {
            dropped.push(std::mem::take(&mut self.database));
        }
    }
}

impl TestApp {
    /// An app over a database the test made and drops itself.
    pub fn over(state: AppState, db: tokio_postgres::Client, url: String) -> Self {
        Self {
            state,
            db,
            url,
            database: String::new(),
        }
    }

    pub async fn new() -> Self {
        Self::with(Config::default(), 8).await
    }

    /// A new app with a member `reader` and a marketplace admin `boss`.
    pub async fn with_reader() -> Self {
        let app = Self::new().await;
        app.user("reader").await;
        app.admin("boss").await;
        app
    }

    pub async fn with_config(config: Config) -> Self {
        Self::with(config, 8).await
    }

    /// A test app whose handlers share a pool of `pool_size` connections.
    pub async fn with(config: Config, pool_size: usize) -> Self {
        Self::with_settings(config, PoolSettings::LAMBDA.with_max_size(pool_size)).await
    }

    /// A test app whose handlers reach PostgreSQL through a [`FaultProxy`], for fault injection. Fixtures
    /// (`db`) still connect directly.
    pub async fn behind_proxy(config: Config, settings: PoolSettings) -> (Self, FaultProxy) {
        let mut app = Self::with_settings(config, settings).await;
        let (proxy, proxied) = FaultProxy::in_front_of(&app.url)
            .await
            .expect("start the fault proxy");
        let pool =
            pool_from_url(&statement_log::handlers_url(&proxied), settings).expect("a valid URL");
        app.state = AppState::new(pool, config);
        (app, proxy)
    }

    pub async fn with_settings(config: Config, settings: PoolSettings) -> Self {
        // Handler logs (5xx causes included) show with a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
        let server = server().await;
        let name = format!(
            "mkt_test_{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect(&server.url_template.replace("{db}", "postgres")).await;
        let finished: Vec<String> = DROPPED
            .lock()
            .map(|mut dropped| dropped.drain(..).collect())
            .unwrap_or_default();
        for database in finished {
            // Best effort: a database still in use by a test that outlived its app is left for the server.
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .await;
        }
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {name} TEMPLATE {}",
                server.template_db
            ))
            .await
            .expect("create the test database");
        let url = server.url_template.replace("{db}", &name);
        let pool =
            pool_from_url(&statement_log::handlers_url(&url), settings).expect("a valid URL");
        Self {
            state: AppState::new(pool, config),
            db: connect(&url).await,
            url,
            database: name,
        }
    }
}
