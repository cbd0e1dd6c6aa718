//! Admin moderation: the review queue, approve, reject, feature and delist. Every action is recorded in
//! `admin_actions` in the same transaction.

use serde::Serialize;
use serde_json::Value;
use tokio_postgres::{Client, Transaction};

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::statement::Statement;
use crate::foundation::status::ReviewStatus;
use crate::foundation::status::{AdminAction, Severity};
use crate::foundation::version::Version;

/// What an approval or rejection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reviewed {
    pub item_id: i64,
    pub status: ReviewStatus,
    pub version: Version,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Approves what waits for review: the listing's content and version become the pending version's. An
/// agent's skills that were submitted with it are approved with it. Approving an approved item with nothing
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
                status: ReviewStatus::Approved,
                version: current_version,
                reason: None,
            });
        }
        return Err(CatalogError::Conflict(
            "Nothing of this item is waiting for review.".into(),
        ));
    };
    if kind == ItemKind::Agent {
        // The linked skills' rows, in id order, as a skill's own moderation locks them: a skill approved,
        // rejected or delisted at the same time waits, and no two approvals lock in opposite orders.
        Statement::new(
            "SELECT s.id FROM agent_skills l JOIN skills s ON s.id = l.skill_id
             WHERE l.agent_id = $1 ORDER BY s.id FOR UPDATE OF s",
        )
        .bind(item_id)
        .query(&tx)
        .await?;
        for skill in skills_submitted_with(&tx, item_id).await? {
            approve_pending(&tx, ItemKind::Skill, skill, admin_id).await?;
        }
        require_listed_skills(&tx, item_id).await?;
    }
    tx.commit().await?;
    Ok(Reviewed {
        item_id,
        status: ReviewStatus::Approved,
        version,
        reason: None,
    })
}

/// Locks the listing for one moderation action, so actions on one item run one after another. The row is
/// re-read after the lock is granted: a listing delisted meanwhile is not found (404).
pub(crate) async fn lock_listing(
    tx: &Transaction<'_>,
    item_id: i64,
) -> Result<(ItemKind, bool, Version), CatalogError> {
    let kind = visible_kind(tx, Audience::MarketplaceAdmin, item_id).await?;
    let row = Statement::new(format!(
        "SELECT t.is_approved, t.version::text AS version FROM {table} t WHERE t.id = $1 AND {listed} FOR UPDATE",
        table = kind.table(),
        listed = Audience::MarketplaceAdmin.listed("t"),
    ))
    .bind(item_id)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    Ok((kind, row.read("is_approved")?, row.read("version")?))
}

/// An agent is approved only when every skill it links is listed, approved, and public or of the agent's own
/// catalog, so no approved agent ever shows or installs a skill its users could not open.
async fn require_listed_skills(tx: &Transaction<'_>, agent_id: i64) -> Result<(), CatalogError> {
    let rows = Statement::new(format!(
        "SELECT s.id, s.name FROM agent_skills l JOIN skills s ON s.id = l.skill_id
         JOIN agents a ON a.id = l.agent_id
         WHERE l.agent_id = $1
           AND NOT ({listed} AND s.is_approved AND (s.catalog_id IS NULL OR s.catalog_id = a.catalog_id))
         ORDER BY s.id",
        listed = Audience::MarketplaceAdmin.listed("s"),
    ))
    .bind(agent_id)
    .query(tx)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let skills = rows
        .iter()
        .map(|row| {
            let (id, name): (i64, String) = (row.read("id")?, row.read("name")?);
            Ok(format!("\"{name}\" (id {id})"))
        })
        .collect::<Result<Vec<_>, CatalogError>>()?
        .join(", ");
    Err(CatalogError::Conflict(format!(
        "This agent links skills that are not approved or no longer listed: {skills}. Approve them first, \
         or have the publisher submit a version without them."
    )))
}

/// Applies the pending version of a listing to it, which makes the version live; `None` when nothing is
/// pending.
async fn approve_pending(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    admin_id: i64,
) -> Result<Option<Version>, CatalogError> {
    let Some(row) = Statement::new(
        "UPDATE item_versions SET status = 'approved', reviewed_by = $2, reviewed_at = now(), published_at = now()
         WHERE item_id = $1 AND status = 'pending'
         RETURNING version::text AS version, content, dependencies",
    )
    .bind(item_id)
    .bind(admin_id)
    .query_opt(tx)
    .await?
    else {
        return Ok(None);
    };
    let version: Version = row.read("version")?;
    make_live(
        tx,
        kind,
        item_id,
        &version,
        row.read("content")?,
        row.read("dependencies")?,
    )
    .await?;
    let action = Action::on(AdminAction::Approve, kind, item_id).version(&version);
    action.record(tx, admin_id).await?;
    Ok(Some(version))
}

