//! Pulling back what turned out bad: a publisher withdraws a version still waiting for review, yanks an
//! approved one (an admin may too) or takes the yank back; an admin revokes versions, or a whole listing,
//! with a severity that installed copies are told of. A yanked or revoked version is never installed or
//! offered as an update: the listing goes back to its highest approved version that is neither, in the same
//! transaction. Each transaction locks the listing first, as every moderation action does.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::{Client, Row, Transaction};

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::{CatalogError, ATTEMPTS};
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::pulled::{highest, read_revocation, read_yank, Revocation, Yank};
use crate::foundation::statement::Statement;
use crate::foundation::status::{AdminAction, Severity};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::publish::moderation::{make_live, Action};

/// Who pulls a version back: a marketplace admin, or a writer of a workspace (who must be its publisher).
#[derive(Debug, Clone, Copy)]
pub struct Puller {
    pub user_id: i64,
    pub is_admin: bool,
    /// The workspace of `X-Workspace-ID`, already checked for write access; `None` for an admin without one.
    pub workspace: Option<WorkspaceId>,
}

/// A version after a yank or an un-yank, and what the listing serves now.
#[derive(Debug, Clone, Serialize)]
pub struct VersionState {
    pub item_id: i64,
    pub version: Version,
    pub yanked: Option<Yank>,
    pub revoked: Option<Revocation>,
    /// The version installs take now; `null` when every approved version is yanked or revoked.
    pub live_version: Option<Version>,
}

/// What a revocation did.
#[derive(Debug, Clone, Serialize)]
pub struct Revoked {
    pub item_id: i64,
    /// The versions revoked, by this call or before it (a revocation is kept as first made).
    pub revoked: Vec<RevokedVersion>,
    pub live_version: Option<Version>,
    /// Live installs of the revoked versions: the installs that now carry an advisory.
    pub affected_installs: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevokedVersion {
    pub version: Version,
    #[serde(flatten)]
    pub revocation: Revocation,
}

/// An admin's revocation.
#[derive(Debug, Clone)]
pub struct RevokeRequest {
    pub reason: String,
    pub severity: Severity,
    /// `None`: every approved version.
    pub versions: Option<Vec<Version>>,
}

/// A listing locked for a pull-back, with the version it serves.
struct Locked {
    kind: ItemKind,
    live: Version,
}

/// Locks listing `item_id` for `puller`: an admin, or a writer of the workspace it was submitted from. To
/// anyone else an unapproved listing is not found and an approved one is forbidden (as for publishing).
async fn lock_for(
    tx: &Transaction<'_>,
    item_id: i64,
    puller: &Puller,
) -> Result<Locked, CatalogError> {
    let kind = visible_kind(tx, Audience::MarketplaceAdmin, item_id).await?;
    let row = Statement::new(format!(
        "SELECT l.is_approved, l.version::text AS version, coalesce(s.workspace_id = $2, false) AS publisher
         FROM {table} l LEFT JOIN {table} s ON s.id = l.cloned_from_id
         WHERE l.id = $1 AND {listed} FOR UPDATE OF l",
        table = kind.table(),
        listed = Audience::MarketplaceAdmin.listed("l"),
    ))
    .bind(item_id)
    .bind(puller.workspace)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    if !puller.is_admin && !row.read::<bool>("publisher")? {
        return Err(if row.read("is_approved")? {
            CatalogError::Forbidden(
                "Only writers of the workspace that published this item, or marketplace admins, may do this.",
            )
        } else {
            CatalogError::NotFound("item")
        });
    }
    Ok(Locked {
        kind,
        live: row.read("version")?,
    })
}

/// A version of the listing, locked: its status, yank and revocation.
async fn lock_version(
    tx: &Transaction<'_>,
    item_id: i64,
    version: &Version,
) -> Result<Row, CatalogError> {
    Statement::new(
        "SELECT status, yanked_at, yank_reason, revoked_at, revoke_reason, revoke_severity
         FROM item_versions WHERE item_id = $1 AND version = $2::text::semver FOR UPDATE",
    )
    .bind(item_id)
    .bind(version)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("version"))
}

