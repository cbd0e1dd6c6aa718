//! What the HTTP and function-binary phases aim at in the largest catalog.

use tokio_postgres::{Client, NoTls};

use crate::Error;

pub struct Targets {
    /// A connection for further set-up.
    pub setup: Client,
    /// The first benchmark workspace (the one with 500 installs).
    pub workspace: uuid::Uuid,
    /// The most installed approved public agent with no version pulled back.
    pub item: i64,
}

/// A subquery that finds a version of listing `alias` yanked or revoked. The route phase's pull-back lists
/// (run last) revoke versions of the most installed listings: the phases after it aim at listings that still
/// install.
pub fn pulled_back(alias: &str) -> String {
    format!(
        "SELECT 1 FROM item_versions v WHERE v.item_id = {alias}.id \
         AND (v.revoked_at IS NOT NULL OR v.yanked_at IS NOT NULL)"
    )
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
            &format!(
                "SELECT a.id FROM agents a
                 WHERE a.owner_type = 'marketplace' AND a.is_approved AND a.delisted_at IS NULL
                   AND a.catalog_id IS NULL AND NOT EXISTS ({})
                 ORDER BY a.install_count DESC, a.id LIMIT 1",
                pulled_back("a")
            ),
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
