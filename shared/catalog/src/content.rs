//! An item's own content — its kind's columns as one JSON object — as the marketplace keeps it: secrets
//! never enter a listing, a version snapshot or an installed copy, and a workspace's own secrets (filled
//! into its copy) are neither a change to the listing's content nor lost by an update.

use serde_json::Value;
use tokio_postgres::GenericClient;

use crate::column::ReadColumn;
use crate::redact::strip_credentials;
use crate::statement::Statement;
use crate::{CatalogError, ItemKind, REDACTED};

/// The content of item `id`.
pub(crate) async fn read(
    db: &impl GenericClient,
    kind: ItemKind,
    id: i64,
) -> Result<Value, CatalogError> {
    let row = Statement::new(format!(
        "SELECT {content} AS content FROM {table} t WHERE t.id = $1",
        content = kind.content_sql("t"),
        table = kind.table(),
    ))
    .bind(id)
    .query_one(db)
    .await?;
    row.read("content")
}

/// Replaces the content of item `id`.
pub(crate) async fn write(
    db: &impl GenericClient,
    kind: ItemKind,
    id: i64,
    content: &Value,
) -> Result<(), CatalogError> {
    let table = kind.table();
    let columns = kind.content_columns().join(", ");
    Statement::new(format!(
        "UPDATE {table} SET ({columns}) = (SELECT {columns} FROM jsonb_populate_record(NULL::{table}, $2))
         WHERE id = $1"
    ))
    .bind(id)
    .bind(content)
    .execute(db)
    .await?;
    Ok(())
}

/// Redacts the secrets in item `id`'s stored content; returns the redacted content.
pub(crate) async fn scrub(
    db: &impl GenericClient,
    kind: ItemKind,
    id: i64,
) -> Result<Value, CatalogError> {
    let stored = read(db, kind, id).await?;
    let mut scrubbed = stored.clone();
    strip_credentials(&mut scrubbed);
    if scrubbed != stored {
        write(db, kind, id, &scrubbed).await?;
    }
    Ok(scrubbed)
}

/// The fingerprint of content with its secrets redacted (SHA-256 of PostgreSQL's canonical jsonb text, as
/// installs have always recorded it): filling in one's own keys is not a change.
pub(crate) async fn fingerprint(
    db: &impl GenericClient,
    content: &Value,
) -> Result<String, CatalogError> {
    let mut redacted = content.clone();
    strip_credentials(&mut redacted);
    let row =
        Statement::new("SELECT encode(sha256(convert_to($1::jsonb::text, 'UTF8')), 'hex') AS hash")
            .bind(redacted)
            .query_one(db)
            .await?;
    row.read("hash")
}

/// Where `new` holds a redacted placeholder and `own` a value of the workspace's own at the same place, keeps
/// the workspace's value: an update brings the listing's content without dropping the keys filled in.
pub(crate) fn keep_own_secrets(new: &mut Value, own: &Value) {
    match (new, own) {
        (Value::Object(new), Value::Object(own)) => {
            for (key, value) in new.iter_mut() {
                if let Some(own) = own.get(key) {
                    keep_own_secrets(value, own);
                }
            }
        }
        (Value::Array(new), Value::Array(own)) => {
            for (value, own) in new.iter_mut().zip(own) {
                keep_own_secrets(value, own);
            }
        }
        (new @ Value::String(_), own) if new == REDACTED && own != REDACTED => *new = own.clone(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_update_keeps_the_keys_a_workspace_filled_in_and_takes_everything_else() {
        let mut new = json!({"api_key": REDACTED, "temperature": 0.5, "tools": [{"token": REDACTED}, {"token": REDACTED}]});
        let own = json!({"api_key": "sk-own-0123456789abcdef", "temperature": 0.2, "tools": [{"token": "t1"}]});
        keep_own_secrets(&mut new, &own);
        assert_eq!(
            new,
            json!({"api_key": "sk-own-0123456789abcdef", "temperature": 0.5,
                   "tools": [{"token": "t1"}, {"token": REDACTED}]})
        );
    }
}
