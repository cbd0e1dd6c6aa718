//! The local API's database: `DATABASE_URL` when set, otherwise a throwaway PostgreSQL of its own;
//! migrated and seeded either way.

use marketplace_catalog::llm_catalog::{self, UpsertReport};
use marketplace_db::{migrate, pool_from_url, Pool, PoolSettings};
use throwaway_pg::Cluster;
use tokio_postgres::NoTls;

use crate::demo::{self, DemoData};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Name of the database the local API creates in its own cluster.
const DATABASE: &str = "marketplace";

pub struct LocalDatabase {
    pub url: String,
    /// The cluster this process started, if any; stopping it (or dropping it) removes it.
    pub cluster: Option<Cluster>,
}

impl LocalDatabase {
    pub async fn start() -> Result<Self, Error> {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            return Ok(Self { url, cluster: None });
        }
        let cluster =
            tokio::task::spawn_blocking(|| Cluster::start(&throwaway_pg::Options::default()))
                .await??;
        let (client, connection) = tokio_postgres::connect(&cluster.url("postgres"), NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
            .await?;
        Ok(Self {
            url: cluster.url(DATABASE),
            cluster: Some(cluster),
        })
    }

    pub fn pool(&self, max_size: usize) -> Result<Pool, Error> {
        Ok(pool_from_url(
            &self.url,
            PoolSettings::LAMBDA.with_max_size(max_size),
        )?)
    }
}

/// What preparing the database did.
#[derive(Debug)]
pub struct Prepared {
    pub migrations: Vec<String>,
    pub demo_seeded: bool,
    pub llm_catalog: UpsertReport,
}

/// Migrates, seeds the demo data (once), upserts the LLM catalog and fills in missing name skeletons.
pub async fn prepare(url: &str) -> Result<Prepared, Error> {
    let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    let migrations = migrate(&mut client).await?;
    let tx = client.transaction().await?;
    let demo_seeded = demo::seed(&tx, &DemoData::bundled()?).await?;
    let llm_catalog = llm_catalog::upsert(&tx, &llm_catalog::bundled_entries()?).await?;
    // The demo agents run on catalog LLMs, upserted after them: pin their dependencies now.
    tx.query_typed("SELECT marketplace_pin_unreviewed()", &[])
        .await?;
    // The seeded listings' name skeletons, which the lookalike check compares submitted names with.
    marketplace_catalog::fill_name_skeletons(&tx).await?;
    tx.commit().await?;
    Ok(Prepared {
        migrations,
        demo_seeded,
        llm_catalog,
    })
}
