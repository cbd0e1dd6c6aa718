//! The PostgreSQL the benchmark runs on: `DATABASE_URL`'s server, or a throwaway cluster of its own.

use throwaway_pg::{Cluster, Options};
use tokio_postgres::NoTls;

use crate::Error;

pub struct Server {
    /// URL with `{db}` where the database name goes.
    url_template: String,
    _cluster: Option<Cluster>,
}

impl Server {
    pub async fn start() -> Result<Self, Error> {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let base = url
                .rsplit_once('/')
                .map_or(url.as_str(), |(base, _)| base)
                .to_owned();
            return Ok(Self {
                url_template: format!("{base}/{{db}}"),
                _cluster: None,
            });
        }
        let options = Options {
            settings: vec![
                ("shared_buffers".into(), "1GB".into()),
                ("maintenance_work_mem".into(), "512MB".into()),
                ("work_mem".into(), "16MB".into()),
                ("max_wal_size".into(), "4GB".into()),
                ("checkpoint_timeout".into(), "30min".into()),
            ],
            ..Options::default()
        };
        let cluster = tokio::task::spawn_blocking(move || Cluster::start(&options)).await??;
        Ok(Self {
            url_template: cluster.url("{db}"),
            _cluster: Some(cluster),
        })
    }

    /// The URL of database `name` on this server.
    pub fn database_url(&self, name: &str) -> String {
        self.url_template.replace("{db}", name)
    }

    /// A new, empty database (dropped first if it exists).
    pub async fn create_database(&self, name: &str) -> Result<String, Error> {
        let (admin, connection) =
            tokio_postgres::connect(&self.url_template.replace("{db}", "postgres"), NoTls).await?;
        tokio::spawn(connection);
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
        Ok(self.url_template.replace("{db}", name))
    }
}
