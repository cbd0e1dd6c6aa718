use tokio_postgres::Client;

refinery::embed_migrations!("../../migrations");

/// The embedded migrations' digest from build.rs: naming it here recompiles this crate when they change.
const _EMBEDDED: &str = env!("MIGRATIONS_DIGEST");

/// Any session holding this advisory lock is migrating; concurrent migrators wait for it.
const MIGRATION_LOCK: i64 = 0x6d61_726b_6574; // "market"

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration failed: {0}")]
    Refinery(#[from] refinery::Error),
    #[error("database error while migrating: {0}")]
    Database(#[from] tokio_postgres::Error),
}

/// Applies every embedded migration not yet applied, under an advisory lock. Returns the names applied.
pub async fn migrate(client: &mut Client) -> Result<Vec<String>, MigrateError> {
    // Migrations may rewrite large tables and wait for locks: the serving sessions' bounds don't apply.
    client
        .batch_execute(
            "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0",
        )
        .await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let outcome = migrations::runner().run_async(client).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    let report = outcome?;
    let applied: Vec<String> = report
        .applied_migrations()
        .iter()
        .map(|m| m.to_string())
        .collect();
    tracing::info!(applied = ?applied, "migrations applied");
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::migrations;

    /// Landed migrations are append-only: refinery refuses a database migrated with a different text. A
    /// change to one of these checksums means a landed migration was edited; add a new migration instead.
    const LANDED: [(i32, &str, u64); 14] = [
        (1, "accounts", 6563359564736379872),
        (2, "items", 5286840255446836223),
        (3, "marketplace", 18117583519627533391),
        (4, "planner_settings", 16834953151472973250),
        (5, "publishing", 14745159014486392940),
        (6, "trust", 14493863811619972743),
        (7, "search", 6168109207397189883),
        (8, "reviews", 950539121921670546),
        (9, "install_plans", 1050658125542927913),
        (10, "suggestions", 11306319225958842785),
        (11, "fork_index", 6548142471065561826),
        (12, "name_prefix_covering", 16346112831193358277),
        (13, "search_upkeep", 6790592749651391359),
        (14, "pinned_dependencies", 6837551999764865026),
    ];

    #[test]
    fn landed_migrations_are_never_edited() {
        let embedded = migrations::runner().get_migrations().clone();
        for (version, name, checksum) in LANDED {
            let migration = embedded
                .iter()
                .find(|m| m.version() == version)
                .unwrap_or_else(|| panic!("V{version} is no longer embedded"));
            assert_eq!(migration.name(), name, "V{version} was renamed");
            assert_eq!(
                migration.checksum(),
                checksum,
                "V{version}__{name} was edited"
            );
        }
    }
}
