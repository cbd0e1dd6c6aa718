//! `GET /submissions`: what a workspace submitted (new listings and new versions), newest first, with where
//! each stands: waiting, approved, rejected with the admin's reason, or withdrawn; the findings of the checks
//! at submit; and a yank or revocation since.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Row;

use crate::foundation::column::{read_findings, ReadColumn};
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::error::CatalogError;
use crate::foundation::findings::Finding;
use crate::foundation::kind::{union_all, ItemKind};
use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::pulled::{read_revocation, read_yank, Revocation, Yank};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::status::SubmissionStatus;
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::publish::review_queue::SubmissionKind;

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionsPage {
    pub submissions: Vec<SubmissionEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionEntry {
    pub item_id: i64,
    #[serde(rename = "type")]
    pub item_type: ItemKind,
    pub name: String,
    pub version: Version,
    #[serde(rename = "kind")]
    pub submission: SubmissionKind,
    pub status: SubmissionStatus,
    /// The admin's reason, when rejected.
    pub reason: Option<String>,
    pub findings: Vec<Finding>,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub yanked: Option<Yank>,
    pub revoked: Option<Revocation>,
}

/// Where a page of a workspace's submissions continues: after the version submitted at this time, with
/// this id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionCursor {
    submitted_micros: i64,
    id: i64,
}

fn scope(workspace: WorkspaceId) -> String {
    format!("submissions\n{}", workspace.as_uuid())
}

impl SubmissionCursor {
    /// A token this route issued for this workspace, or why not.
    pub fn parse(token: &str, workspace: WorkspaceId) -> Result<Self, CursorError> {
        match cursor::decode(
            token,
            &scope(workspace),
            &[KeyType::Timestamp, KeyType::Integer],
        )?[..]
        {
            [PositionValue::Integer(submitted_micros), PositionValue::Integer(id)] if id > 0 => {
                Ok(Self {
                    submitted_micros,
                    id,
                })
            }
            _ => Err(CursorError::Malformed),
        }
    }
}

/// One page of the versions submitted from `workspace`, newest first.
pub async fn list_submissions(
    db: &impl Sql,
    workspace: WorkspaceId,
    after: Option<SubmissionCursor>,
    limit: i64,
) -> Result<SubmissionsPage, CatalogError> {
    let rows = submissions_statement(workspace, after, limit + 1)
        .query(db)
        .await?;
    let mut submissions = Vec::with_capacity(rows.len());
    let mut positions = Vec::with_capacity(rows.len());
    for row in &rows {
        submissions.push(SubmissionEntry::from_row(row)?);
        positions.push((row.read::<i64>("submitted_micros")?, row.read::<i64>("id")?));
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next_cursor = if submissions.len() > limit {
        submissions.truncate(limit);
        positions.get(limit - 1).map(|(micros, id)| {
            cursor::encode(&scope(workspace), &[(*micros).into(), (*id).into()])
        })
    } else {
        None
    };
    Ok(SubmissionsPage {
        submissions,
        next_cursor,
    })
}

/// A page of `limit` versions submitted from `workspace` after `after`, newest first, read from the
/// (workspace_id, submitted_at DESC, id DESC) index with each listing's name by primary key.
pub fn submissions_statement(
    workspace: WorkspaceId,
    after: Option<SubmissionCursor>,
    limit: i64,
) -> Statement<'static> {
    let names = union_all(&ItemKind::ALL, |kind| {
        format!(
            "SELECT m.name FROM {table} m WHERE p.item_kind = '{kind}' AND m.id = p.item_id",
            table = kind.table()
        )
    });
    Statement::new(format!(
        "WITH page AS (
             SELECT v.id, v.item_id, v.item_kind::text AS item_kind, v.version::text AS version, v.status,
                    v.rejection_reason, v.findings, v.submitted_at, v.reviewed_at, v.yanked_at, v.yank_reason,
                    v.revoked_at, v.revoke_reason, v.revoke_severity,
                    (extract(epoch FROM v.submitted_at) * 1000000)::bigint AS submitted_micros,
                    EXISTS (SELECT 1 FROM item_versions e
                            WHERE e.item_id = v.item_id AND e.status = 'approved' AND e.id <> v.id
                              AND e.submitted_at <= v.submitted_at) AS has_earlier_approval
             FROM item_versions v
             WHERE v.workspace_id = $1
               AND ($3::bigint IS NULL
                    OR (v.submitted_at, v.id) < (timestamptz 'epoch' + $3 * interval '1 microsecond', $4))
             ORDER BY v.submitted_at DESC, v.id DESC
             LIMIT $2)
         SELECT p.*, n.name FROM page p JOIN LATERAL ({names}) n ON true
         ORDER BY p.submitted_at DESC, p.id DESC"
    ))
    .bind(workspace)
    .bind(limit)
    .bind(after.map(|after| after.submitted_micros))
    .bind(after.map(|after| after.id))
}

impl SubmissionEntry {
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        Ok(Self {
            item_id: row.read("item_id")?,
            item_type: row.read("item_kind")?,
            name: row.read("name")?,
            version: row.read("version")?,
            submission: if row.read("has_earlier_approval")? {
                SubmissionKind::NewVersion
            } else {
                SubmissionKind::NewItem
            },
            status: row.read("status")?,
            reason: row.read("rejection_reason")?,
            findings: read_findings(row)?,
            submitted_at: row.read("submitted_at")?,
            reviewed_at: row.read("reviewed_at")?,
            yanked: read_yank(row)?,
            revoked: read_revocation(row)?,
        })
    }
}
