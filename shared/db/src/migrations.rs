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

/// How long a migration waits for a table lock before it gives up and tries again: while it waits, every
/// serving statement that needs the table queues behind it, so it must give up before their own
/// `lock_timeout` (2 s) would make them fail.
const MIGRATION_LOCK_TIMEOUT: &str = "1s";

/// How many times the migrations run when one could not get its lock in time, and the pause between runs.
const MIGRATION_ATTEMPTS: u32 = 60;
const MIGRATION_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);

/// Applies every embedded migration not yet applied, under an advisory lock. Returns the names applied.
/// A migration that cannot get a table's lock within a second is rolled back and the
/// migrations run again after a pause (a few minutes at most, inside the migrate function's timeout).
pub async fn migrate(client: &mut Client) -> Result<Vec<String>, MigrateError> {
    // Migrations may rewrite large tables: no statement or idle bound; a short lock bound (above).
    client
        .batch_execute(&format!(
            "SET statement_timeout = 0; SET lock_timeout = '{MIGRATION_LOCK_TIMEOUT}';
             SET idle_in_transaction_session_timeout = 0"
        ))
        .await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let mut attempt = 1;
    let outcome = loop {
        let outcome = migrations::runner().run_async(client).await;
        match outcome {
            Err(error) if lock_not_granted(&error) && attempt < MIGRATION_ATTEMPTS => {
                tracing::warn!(attempt, %error, "a migration waited too long for a lock; trying again");
                attempt += 1;
                tokio::time::sleep(MIGRATION_RETRY_PAUSE).await;
            }
            outcome => break outcome,
        }
    };
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

/// Whether a migration failed because a lock was not granted within `lock_timeout` (55P03).
fn lock_not_granted(error: &refinery::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(db) = cause
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(tokio_postgres::Error::as_db_error)
        {
            return *db.code() == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE;
        }
        source = cause.source();
    }
    error.to_string().contains("lock timeout")
}

#[cfg(test)]
mod tests {
    use super::migrations;

    /// Landed migrations are append-only: refinery refuses a database migrated with a different text. A
    /// change to one of these checksums means a landed migration was edited; add a new migration instead.
    const LANDED: [(i32, &str, u64); 27] = [
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
        (14, "pinned_dependencies", 18355832194028211651),
        (15, "identity", 17474824297083811993),
        (16, "item_rows", 4229851013030317675),
        (17, "install_lanes", 18202554010718713796),
        (18, "capabilities", 12065362851977341852),
        (19, "pull_back", 4060945348902136371),
        (20, "private_catalogs", 12120559239738412984),
        (21, "summary_agent_extras", 1211513246337211920),
        (22, "install_total_shards", 2872473421026078300),
        (23, "record_install_function", 8779605604414834947),
        (24, "fold_counts_static", 10565738499048527178),
        (25, "lock_plan_function", 5583418983805785332),
        (26, "install_in_one_statement", 11852145884490073520),
        (27, "lanes_given_way", 4261156199748079210),
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
