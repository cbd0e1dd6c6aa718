//! The public record of moderation: what admins did to listings (approvals, rejections with the reasons
//! they made public, delistings, revocations, feature and official marks, review hides as counts) and what
//! publishers yanked, newest first; and the check of its hash chain. Entries are written by the database
//! (V19) as each action commits; this module only reads them. A private listing's actions are in its
//! catalog's own chain (V20), read the same way.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::statement::{Sql, Statement};

#[derive(Debug, Clone, Serialize)]
pub struct ModerationLog {
    pub entries: Vec<LogEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub item: LoggedListing,
    pub version: Option<String>,
    pub reason: Option<String>,
    pub severity: Option<String>,
    pub hidden_reviews: Option<i64>,
    /// The exact text the hash covers: `hash` = SHA-256 of `prev_hash`, a newline, and `entry`.
    pub entry: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoggedListing {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    /// `null` while the listing was not public when the action was taken.
    pub name: Option<String>,
}

/// An entry as stored (`moderation_log.entry`), the JSON its hash covers.
#[derive(Deserialize)]
struct Stored {
    seq: i64,
    at: DateTime<Utc>,
    action: String,
    item_id: i64,
    item_kind: ItemKind,
    item_name: Option<String>,
    version: Option<String>,
    reason: Option<String>,
    severity: Option<String>,
    hidden_reviews: Option<i64>,
}

/// Which chain: the public log, or a private catalog's own (its listings' actions, for its members).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogBook {
    Public,
    Catalog(i64),
}

impl LogBook {
    fn scope(self) -> String {
        match self {
            Self::Public => "moderation log".to_owned(),
            Self::Catalog(catalog) => format!("moderation log\ncatalog {catalog}"),
        }
    }
}

/// Where a page of the log continues: below this sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogCursor(i64);

impl LogCursor {
    /// A token this route issued for `book`, or why not.
    pub fn parse(token: &str, book: LogBook) -> Result<Self, CursorError> {
        match cursor::decode(token, &book.scope(), &[KeyType::Integer])?[..] {
            [PositionValue::Integer(seq)] if seq > 0 => Ok(Self(seq)),
            _ => Err(CursorError::Malformed),
        }
    }
}

/// One page of the log `book`, newest first, below `after`.
pub async fn moderation_log(
    db: &impl Sql,
    book: LogBook,
    after: Option<LogCursor>,
    limit: i64,
) -> Result<ModerationLog, CatalogError> {
    let rows = moderation_log_statement(book, after, limit + 1)
        .query(db)
        .await?;
    log_page(&rows, book, limit)
}

/// The page of `limit` entries of `book` in the rows of its statement (one more tells a next page).
pub(crate) fn log_page(
    rows: &[Row],
    book: LogBook,
    limit: i64,
) -> Result<ModerationLog, CatalogError> {
    let mut entries = rows
        .iter()
        .map(|row| {
            let stored: Stored = serde_json::from_value(row.read("entry")?)
                .map_err(|error| CatalogError::Unreadable(format!("log entry: {error}")))?;
            Ok(LogEntry {
                seq: stored.seq,
                at: stored.at,
                action: stored.action,
                item: LoggedListing {
                    id: stored.item_id,
                    kind: stored.item_kind,
                    name: stored.item_name,
                },
                version: stored.version,
                reason: stored.reason,
                severity: stored.severity,
                hidden_reviews: stored.hidden_reviews,
                entry: row.read("entry_text")?,
                prev_hash: row.read("prev_hash")?,
                hash: row.read("hash")?,
            })
        })
        .collect::<Result<Vec<_>, CatalogError>>()?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if entries.len() > limit {
        entries.truncate(limit);
        entries
            .last()
            .map(|last| cursor::encode(&book.scope(), &[last.seq.into()]))
    } else {
        None
    };
    Ok(ModerationLog {
        entries,
        next_cursor,
    })
}

/// A page of `limit` entries of `book` below `after`, newest first, by the primary key.
pub fn moderation_log_statement(
    book: LogBook,
    after: Option<LogCursor>,
    limit: i64,
) -> Statement<'static> {
    let sql = match book {
        LogBook::Public => {
            "SELECT entry, entry::text AS entry_text, prev_hash, hash FROM moderation_log
             WHERE $2::bigint IS NULL OR seq < $2 ORDER BY seq DESC LIMIT $1"
        }
        LogBook::Catalog(_) => {
            "SELECT entry, entry::text AS entry_text, prev_hash, hash FROM catalog_moderation_log
             WHERE catalog_id = $3 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $1"
        }
    };
    let statement = Statement::new(sql)
        .bind(limit)
        .bind(after.map(|after| after.0));
    match book {
        LogBook::Public => statement,
        LogBook::Catalog(catalog) => statement.bind(catalog),
    }
}

/// What recomputing the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    pub valid: bool,
    pub entries: i64,
    /// The last entry's hash.
    pub head: Option<String>,
    /// The first entry whose hash, link to the previous entry or sequence number does not hold.
    pub first_invalid_seq: Option<i64>,
}

/// Recomputes every entry's hash from the previous entry's and its own content, in one statement: an
/// edited entry, a removed one or a reordered one shows as the first entry where the chain breaks.
pub async fn verify_moderation_log(db: &impl Sql) -> Result<ChainCheck, CatalogError> {
    let row = Statement::new(
        "WITH chain AS (
             SELECT seq, hash,
                    hash = marketplace_log_hash(prev_hash, entry)
                    AND prev_hash = coalesce(lag(hash) OVER w, repeat('0', 64))
                    AND seq = row_number() OVER w
                    AND (entry ->> 'seq')::bigint = seq AS holds
             FROM moderation_log WINDOW w AS (ORDER BY seq))
         SELECT count(*) AS entries,
                (SELECT hash FROM chain ORDER BY seq DESC LIMIT 1) AS head,
                min(seq) FILTER (WHERE NOT holds) AS first_invalid_seq
         FROM chain",
    )
    .query_one(db)
    .await?;
    let first_invalid_seq: Option<i64> = row.read("first_invalid_seq")?;
    Ok(ChainCheck {
        valid: first_invalid_seq.is_none(),
        entries: row.read("entries")?,
        head: row.read("head")?,
        first_invalid_seq,
    })
}