/// Makes approved version `version` of listing `item_id` the one it serves and installs: the listing takes
/// its content, version and dependencies, and the version keeps the digest of the content the listing now
/// has (once recorded, a version's digest never changes: the listing went back to the same content).
pub(crate) async fn make_live(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    version: &Version,
    content: Value,
    dependencies: Option<Value>,
) -> Result<(), CatalogError> {
    let table = kind.table();
    let columns = kind.content_columns().join(", ");
    // The version's content digest is the listing's content as it now is: installs compare their clone's
    // fingerprint with it.
    Statement::new(format!(
        "WITH listing AS (
             UPDATE {table} t SET ({columns}, version, is_approved, updated_at) =
                 (SELECT {columns}, $2, true, now() FROM jsonb_populate_record(NULL::{table}, $3))
             WHERE t.id = $1
             RETURNING {fingerprint} AS digest)
         UPDATE item_versions v SET content_digest = coalesce(v.content_digest, listing.digest) FROM listing
         WHERE v.item_id = $1 AND v.version = $2::text::semver",
        fingerprint = content::fingerprint_sql(kind, "t"),
    ))
    .bind(item_id)
    .bind(version)
    .bind(content)
    .execute(tx)
    .await?;
    if matches!(kind, ItemKind::Agent | ItemKind::Recipe) {
        pin_dependencies(tx, kind, item_id, dependencies).await?;
    }
    Ok(())
}

/// Freezes the dependencies the approved version resolved at submit onto the listing: its installs follow
/// them. A version submitted before dependencies were resolved at submit is resolved now, by the same rule.
async fn pin_dependencies(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    resolved: Option<Value>,
) -> Result<(), CatalogError> {
    Statement::new(format!(
        "SELECT marketplace_pin_dependencies(l.id, coalesce($2::jsonb,
                    marketplace_resolve_dependencies($3::text::item_kind, {content}, l.original_creator_id,
                                                     l.catalog_id)))
         FROM {table} l WHERE l.id = $1",
        content = kind.content_sql("l"),
        table = kind.table(),
    ))
    .bind(item_id)
    .bind(resolved)
    .bind(kind)
    .execute(tx)
    .await?;
    Ok(())
}

/// Marketplace skills linked to an agent that still wait for their first approval.
async fn skills_submitted_with(
    tx: &Transaction<'_>,
    agent_id: i64,
) -> Result<Vec<i64>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT s.id FROM agent_skills l JOIN skills s ON s.id = l.skill_id
         WHERE l.agent_id = $1 AND {listed} AND NOT s.is_approved
         ORDER BY s.id",
        listed = Audience::MarketplaceAdmin.listed("s"),
    ))
    .bind(agent_id)
    .query(tx)
    .await?;
    rows.iter().map(|row| row.read("id")).collect()
}

/// Rejects what waits for review, keeping the reason. The listing keeps serving what it served (nothing,
/// for a new item, which stays unapproved until a later version is approved).
pub async fn reject(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    reason: &Rejection<'_>,
) -> Result<Reviewed, CatalogError> {
    let tx = client.transaction().await?;
    let (kind, is_approved, _) = lock_listing(&tx, item_id).await?;
    let version = reject_pending(&tx, kind, item_id, admin_id, reason)
        .await?
        .ok_or_else(|| {
            CatalogError::Conflict("Nothing of this item is waiting for review.".into())
        })?;
    if kind == ItemKind::Agent && !is_approved {
        for skill in skills_submitted_with(&tx, item_id).await? {
            reject_pending(&tx, ItemKind::Skill, skill, admin_id, reason).await?;
        }
    }
    tx.commit().await?;
    Ok(Reviewed {
        item_id,
        status: ReviewStatus::Rejected,
        version,
        reason: Some(reason.reason.to_owned()),
    })
}

/// Why an admin rejected a submission, and whether the moderation log may show it.
#[derive(Debug, Clone, Copy)]
pub struct Rejection<'a> {
    pub reason: &'a str,
    pub public: bool,
}

