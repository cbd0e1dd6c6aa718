//! Admin moderation: the review queue, approve, reject, feature and delist. Every action is recorded in
//! `admin_actions` in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient, Transaction};

use crate::locate::visible_kind;
use crate::{CatalogError, Creator, ItemKind, Viewer};

/// What an approval or rejection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reviewed {
    pub item_id: i64,
    pub status: &'static str,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Approves what waits for review: the listing's content and version become the pending version's. An
/// agent's skills that were published with it are approved with it. Approving an approved item with nothing
/// pending changes nothing.
pub async fn approve(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
) -> Result<Reviewed, CatalogError> {
    let tx = client.transaction().await?;
    let (kind, is_approved, current_version) = lock_listing(&tx, item_id).await?;
    let Some(version) = approve_pending(&tx, kind, item_id, admin_id).await? else {
        if is_approved {
            return Ok(Reviewed {
                item_id,
                status: "approved",
                version: current_version,
                reason: None,
            });
        }
        return Err(CatalogError::Conflict(
            "Nothing of this item is waiting for review.".into(),
        ));
    };
    if kind == ItemKind::Agent {
        for skill in skills_published_with(&tx, item_id).await? {
            approve_pending(&tx, ItemKind::Skill, skill, admin_id).await?;
        }
        require_listed_skills(&tx, item_id).await?;
    }
    tx.commit().await?;
    Ok(Reviewed {
        item_id,
        status: "approved",
        version,
        reason: None,
    })
}

/// Locks the listing for one moderation action, so actions on one item run one after another. The row is
/// re-read after the lock is granted: a listing delisted meanwhile is not found (404).
async fn lock_listing(
    tx: &Transaction<'_>,
    item_id: i64,
) -> Result<(ItemKind, bool, String), CatalogError> {
    let kind = visible_kind(tx, Viewer::Admin, item_id).await?;
    let row = tx
        .query_typed_opt(
            &format!(
                "SELECT t.is_approved, t.version::text FROM {table} t WHERE t.id = $1 AND {listed} FOR UPDATE",
                table = kind.table(),
                listed = Viewer::Admin.listed("t"),
            ),
            &[(&item_id, Type::INT8)],
        )
        .await?
        .ok_or(CatalogError::NotFound("item"))?;
    Ok((kind, row.get(0), row.get(1)))
}

