//! The admin review queue: submissions and versions of one review status, oldest pending first or most
//! recently reviewed first, paginated by offset or keyset cursor.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::Row;

use crate::foundation::column::{read_findings, ReadColumn};
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::findings::Finding;
use crate::foundation::item::Creator;
use crate::foundation::kind::ItemKind;
use crate::foundation::paged::total_and_page;
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::status::ReviewStatus;
use crate::foundation::version::Version;

#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub item_id: i64,
    #[serde(rename = "type")]
    pub item_type: ItemKind,
    pub name: String,
    pub version: Version,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Option<Creator>,
    /// Serialised as `kind` (docs/api.md), which is not an item kind.
    #[serde(rename = "kind")]
    pub submission: SubmissionKind,
    pub status: ReviewStatus,
    /// What the version depends on, resolved when it was submitted and pinned when it is approved:
    /// `[{"type", "item_id", "name", "version", "requested_as"}]`.
    pub dependencies: Value,
    /// The manifest derived when it was submitted (`null` for versions submitted before manifests).
    pub capabilities: Option<Value>,
    pub capabilities_digest: Option<String>,
    /// What the checks at submit found (warnings: a blocking finding refused the submission).
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// What a queue entry asks to approve: the first version of a listing, until it has an approved one, then
/// a new version of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionKind {
    NewItem,
    NewVersion,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub items: Vec<QueueEntry>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The cursor of the next page; None on the last.
    pub next_cursor: Option<String>,
}

/// A page of the review queue: entries of one status, from `offset` or after a cursor's position.
#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub status: ReviewStatus,
    pub limit: i64,
    pub offset: i64,
    pub after: Option<QueuePosition>,
    /// The private catalog whose queue this is; `None`: the marketplace's (public listings).
    pub catalog: Option<i64>,
}

/// The position (time and version id) of the last entry a queue page showed, read from its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePosition {
    time_micros: i64,
    version_id: i64,
}

impl QueueQuery {
    /// The position a cursor names, if it was issued for the queue of this status.
    pub fn position(&self, token: &str) -> Result<QueuePosition, CursorError> {
        match cursor::decode(
            token,
            &self.scope(),
            &[KeyType::Timestamp, KeyType::Integer],
        )?[..]
        {
            [PositionValue::Integer(time_micros), PositionValue::Integer(version_id)] => {
                Ok(QueuePosition {
                    time_micros,
                    version_id,
                })
            }
            _ => Err(CursorError::Malformed),
        }
    }

    fn scope(&self) -> String {
        match self.catalog {
            None => format!("review queue\n{}", self.status.as_str()),
            Some(catalog) => format!("review queue\n{}\ncatalog {catalog}", self.status.as_str()),
        }
    }

    /// The time the queue is ordered by (then the version id), as an expression on version row `v`, and
    /// whether the order is descending: pending oldest submission first; reviewed most recent review first,
    /// where a version approved without a review (seeded, or from the LLM catalog) counts as reviewed when it
    /// was published, or else submitted. Never null, so every position has a cursor.
    fn order_key(&self) -> (&'static str, bool) {
        match self.status {
            ReviewStatus::Pending => ("v.submitted_at", false),
            ReviewStatus::Approved | ReviewStatus::Rejected => (
                "coalesce(v.reviewed_at, v.published_at, v.submitted_at)",
                true,
            ),
        }
    }
}

/// Submissions and versions in review (or reviewed), for admins: the marketplace's, or one catalog's.
pub async fn review_queue(db: &impl Sql, query: &QueueQuery) -> Result<QueuePage, CatalogError> {
    let rows = review_queue_statement(query).query(db).await?;
    queue_page(&rows, query)
}

/// The page of `query` in the rows of its statement.
pub(crate) fn queue_page(rows: &[Row], query: &QueueQuery) -> Result<QueuePage, CatalogError> {
    let total = match rows.first() {
        Some(row) => row.read("total")?,
        None => 0,
    };
    let mut items = Vec::with_capacity(rows.len());
    let mut positions = Vec::with_capacity(rows.len());
    for row in rows {
        if row.read::<Option<i64>>("item_id")?.is_some() {
            items.push(QueueEntry::from_row(row, query.status)?);
            positions.push(row.read::<Value>("position")?);
        }
    }
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let mut next_cursor = None;
    if items.len() > limit {
        items.truncate(limit);
        if let Some(Value::Array(position)) = positions.get(limit - 1) {
            next_cursor = Some(cursor::encode(&query.scope(), position));
        }
    }
    Ok(QueuePage {
        items,
        total,
        limit: query.limit,
        offset: query.offset,
        next_cursor,
    })
}

