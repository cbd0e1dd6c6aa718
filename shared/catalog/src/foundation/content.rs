//! An item's own content — its kind's columns as one JSON object — as the marketplace keeps it: secrets
//! never enter a listing, a version snapshot or an installed copy, and a workspace's own secrets (filled
//! into its copy) are neither a change to the listing's content nor lost by an update.

use serde_json::Value;
use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::REDACTED;
use crate::foundation::redact::{shown, strip_credentials};
use crate::foundation::statement::{Params, Placeholder, Sql, Statement};

/// The content of item `id`.
pub(crate) async fn read(db: &impl Sql, kind: ItemKind, id: i64) -> Result<Value, CatalogError> {
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

/// Replaces the content of item `id`; returns its [`fingerprint`], from the same round trip.
pub(crate) async fn write(
    db: &impl Sql,
    kind: ItemKind,
    id: i64,
    content: &Value,
) -> Result<String, CatalogError> {
    let mut params = Params::default();
    let id = params.bind(id);
    let new = params.bind(content.clone());
    let write = format!(
        "UPDATE {table} SET {set} WHERE id = {id}",
        table = kind.table(),
        set = set_content(kind, new)
    );
    write_and_fingerprint(db, &write, params, content).await
}

/// The `SET` list that writes the content bound at `new` onto a row of `kind`'s table.
pub(crate) fn set_content(kind: ItemKind, new: Placeholder) -> String {
    let table = kind.table();
    let columns = kind.content_columns().join(", ");
    format!("({columns}) = (SELECT {columns} FROM jsonb_populate_record(NULL::{table}, {new}))")
}

/// Item content with its credentials taken out, and its [`fingerprint`].
pub(crate) struct Scrubbed {
    pub(crate) content: Value,
    pub(crate) fingerprint: String,
}

/// What [`scrub_returned`] reads from a statement on a row `t` of `kind`: its stored content and that
/// content's fingerprint.
pub(crate) fn scrub_columns(kind: ItemKind) -> String {
    let content = kind.content_sql("t");
    format!(
        "{content} AS content, {hash} AS fingerprint",
        hash = hash_sql(&content)
    )
}

/// Takes the credentials out of item `id`'s stored content. Stored content is usually clean already (a
/// listing's is), and then it is read and fingerprinted in one statement.
pub(crate) async fn scrub(
    db: &impl Sql,
    kind: ItemKind,
    id: i64,
) -> Result<Scrubbed, CatalogError> {
    let row = Statement::new(format!(
        "SELECT {columns} FROM {table} t WHERE t.id = $1",
        columns = scrub_columns(kind),
        table = kind.table(),
    ))
    .bind(id)
    .query_one(db)
    .await?;
    scrub_returned(db, kind, id, &row).await
}

/// [`scrub`] of item `id` whose stored content a statement that wrote it already returned
/// ([`scrub_columns`]): no further round trip when the content is clean.
pub(crate) async fn scrub_returned(
    db: &impl Sql,
    kind: ItemKind,
    id: i64,
    stored: &Row,
) -> Result<Scrubbed, CatalogError> {
    let content: Value = stored.read("content")?;
    let mut scrubbed = content.clone();
    strip_credentials(&mut scrubbed);
    if scrubbed == content {
        return Ok(Scrubbed {
            content,
            fingerprint: stored.read("fingerprint")?,
        });
    }
    Ok(Scrubbed {
        fingerprint: write(db, kind, id, &scrubbed).await?,
        content: scrubbed,
    })
}

/// The fingerprint of content with its secrets redacted (SHA-256 of PostgreSQL's canonical jsonb text, as
/// installs have always recorded it): filling in one's own keys is not a change.
pub(crate) async fn fingerprint(db: &impl Sql, content: &Value) -> Result<String, CatalogError> {
    let mut params = Params::default();
    let fingerprint = fingerprint_column(&mut params, content);
    let row = Statement::with_params(format!("SELECT {fingerprint}"), params)
        .query_one(db)
        .await?;
    row.read("fingerprint")
}

/// Runs `write`, a data-modifying statement on `params`, and returns the [`fingerprint`] of `content` (what
/// it wrote) from the same round trip.
pub(crate) async fn write_and_fingerprint(
    db: &impl Sql,
    write: &str,
    mut params: Params<'_>,
    content: &Value,
) -> Result<String, CatalogError> {
    let fingerprint = fingerprint_column(&mut params, content);
    let row = Statement::with_params(
        format!("WITH written AS ({write}) SELECT {fingerprint}"),
        params,
    )
    .query_one(db)
    .await?;
    row.read("fingerprint")
}

/// The column `fingerprint` of a statement: the [`fingerprint`] of `content`, bound to `params`.
pub(crate) fn fingerprint_column(params: &mut Params<'_>, content: &Value) -> String {
    let mut redacted = content.clone();
    strip_credentials(&mut redacted);
    let redacted = params.bind(redacted);
    format!("{} AS fingerprint", hash_sql(&format!("{redacted}::jsonb")))
}

/// The fingerprint of row `alias`'s stored content, as [`scrub_columns`] reads it.
pub(crate) fn fingerprint_sql(kind: ItemKind, alias: &str) -> String {
    hash_sql(&kind.content_sql(alias))
}

/// The content digest approval recorded for listing row `alias`'s live version (NULL when none was): what
/// its [`fingerprint_sql`] must equal.
pub(crate) fn approved_digest_sql(alias: &str) -> String {
    format!(
        "(SELECT v.content_digest FROM item_versions v
          WHERE v.item_id = {alias}.id AND v.version = {alias}.version AND v.status = 'approved')"
    )
}

/// Refuses the content of listing `id` (of `kind`, named `name`) when its `fingerprint` is not the digest
/// approval recorded for its live version (`approved`; none recorded, nothing to check): a listing edited
/// behind review's back is never handed out.
pub(crate) fn check_approved(
    kind: ItemKind,
    id: i64,
    name: &str,
    approved: Option<&str>,
    fingerprint: &str,
) -> Result<(), CatalogError> {
    match approved {
        Some(approved) if approved != fingerprint => Err(CatalogError::ContentChanged(
            kind,
            id,
            shown(name).to_owned(),
        )),
        _ => Ok(()),
    }
}

/// SHA-256 (hex) of a jsonb expression's canonical text.
fn hash_sql(jsonb: &str) -> String {
    format!("encode(sha256(convert_to(({jsonb})::text, 'UTF8')), 'hex')")
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
