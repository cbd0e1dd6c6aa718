//! An idempotent install's replay: the response stored by the earlier install that used the same
//! `Idempotency-Key` in the workspace. A key answers only for the request it came with, the same user
//! installing the same item ([`InstallOutcome::replaying`] refuses any other).
//!
//! [`InstallOutcome::replaying`]: crate::install::outcome::InstallOutcome::replaying

use serde_json::Value;
use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;

/// The key a request would replay under, and the user it must come from (the workspace and the item are the
/// request's too).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReplayKey<'a> {
    pub(crate) key: &'a str,
    pub(crate) user_id: i64,
}

/// The earlier install under a key, as stored.
pub(crate) struct Replayed {
    pub(crate) install_id: i64,
    pub(crate) response: Value,
    /// Whether it came with the same request: the same user installing the same item.
    pub(crate) same_request: bool,
}

/// The earlier install under a key, as columns `replay_id`, `replay_response` and `replay_same`, over the
/// placeholders given; no row when no install used the key.
pub(crate) fn replay_sql(workspace: &str, key: &str, item: &str, user: &str) -> String {
    format!(
        "SELECT id AS replay_id, response AS replay_response,
                item_id = {item} AND user_id IS NOT DISTINCT FROM {user} AS replay_same
         FROM marketplace_installs WHERE workspace_id = {workspace} AND idempotency_key = {key}"
    )
}

/// The earlier install under `key` in `workspace`, for a request to install `item_id`.
pub(crate) async fn replay(
    db: &impl Sql,
    workspace: WorkspaceId,
    item_id: i64,
    key: ReplayKey<'_>,
) -> Result<Option<Replayed>, CatalogError> {
    let row = Statement::new(replay_sql("$1", "$2", "$3", "$4"))
        .bind(workspace)
        .bind(key.key.to_owned())
        .bind(item_id)
        .bind(key.user_id)
        .query_opt(db)
        .await?;
    match row {
        Some(row) => replayed(&row),
        None => Ok(None),
    }
}

/// The earlier install a row carrying [`replay_sql`]'s columns names; none when they are null.
pub(crate) fn replayed(row: &Row) -> Result<Option<Replayed>, CatalogError> {
    let Some(install_id) = row.read::<Option<i64>>("replay_id")? else {
        return Ok(None);
    };
    Ok(Some(Replayed {
        install_id,
        response: row.read("replay_response")?,
        same_request: row.read("replay_same")?,
    }))
}