/// One page of versions with this review status (and one more, if there is a next page), each with its
/// item's name (from whichever kind's table holds it), its submitter and its position; with the total.
pub(crate) fn review_queue_statement(query: &QueueQuery) -> Statement<'static> {
    let (key, descending) = query.order_key();
    let direction = if descending { " DESC" } else { "" };
    let order = |alias: &str| format!("{alias}.sort_at{direction}, {alias}.id{direction}");
    let item_tables = ItemKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            format!(
                "LEFT JOIN {table} t{i} ON v.item_kind = '{kind}' AND t{i}.id = v.item_id",
                table = kind.table(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let any_table = |column: &str| {
        (0..ItemKind::ALL.len())
            .map(|i| format!("t{i}.{column}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (after, time_micros, version_id) = match &query.after {
        Some(position) => (
            format!(
                "WHERE (v.sort_at, v.id) {op} (timestamptz 'epoch' + $4 * interval '1 microsecond', $5)",
                op = if descending { "<" } else { ">" }
            ),
            Some(position.time_micros),
            Some(position.version_id),
        ),
        None => (String::new(), None, None),
    };
    let sql = format!(
        "WITH queue AS (
             SELECT v.id, v.item_id, v.item_kind::text AS item_kind, coalesce({names}) AS name,
                    v.version::text AS version, v.submitted_at, v.reviewed_at, v.rejection_reason,
                    coalesce(v.dependencies, '[]') AS dependencies, v.capabilities, v.capabilities_digest, v.findings,
                    v.submitted_by, u.display_name,
                    EXISTS (SELECT 1 FROM item_versions p
                            WHERE p.item_id = v.item_id AND p.status = 'approved' AND p.id <> v.id
                              AND p.submitted_at <= v.submitted_at) AS has_earlier_approval,
                    {key} AS sort_at,
                    json_build_array((extract(epoch FROM {key}) * 1000000)::bigint, v.id) AS position
             FROM item_versions v
             {item_tables}
             LEFT JOIN users u ON u.id = v.submitted_by
             WHERE v.status = $1 AND coalesce({delisted}) IS NULL AND coalesce({ids}) IS NOT NULL
               AND coalesce({catalogs}) IS NOT DISTINCT FROM $6
         ),
         page AS (SELECT * FROM queue v {after} ORDER BY {queue_order} OFFSET $3 LIMIT $2 + 1),
         total AS (SELECT count(*) AS total FROM queue)
         {select}",
        names = any_table("name"),
        delisted = any_table("delisted_at"),
        ids = any_table("id"),
        catalogs = any_table("catalog_id"),
        queue_order = order("v"),
        select = total_and_page("page", "", "", &order("page")),
    );
    Statement::new(sql)
        .bind(query.status)
        .bind(query.limit)
        .bind(query.offset)
        .bind(time_micros)
        .bind(version_id)
        .bind(query.catalog)
}

impl QueueEntry {
    fn from_row(row: &Row, status: ReviewStatus) -> Result<Self, CatalogError> {
        let has_earlier_approval: bool = row.read("has_earlier_approval")?;
        Ok(Self {
            item_id: row.read("item_id")?,
            item_type: row.read("item_kind")?,
            name: row.read("name")?,
            version: row.read("version")?,
            submitted_at: row.read("submitted_at")?,
            submitted_by: Creator::from_row(row, "submitted_by", "display_name")?,
            submission: if has_earlier_approval {
                SubmissionKind::NewVersion
            } else {
                SubmissionKind::NewItem
            },
            status,
            dependencies: row.read("dependencies")?,
            capabilities: row.read("capabilities")?,
            capabilities_digest: row.read("capabilities_digest")?,
            findings: read_findings(row)?,
            reason: row.read("rejection_reason")?,
            reviewed_at: row.read("reviewed_at")?,
        })
    }
}