/// Withdraws version `version` of listing `item_id` before review (idempotent). A reviewed version cannot
/// be withdrawn.
pub async fn withdraw(
    client: &mut Client,
    puller: &Puller,
    item_id: i64,
    version: &Version,
) -> Result<(), CatalogError> {
    let tx = client.transaction().await?;
    lock_for(
        &tx,
        item_id,
        &Puller {
            is_admin: false,
            ..*puller
        },
    )
    .await?;
    let status: String = lock_version(&tx, item_id, version).await?.read("status")?;
    match status.as_str() {
        "pending" => {
            Statement::new(
                "UPDATE item_versions SET status = 'withdrawn', withdrawn_at = now()
                 WHERE item_id = $1 AND version = $2::text::semver",
            )
            .bind(item_id)
            .bind(version)
            .execute(&tx)
            .await?;
        }
        "withdrawn" => {}
        reviewed => {
            return Err(CatalogError::Conflict(format!(
                "Version {version} was already {reviewed}; only a version waiting for review can be withdrawn."
            )))
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Yanks approved version `version` (`Some(reason)`), or takes a yank back (`None`); both idempotent. The
/// listing then serves its highest approved version that is neither yanked nor revoked.
pub async fn set_yank(
    client: &mut Client,
    puller: &Puller,
    item_id: i64,
    version: &Version,
    reason: Option<&str>,
) -> Result<VersionState, CatalogError> {
    let tx = client.transaction().await?;
    let locked = lock_for(&tx, item_id, puller).await?;
    let row = lock_version(&tx, item_id, version).await?;
    if row.read::<String>("status")? != "approved" {
        return Err(CatalogError::Conflict(format!(
            "Version {version} is not approved; only an approved version can be yanked."
        )));
    }
    let yanked = row.read::<Option<DateTime<Utc>>>("yanked_at")?.is_some();
    if yanked != reason.is_some() {
        Statement::new(
            "UPDATE item_versions SET yanked_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,
                                      yank_reason = $3
             WHERE item_id = $1 AND version = $2::text::semver",
        )
        .bind(item_id)
        .bind(version)
        .bind(reason)
        .execute(&tx)
        .await?;
        let action = if reason.is_some() {
            AdminAction::Yank
        } else {
            AdminAction::Unyank
        };
        let mut action = Action::on(action, locked.kind, item_id).version(version);
        if let Some(reason) = reason {
            action = action.reason(reason);
        }
        action.record(&tx, puller.user_id).await?;
    }
    let live_version = serve_installable(&tx, locked.kind, item_id, &locked.live).await?;
    let state = Statement::new(
        "SELECT yanked_at, yank_reason, revoked_at, revoke_reason, revoke_severity
         FROM item_versions WHERE item_id = $1 AND version = $2::text::semver",
    )
    .bind(item_id)
    .bind(version)
    .query_one(&tx)
    .await?;
    tx.commit().await?;
    Ok(VersionState {
        item_id,
        version: version.clone(),
        yanked: read_yank(&state)?,
        revoked: read_revocation(&state)?,
        live_version,
    })
}

/// Revokes the named approved versions of listing `item_id`, or all of them. Installed copies of a
/// `critical` revocation are marked (`marketplace_revoked_at`) for the platform that runs them.
pub async fn revoke(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    request: &RevokeRequest,
) -> Result<Revoked, CatalogError> {
    let mut attempt = 1;
    loop {
        match revoke_once(client, admin_id, item_id, request).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

/// [`revoke`] in one transaction, its locks in the lock order (docs/architecture.md): the copies it marks,
/// then the listing, then its versions, which must still be what was read before the copies were locked.
async fn revoke_once(
    client: &mut Client,
    admin_id: i64,
    item_id: i64,
    request: &RevokeRequest,
) -> Result<Revoked, CatalogError> {
    let tx = client.transaction().await?;
    let kind = visible_kind(&tx, Audience::MarketplaceAdmin, item_id).await?;
    let seen = approved_versions(&tx, item_id, "").await?;
    let named = named_versions(&seen, request.versions.as_deref())?;
    let newly: Vec<String> = named
        .iter()
        .filter(|version| seen.iter().any(|(v, revoked)| v == *version && !revoked))
        .map(ToString::to_string)
        .collect();
    if request.severity == Severity::Critical && !newly.is_empty() {
        mark_copies(&tx, kind, item_id, &newly).await?;
    }
    let puller = Puller {
        user_id: admin_id,
        is_admin: true,
        workspace: None,
    };
    let locked = lock_for(&tx, item_id, &puller).await?;
    if approved_versions(&tx, item_id, "FOR UPDATE").await? != seen {
        return Err(CatalogError::Retry);
    }
    // Revokes, and counts the live installs of every named version (the statement sees the rows as they were
    // before its own update; what they are after is read back below).
    let rows = Statement::new(
        "WITH newly AS (
             UPDATE item_versions SET revoked_at = now(), revoke_reason = $3, revoke_severity = $4
             WHERE item_id = $1 AND version::text = ANY($2) AND revoked_at IS NULL)
         SELECT v.version::text AS version, v.revoked_at, v.revoke_reason, v.revoke_severity,
                (SELECT count(*) FROM marketplace_installs i
                 WHERE i.item_id = $1 AND i.installed_version = v.version AND i.uninstalled_at IS NULL) AS installs
         FROM item_versions v WHERE v.item_id = $1 AND v.version::text = ANY($5)",
    )
    .bind(item_id)
    .bind(newly.clone())
    .bind(&request.reason)
    .bind(request.severity)
    .bind(named.iter().map(ToString::to_string).collect::<Vec<_>>())
    .query(&tx)
    .await?;
    for version in named
        .iter()
        .filter(|version| newly.contains(&version.to_string()))
    {
        let mut action = Action::on(AdminAction::Revoke, kind, item_id)
            .version(version)
            .reason(&request.reason);
        action.severity = Some(request.severity);
        action.record(&tx, admin_id).await?;
    }
    let live_version = serve_installable(&tx, kind, item_id, &locked.live).await?;
    let revoked_now = Statement::new(
        "SELECT version::text AS version, revoked_at, revoke_reason, revoke_severity FROM item_versions
         WHERE item_id = $1 AND version::text = ANY($2)",
    )
    .bind(item_id)
    .bind(named.iter().map(ToString::to_string).collect::<Vec<_>>())
    .query(&tx)
    .await?;
    tx.commit().await?;
    let affected_installs = rows
        .iter()
        .map(|row| row.read::<i64>("installs"))
        .sum::<Result<i64, _>>()?;
    let mut revoked = Vec::with_capacity(revoked_now.len());
    for row in &revoked_now {
        if let Some(revocation) = read_revocation(row)? {
            revoked.push(RevokedVersion {
                version: row.read("version")?,
                revocation,
            });
        }
    }
    revoked.sort_by(|a, b| b.version.cmp(&a.version));
    Ok(Revoked {
        item_id,
        revoked,
        live_version,
        affected_installs,
    })
}

/// The approved versions of the listing and whether each is revoked, in id order; `lock` is appended.
async fn approved_versions(
    tx: &Transaction<'_>,
    item_id: i64,
    lock: &str,
) -> Result<Vec<(Version, bool)>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT version::text AS version, revoked_at IS NOT NULL AS revoked FROM item_versions
         WHERE item_id = $1 AND status = 'approved' ORDER BY id {lock}"
    ))
    .bind(item_id)
    .query(tx)
    .await?;
    rows.iter()
        .map(|row| Ok((row.read("version")?, row.read("revoked")?)))
        .collect()
}

/// The versions a revocation names, each once: each must be approved; none named means every approved
/// version.
fn named_versions(
    approved: &[(Version, bool)],
    named: Option<&[Version]>,
) -> Result<Vec<Version>, CatalogError> {
    let versions: Vec<Version> = match named {
        Some(named) => {
            if let Some(missing) = named
                .iter()
                .find(|version| !approved.iter().any(|(approved, _)| approved == *version))
            {
                return Err(CatalogError::Conflict(format!(
                    "Version {missing} is not an approved version of this listing."
                )));
            }
            let mut unique: Vec<Version> = Vec::with_capacity(named.len());
            for version in named {
                if !unique.contains(version) {
                    unique.push(version.clone());
                }
            }
            unique
        }
        None => approved
            .iter()
            .map(|(version, _)| version.clone())
            .collect(),
    };
    if versions.is_empty() {
        return Err(CatalogError::Conflict(
            "This listing has no approved version to revoke.".into(),
        ));
    }
    Ok(versions)
}

/// Marks the live installed copies of `versions` of listing `item_id` as revoked, locking them in id order
/// (the lock order's first step, as an uninstall locks them).
async fn mark_copies(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    versions: &[String],
) -> Result<(), CatalogError> {
    Statement::new(format!(
        "WITH copies AS (
             SELECT c.id FROM marketplace_installs i
             JOIN {table} c ON c.id = i.installed_item_id AND c.owner_id = i.workspace_id::text
             WHERE i.item_id = $1 AND i.installed_version::text = ANY($2) AND i.uninstalled_at IS NULL
             ORDER BY c.id FOR UPDATE OF c)
         UPDATE {table} c SET marketplace_revoked_at = coalesce(c.marketplace_revoked_at, now())
         FROM copies WHERE c.id = copies.id",
        table = kind.table(),
    ))
    .bind(item_id)
    .bind(versions.to_vec())
    .execute(tx)
    .await?;
    Ok(())
}