/// An agent is approved only when every skill it links is listed and approved, so no approved agent ever
/// shows or installs a skill its users could not open.
async fn require_listed_skills(tx: &Transaction<'_>, agent_id: i64) -> Result<(), CatalogError> {
    let rows = tx
        .query_typed(
            &format!(
                "SELECT s.id, s.name FROM agent_skills l JOIN skills s ON s.id = l.skill_id
                 WHERE l.agent_id = $1 AND NOT ({listed}) ORDER BY s.id",
                listed = Viewer::Member.listed("s"),
            ),
            &[(&agent_id, Type::INT8)],
        )
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let skills = rows
        .iter()
        .map(|row| {
            format!(
                "\"{}\" (id {})",
                row.get::<_, String>(1),
                row.get::<_, i64>(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(CatalogError::Conflict(format!(
        "This agent links skills that are not approved or no longer listed: {skills}. Approve them first, \
         or have the publisher submit a version without them."
    )))
}

/// Publishes the pending version of a listing onto it; `None` when nothing is pending.
async fn approve_pending(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    admin_id: i64,
) -> Result<Option<String>, CatalogError> {
    let Some(row) = tx
        .query_typed_opt(
            "UPDATE item_versions SET status = 'approved', reviewed_by = $2, reviewed_at = now(), published_at = now()
             WHERE item_id = $1 AND status = 'pending'
             RETURNING version::text, content",
            &[(&item_id, Type::INT8), (&admin_id, Type::INT8)],
        )
        .await?
    else {
        return Ok(None);
    };
    let (version, content): (String, Value) = (row.get(0), row.get(1));
    let table = kind.table();
    let columns = kind.content_columns().join(", ");
    tx.execute_typed(
        &format!(
            "UPDATE {table} SET ({columns}, version, is_approved, updated_at) =
                 (SELECT {columns}, $2, true, now() FROM jsonb_populate_record(NULL::{table}, $3))
             WHERE id = $1"
        ),
        &[
            (&item_id, Type::INT8),
            (&version, Type::TEXT),
            (&content, Type::JSONB),
        ],
    )
    .await?;
    record_action(tx, admin_id, "approve", kind, item_id, Some(&version), None).await?;
    Ok(Some(version))
}

/// Marketplace skills linked to an agent that still wait for their first approval.
async fn skills_published_with(
    tx: &Transaction<'_>,
    agent_id: i64,
) -> Result<Vec<i64>, CatalogError> {
    let rows = tx
        .query_typed(
            "SELECT s.id FROM agent_skills l JOIN skills s ON s.id = l.skill_id
             WHERE l.agent_id = $1 AND s.owner_type = 'marketplace' AND NOT s.is_approved AND s.delisted_at IS NULL
             ORDER BY s.id",
            &[(&agent_id, Type::INT8)],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Rejects what waits for review, keeping the reason. The listing keeps serving what it served (nothing,
/// for a new item, which stays unapproved until a later version is approved).
pub async fn reject(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    reason: &str,
) -> Result<Reviewed, CatalogError> {
    let tx = client.transaction().await?;
    let (kind, is_approved, _) = lock_listing(&tx, item_id).await?;
    let version = reject_pending(&tx, kind, item_id, admin_id, reason)
        .await?
        .ok_or_else(|| {
            CatalogError::Conflict("Nothing of this item is waiting for review.".into())
        })?;
    if kind == ItemKind::Agent && !is_approved {
        for skill in skills_published_with(&tx, item_id).await? {
            reject_pending(&tx, ItemKind::Skill, skill, admin_id, reason).await?;
        }
    }
    tx.commit().await?;
    Ok(Reviewed {
        item_id,
        status: "rejected",
        version,
        reason: Some(reason.to_owned()),
    })
}

async fn reject_pending(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    admin_id: i64,
    reason: &str,
) -> Result<Option<String>, CatalogError> {
    let Some(row) = tx
        .query_typed_opt(
            "UPDATE item_versions SET status = 'rejected', rejection_reason = $3, reviewed_by = $2, reviewed_at = now()
             WHERE item_id = $1 AND status = 'pending'
             RETURNING version::text",
            &[(&item_id, Type::INT8), (&admin_id, Type::INT8), (&reason, Type::TEXT)],
        )
        .await?
    else {
        return Ok(None);
    };
    let version: String = row.get(0);
    record_action(
        tx,
        admin_id,
        "reject",
        kind,
        item_id,
        Some(&version),
        Some(reason),
    )
    .await?;
    Ok(Some(version))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Featured {
    pub item_id: i64,
    pub is_featured: bool,
}

/// Sets the featured flag, or toggles it when `featured` is `None`.
pub async fn set_featured(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    featured: Option<bool>,
) -> Result<Featured, CatalogError> {
    let tx = client.transaction().await?;
    let (kind, _, _) = lock_listing(&tx, item_id).await?;
    let is_featured: bool = tx
        .query_typed_one(
            &format!(
                "UPDATE {} SET is_featured = coalesce($2, NOT is_featured) WHERE id = $1 RETURNING is_featured",
                kind.table()
            ),
            &[(&item_id, Type::INT8), (&featured, Type::BOOL)],
        )
        .await?
        .get(0);
    let action = if is_featured { "feature" } else { "unfeature" };
    record_action(&tx, admin_id, action, kind, item_id, None, None).await?;
    tx.commit().await?;
    Ok(Featured {
        item_id,
        is_featured,
    })
}

/// Soft-deletes a listing: hidden everywhere; installs and installed copies stay.
pub async fn delist(client: &mut Client, admin_id: i64, item_id: i64) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    let (kind, _, _) = lock_listing(&tx, item_id).await?;
    tx.execute_typed(
        &format!(
            "UPDATE {} SET delisted_at = now() WHERE id = $1",
            kind.table()
        ),
        &[(&item_id, Type::INT8)],
    )
    .await?;
    record_action(&tx, admin_id, "delist", kind, item_id, None, None).await?;
    tx.commit().await?;
    Ok(())
}

async fn record_action(
    tx: &Transaction<'_>,
    admin_id: i64,
    action: &str,
    kind: ItemKind,
    item_id: i64,
    version: Option<&str>,
    reason: Option<&str>,
) -> Result<(), CatalogError> {
    tx.execute_typed(
        "INSERT INTO admin_actions (admin_id, action, item_id, item_kind, version, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            (&admin_id, Type::INT8),
            (&action, Type::TEXT),
            (&item_id, Type::INT8),
            (&kind.as_str(), Type::TEXT),
            (&version, Type::TEXT),
            (&reason, Type::TEXT),
        ],
    )
    .await?;
    Ok(())
}

/// Which part of the review history the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueStatus {
    /// Waiting for review, oldest first.
    #[default]
    Pending,
    /// Reviewed, most recent first.
    Approved,
    Rejected,
}

impl QueueStatus {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub item_id: i64,
    #[serde(rename = "type")]
    pub item_type: ItemKind,
    pub name: String,
    pub version: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: Option<Creator>,
    /// `new_item` until the listing has an approved version, then `new_version`.
    pub kind: &'static str,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueuePage {
    pub items: Vec<QueueEntry>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Submissions and versions in review (or reviewed), for admins.
pub async fn review_queue(
    db: &impl GenericClient,
    status: QueueStatus,
    limit: i64,
    offset: i64,
) -> Result<QueuePage, CatalogError> {
    let joins = ItemKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            format!(
                "LEFT JOIN {table} t{i} ON v.item_kind = '{kind}' AND t{i}.id = v.item_id",
                table = kind.table(),
                kind = kind.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let columns = |column: &str| {
        (0..ItemKind::ALL.len())
            .map(|i| format!("t{i}.{column}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let order = match status {
        QueueStatus::Pending => "v.submitted_at, v.id",
        QueueStatus::Approved | QueueStatus::Rejected => "v.reviewed_at DESC, v.id DESC",
    };
    let sql = format!(
        "WITH queue AS (
             SELECT v.id, v.item_id, v.item_kind::text AS item_kind, coalesce({names}) AS name,
                    v.version::text AS version, v.submitted_at, v.reviewed_at, v.rejection_reason,
                    v.submitted_by, u.display_name,
                    EXISTS (SELECT 1 FROM item_versions p
                            WHERE p.item_id = v.item_id AND p.status = 'approved' AND p.id <> v.id
                              AND p.submitted_at <= v.submitted_at) AS has_earlier_approval
             FROM item_versions v
             {joins}
             LEFT JOIN users u ON u.id = v.submitted_by
             WHERE v.status = $1 AND coalesce({delisted}) IS NULL AND coalesce({ids}) IS NOT NULL
         ),
         page AS (SELECT * FROM queue v ORDER BY {order} OFFSET $3 LIMIT $2)
         SELECT (SELECT count(*) FROM queue) AS total, page.*
         FROM (SELECT 1) one LEFT JOIN page ON true
         ORDER BY {order_page}",
        names = columns("name"),
        delisted = columns("delisted_at"),
        ids = columns("id"),
        order_page = order.replace("v.", "page."),
    );
    let rows = db
        .query_typed(
            &sql,
            &[
                (&status.as_str(), Type::TEXT),
                (&limit, Type::INT8),
                (&offset, Type::INT8),
            ],
        )
        .await?;
    let total = rows.first().map_or(0, |row| row.get("total"));
    let items = rows
        .iter()
        .filter(|row| row.get::<_, Option<i64>>("item_id").is_some())
        .map(|row| {
            let submitted_by: Option<i64> = row.get("submitted_by");
            QueueEntry {
                item_id: row.get("item_id"),
                item_type: ItemKind::parse(row.get("item_kind"))
                    .expect("item_kind admits only known kinds"),
                name: row.get("name"),
                version: row.get("version"),
                submitted_at: row.get("submitted_at"),
                submitted_by: submitted_by
                    .zip(row.get::<_, Option<String>>("display_name"))
                    .map(|(id, display_name)| Creator { id, display_name }),
                kind: if row.get("has_earlier_approval") {
                    "new_version"
                } else {
                    "new_item"
                },
                status: status.as_str(),
                reason: row.get("rejection_reason"),
                reviewed_at: row.get("reviewed_at"),
            }
        })
        .collect();
    Ok(QueuePage {
        items,
        total,
        limit,
        offset,
    })
}
