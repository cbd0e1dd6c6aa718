use tokio_postgres::Client;

refinery::embed_migrations!("../../migrations");

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