/// Makes the listing serve its highest approved version that is neither yanked nor revoked (and kept its
/// content), if that is not the one it serves; returns it (`None`: nothing is installable, and the listing
/// keeps its pulled live version, which installs and updates refuse).
async fn serve_installable(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    live: &Version,
) -> Result<Option<Version>, CatalogError> {
    let rows = Statement::new(
        "SELECT version::text AS version FROM item_versions
         WHERE item_id = $1 AND status = 'approved' AND yanked_at IS NULL AND revoked_at IS NULL
           AND content <> '{}'::jsonb",
    )
    .bind(item_id)
    .query(tx)
    .await?;
    let installable = rows
        .iter()
        .map(|row| row.read("version"))
        .collect::<Result<Vec<Version>, _>>()?;
    let Some(target) = highest(&installable).cloned() else {
        return Ok(None);
    };
    if target != *live {
        let row = Statement::new(
            "SELECT content, dependencies FROM item_versions WHERE item_id = $1 AND version = $2::text::semver",
        )
        .bind(item_id)
        .bind(&target)
        .query_one(tx)
        .await?;
        let (content, dependencies): (Value, Option<Value>) =
            (row.read("content")?, row.read("dependencies")?);
        make_live(tx, kind, item_id, &target, content, dependencies).await?;
    }
    Ok(Some(target))
}