async fn reject_pending(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    admin_id: i64,
    rejection: &Rejection<'_>,
) -> Result<Option<Version>, CatalogError> {
    let Some(row) = Statement::new(
        "UPDATE item_versions SET status = 'rejected', rejection_reason = $3, reviewed_by = $2, reviewed_at = now()
         WHERE item_id = $1 AND status = 'pending'
         RETURNING version::text AS version",
    )
    .bind(item_id)
    .bind(admin_id)
    .bind(rejection.reason)
    .query_opt(tx)
    .await?
    else {
        return Ok(None);
    };
    let version: Version = row.read("version")?;
    let mut action = Action::on(AdminAction::Reject, kind, item_id)
        .version(&version)
        .reason(rejection.reason);
    action.reason_public = rejection.public;
    action.record(tx, admin_id).await?;
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
    let is_featured: bool = Statement::new(format!(
        "UPDATE {} SET is_featured = coalesce($2, NOT is_featured) WHERE id = $1 RETURNING is_featured",
        kind.table()
    ))
    .bind(item_id)
    .bind(featured)
    .query_one(&tx)
    .await?
    .read("is_featured")?;
    let action = if is_featured {
        AdminAction::Feature
    } else {
        AdminAction::Unfeature
    };
    Action::on(action, kind, item_id)
        .record(&tx, admin_id)
        .await?;
    tx.commit().await?;
    Ok(Featured {
        item_id,
        is_featured,
    })
}

/// A listing's official mark after it was set or cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Official {
    pub item_id: i64,
    pub is_official: bool,
}

/// Marks a listing official (vouched for by the marketplace), or clears the mark. Versions submitted from
/// then on may resolve their dependencies to it whoever publishes them; listings approved earlier keep the
/// dependencies they pinned.
pub async fn set_official(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    official: bool,
) -> Result<Official, CatalogError> {
    let tx = client.transaction().await?;
    let (kind, _, _) = lock_listing(&tx, item_id).await?;
    Statement::new(format!(
        "UPDATE {} SET is_official = $2 WHERE id = $1",
        kind.table()
    ))
    .bind(item_id)
    .bind(official)
    .execute(&tx)
    .await?;
    let action = if official {
        AdminAction::Official
    } else {
        AdminAction::Unofficial
    };
    Action::on(action, kind, item_id)
        .record(&tx, admin_id)
        .await?;
    tx.commit().await?;
    Ok(Official {
        item_id,
        is_official: official,
    })
}

/// Soft-deletes a listing: hidden everywhere; installs and installed copies stay.
pub async fn delist(client: &mut Client, admin_id: i64, item_id: i64) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    let (kind, _, _) = lock_listing(&tx, item_id).await?;
    Statement::new(format!(
        "UPDATE {} SET delisted_at = now() WHERE id = $1",
        kind.table()
    ))
    .bind(item_id)
    .execute(&tx)
    .await?;
    Action::on(AdminAction::Delist, kind, item_id)
        .record(&tx, admin_id)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One row of `admin_actions`; committing it puts it on the public moderation log (V19's trigger), with the
/// reason where the log shows one (a revocation's or a yank's, a rejection's marked public).
pub(crate) struct Action<'a> {
    action: AdminAction,
    kind: ItemKind,
    item_id: i64,
    version: Option<&'a Version>,
    reason: Option<&'a str>,
    pub(crate) reason_public: bool,
    pub(crate) severity: Option<Severity>,
}

impl<'a> Action<'a> {
    pub(crate) fn on(action: AdminAction, kind: ItemKind, item_id: i64) -> Self {
        Self {
            action,
            kind,
            item_id,
            version: None,
            reason: None,
            reason_public: false,
            severity: None,
        }
    }

    pub(crate) fn version(self, version: &'a Version) -> Self {
        Self {
            version: Some(version),
            ..self
        }
    }

    pub(crate) fn reason(self, reason: &'a str) -> Self {
        Self {
            reason: Some(reason),
            ..self
        }
    }

    /// Records the action of `actor_id` (the admin; for a yank, whoever yanked).
    pub(crate) async fn record(
        self,
        tx: &Transaction<'_>,
        actor_id: i64,
    ) -> Result<(), CatalogError> {
        Statement::new(
            "INSERT INTO admin_actions (admin_id, action, item_id, item_kind, version, reason, reason_public,
                                        severity)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(actor_id)
        .bind(self.action)
        .bind(self.item_id)
        .bind(self.kind)
        .bind(self.version)
        .bind(self.reason)
        .bind(self.reason_public)
        .bind(self.severity)
        .execute(tx)
        .await?;
        Ok(())
    }
}
