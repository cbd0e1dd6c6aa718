//! What the HTTP and function-binary phases aim at in the largest catalog.

use tokio_postgres::{Client, NoTls};

use crate::Error;

pub struct Targets {
    /// A connection for further set-up.
    pub setup: Client,
    /// The first benchmark workspace (the one with 500 installs).
    pub workspace: uuid::Uuid,
    /// The most installed approved public agent.
    pub item: i64,
}

pub async fn find(url: &str) -> Result<Targets, Error> {
    let (setup, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    let workspace = setup
        .query_one("SELECT id FROM workspaces ORDER BY name LIMIT 1", &[])
        .await?
        .get(0);
    let item = setup
        .query_one(
            "SELECT id FROM agents WHERE is_approved AND catalog_id IS NULL ORDER BY install_count DESC LIMIT 1",
            &[],
        )
        .await?
        .get(0);
    Ok(Targets {
        setup,
        workspace,
        item,
    })
}
