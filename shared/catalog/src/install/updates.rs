//! Update detection and apply-update for installed copies.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_postgres::{Client, Row, Transaction};

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::{Capabilities, CapabilityChanges, Manifest};
use crate::foundation::column::{read_manifest, ReadColumn};
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::pulled::{
    advisories_sql, live_version_pulled_sql, read_advisories, Advisory,
};
use crate::foundation::redact::strip_credentials;
use crate::foundation::statement::{Params, Sql, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::admission::consented;
use crate::install::copies::link_listed_skills;
use crate::install::installs::{InstallCursor, InstallList};
use crate::install::plan::repoint_steps;

/// A page of available updates: `next_cursor` continues after the last install this page looked at.
#[derive(Debug, Clone, Serialize)]
pub struct UpdatesPage {
    pub updates: Vec<AvailableUpdate>,
    pub next_cursor: Option<String>,
}

/// An installed copy whose listing has a higher approved version.
#[derive(Debug, Clone, Serialize)]
pub struct AvailableUpdate {
    pub install_id: i64,
    pub item_id: i64,
    pub item_type: ItemKind,
    pub item_name: String,
    pub installed_item_id: i64,
    pub installed_version: Version,
    pub latest_version: Version,
    /// Every installable version above the installed one, highest first.
    pub changelog: Vec<ChangelogEntry>,
    /// One per revocation of the installed version.
    pub advisories: Vec<Advisory>,
    /// What the copy reaches after the update (its own content; dependencies are not updated), and the digest
    /// to accept when the update adds anything.
    #[serde(flatten)]
    pub manifest: Manifest,
    /// Against what the copy reaches now.
    pub capability_changes: CapabilityChanges,
    /// Whether applying it needs `accept_capabilities`: it adds a tool, host, credential slot or model.
    pub consent_required: bool,
    #[serde(skip)]
    installed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangelogEntry {
    pub version: Version,
    pub changelog: String,
}

/// Installs in this workspace whose copy still exists and whose listed, approved item is at a higher SemVer,
/// newest install first, at most `limit` after `cursor`.
pub async fn available_updates(
    db: &impl Sql,
    workspace: WorkspaceId,
    cursor: Option<InstallCursor>,
    limit: i64,
) -> Result<UpdatesPage, CatalogError> {
    let rows = installs_statement(workspace, cursor, limit + 1)
        .query(db)
        .await?;
    let mut candidates = rows
        .iter()
        .map(AvailableUpdate::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = if candidates.len() as i64 > limit {
        candidates.truncate(limit as usize);
        candidates.last().map(|last| {
            InstallCursor::after(last.installed_at, last.install_id)
                .encode(InstallList::Updates, workspace)
        })
    } else {
        None
    };
    let updates: Vec<AvailableUpdate> = candidates
        .into_iter()
        .filter(|update| update.latest_version > update.installed_version)
        .map(AvailableUpdate::between_versions)
        .collect();
    Ok(UpdatesPage {
        updates,
        next_cursor,
    })
}

impl AvailableUpdate {
    /// An install as [`installs_statement`] reads it, before its changelog is added.
    fn from_row(row: &Row) -> Result<Self, CatalogError> {
        let kind: ItemKind = row.read("item_kind")?;
        let installed_version: Version = row.read("installed_version")?;
        let reach = UpdateReach::new(
            kind,
            &row.read("listing_content")?,
            &row.read("copy_content")?,
            &row.read::<Vec<String>>("tool_slugs")?,
        );
        Ok(Self {
            consent_required: reach.changes.added.needs_consent(),
            capability_changes: reach.changes,
            manifest: reach.latest,
            install_id: row.read("id")?,
            item_id: row.read("item_id")?,
            item_type: row.read("item_kind")?,
            item_name: row.read("item_name")?,
            installed_item_id: row.read("installed_item_id")?,
            advisories: read_advisories(row.read("advisories")?, &installed_version)?,
            installed_version,
            latest_version: row.read("latest_version")?,
            changelog: serde_json::from_value(row.read("changelogs")?)
                .map_err(|e| CatalogError::Unreadable(format!("changelogs: {e}")))?,
            installed_at: row.read("installed_at")?,
        })
    }

    /// The update with the changelogs of the versions it brings alone (above the installed one, up to the
    /// latest), highest first.
    fn between_versions(mut self) -> Self {
        let (installed, latest) = (&self.installed_version, &self.latest_version);
        self.changelog
            .retain(|entry| entry.version > *installed && entry.version <= *latest);
        self.changelog.sort_by(|a, b| b.version.cmp(&a.version));
        self
    }
}

/// The workspace's installs whose copy still exists and whose listing's current version differs from the
/// installed one, newest first, at most `limit` after `cursor`. The copy is found by its primary key and
/// checked by `owner_id` (which a CHECK keeps equal to `workspace_id`), so the planner never walks the
/// workspace's (workspace_id, name) index instead.
pub fn installs_statement(
    workspace: WorkspaceId,
    cursor: Option<InstallCursor>,
    limit: i64,
) -> Statement<'static> {
    let after = if cursor.is_some() {
        InstallCursor::predicate(3)
    } else {
        String::new()
    };
    let per_kind = union_all(&ItemKind::ALL, |kind| {
        format!(
            "(SELECT i.id, i.item_id, i.item_kind::text AS item_kind, i.installed_item_id,
                        i.installed_version::text AS installed_version, m.name AS item_name,
                        m.version::text AS latest_version, i.installed_at,
                        {listing_content} AS listing_content, {copy_content} AS copy_content,
                        {tools} AS tool_slugs, {advisories} AS advisories
                 FROM marketplace_installs i
                 JOIN {table} m ON m.id = i.item_id
                 JOIN {table} c ON c.id = i.installed_item_id AND c.owner_id = i.workspace_id::text
                 WHERE i.workspace_id = $1 AND i.item_kind = '{kind}' {after}
                   AND m.version::text <> i.installed_version::text
                   AND {listed} AND NOT {pulled}
                 ORDER BY i.installed_at DESC, i.id DESC LIMIT $2)",
            table = kind.table(),
            listed = Audience::Workspace(workspace).listed("m"),
            pulled = live_version_pulled_sql("m"),
            listing_content = kind.content_sql("m"),
            copy_content = kind.content_sql("c"),
            tools = kind.tool_slugs_sql("m"),
            advisories = advisories_sql("i.item_id", "i.installed_version"),
        )
    });
    // The changelogs of the page's rows only, not of every kind's candidates.
    let statement = Statement::new(format!(
        "SELECT u.*, {CHANGELOGS} AS changelogs
         FROM ({per_kind} ORDER BY installed_at DESC, id DESC LIMIT $2) u
         ORDER BY u.installed_at DESC, u.id DESC"
    ))
    .bind(workspace)
    .bind(limit);
    match cursor {
        Some(cursor) => statement.bind(cursor.installed_at()).bind(cursor.id()),
        None => statement,
    }
}

/// What an update changes in what a copy reaches: the listing's content against the copy's.
struct UpdateReach {
    latest: Manifest,
    changes: CapabilityChanges,
}

impl UpdateReach {
    fn new(kind: ItemKind, listing: &Value, copy: &Value, tool_slugs: &[String]) -> Self {
        let latest = Capabilities::derive(kind, listing, tool_slugs);
        let changes = latest.changes_from(&Capabilities::derive(kind, copy, tool_slugs));
        Self {
            latest: Manifest::from(latest),
            changes,
        }
    }
}

/// The installable versions (approved, neither yanked nor revoked) of update `u`'s listing with their
/// changelogs, as a JSON array of `{"version", "changelog"}`.
const CHANGELOGS: &str = "(SELECT coalesce(jsonb_agg(jsonb_build_object('version', v.version::text, \
     'changelog', v.changelog)), '[]') FROM item_versions v \
     WHERE v.item_id = u.item_id AND v.status = 'approved' AND v.yanked_at IS NULL AND v.revoked_at IS NULL)";

/// Points a recipe's new steps at the agent copies its install brought or reused, as the install did.
async fn point_steps_at_dependencies(
    tx: &Transaction<'_>,
    install_id: i64,
    content: &mut Value,
) -> Result<(), CatalogError> {
    let rows = Statement::new(
        "SELECT d.item_id, lower(a.name) AS name, c.id AS copy_id
         FROM marketplace_install_dependencies e
         JOIN marketplace_installs d ON d.id = e.dependency_id AND d.item_kind = 'agent'
         JOIN agents a ON a.id = d.item_id
         JOIN agents c ON c.id = d.installed_item_id AND c.owner_id = d.workspace_id::text
         WHERE e.install_id = $1",
    )
    .bind(install_id)
    .query(tx)
    .await?;
    let mut by_name = HashMap::new();
    let mut by_listing = HashMap::new();
    for row in &rows {
        let copy_id: i64 = row.read("copy_id")?;
        by_name.insert(row.read("name")?, copy_id);
        by_listing.insert(row.read("item_id")?, copy_id);
    }
    if let Some(steps) = content.get_mut("steps") {
        repoint_steps(steps, &by_name, &by_listing);
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppliedUpdate {
    pub install_id: i64,
    pub installed_item_id: i64,
    pub from_version: Version,
    pub to_version: Version,
}

/// An install as apply-update finds it.
struct Install {
    id: i64,
    item_id: i64,
    kind: ItemKind,
    copy_id: i64,
    version: Version,
    content_hash: String,
    /// The skills linked when it was installed or last updated (`None` for installs older than that record).
    linked_skill_ids: Option<Vec<i64>>,
    /// The skills its copy links now.
    current_skill_ids: Vec<i64>,
    /// The manifest the workspace granted it (`None` for installs older than that record).
    granted: Option<Manifest>,
}

/// Brings an installed copy to its listing's latest approved content and version. A copy edited since it was
/// installed or last updated is a conflict unless `force`.
///
/// An update that adds to what the copy reaches (a tool, host, credential slot or model) needs the digest of
/// the copy's manifest after it (`accepted`, as `GET /updates` shows it); the install record's granted
/// manifest then grows by what was added.
pub async fn apply_update(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    force: bool,
    accepted: Option<&str>,
) -> Result<AppliedUpdate, CatalogError> {
    let mut attempt = 1;
    loop {
        match apply_update_once(client, workspace, install_id, force, accepted).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

/// [`apply_update`] in one transaction, its locks in the lock order (docs/architecture.md): the copy, then
/// the listing, then the install record, which must still be what was read before the copy was locked.
async fn apply_update_once(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    force: bool,
    accepted: Option<&str>,
) -> Result<AppliedUpdate, CatalogError> {
    let tx = client.transaction().await?;
    let seen = read_install(&tx, workspace, install_id).await?;
    let sides = listing_and_copy(&tx, workspace, &seen).await?;
    let (install, copy_hash) =
        lock_install(&tx, workspace, install_id, &sides.copy_content).await?;
    if (install.copy_id, &install.version, &install.content_hash)
        != (seen.copy_id, &seen.version, &seen.content_hash)
    {
        return Err(CatalogError::Retry);
    }
    let latest_version = sides.latest_version.clone();
    let applied = |to_version| AppliedUpdate {
        install_id,
        installed_item_id: install.copy_id,
        from_version: install.version.clone(),
        to_version,
    };
    if latest_version <= install.version {
        return Ok(applied(install.version.clone()));
    }
    if sides.pulled {
        return Err(CatalogError::NoInstallableVersion);
    }
    let links_changed = install
        .linked_skill_ids
        .as_ref()
        .is_some_and(|links| *links != install.current_skill_ids);
    if (copy_hash != install.content_hash || links_changed) && !force {
        return Err(CatalogError::Conflict(
            "The installed copy was changed in the workspace (its configuration or its skill links) since \
             it was installed or last updated; send {\"force\": true} to overwrite those changes."
                .into(),
        ));
    }
    content::check_approved(
        install.kind,
        install.item_id,
        &sides.listing_name,
        sides.approved_digest.as_deref(),
        &sides.listing_fingerprint,
    )?;
    let reach = UpdateReach::new(
        install.kind,
        &sides.listing_content,
        &sides.copy_content,
        &sides.tool_slugs,
    );
    consented(reach.latest, reach.changes.added.needs_consent(), accepted)?;
    bring_copy_to_listing(&tx, workspace, &install, sides, &reach.changes.added).await?;
    tx.commit().await?;
    Ok(applied(latest_version))
}

/// The install `install_id` of `workspace`, read without locks: what the update then locks.
async fn read_install(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install_id: i64,
) -> Result<Install, CatalogError> {
    let row = install_row(tx, workspace, install_id, None).await?;
    Install::from_row(install_id, &row)
}

/// The install `install_id` of `workspace`, locked (`FOR UPDATE`), with the [`content::fingerprint`] of
/// `copy`, the copy's content as read under its lock, from the same round trip.
async fn lock_install(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install_id: i64,
    copy: &Value,
) -> Result<(Install, String), CatalogError> {
    let row = install_row(tx, workspace, install_id, Some(copy)).await?;
    Ok((
        Install::from_row(install_id, &row)?,
        row.read("fingerprint")?,
    ))
}

/// The install's row; with `locked_copy`, locked and carrying that content's fingerprint (`fingerprint`).
async fn install_row(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install_id: i64,
    locked_copy: Option<&Value>,
) -> Result<Row, CatalogError> {
    let mut params = Params::default();
    let id = params.bind(install_id);
    let workspace = params.bind(workspace);
    let (fingerprint, lock) = match locked_copy {
        Some(copy) => (
            format!(", {}", content::fingerprint_column(&mut params, copy)),
            "FOR UPDATE",
        ),
        None => (String::new(), ""),
    };
    Statement::with_params(
        format!(
            "SELECT item_id, item_kind::text AS item_kind, installed_item_id,
                    installed_version::text AS installed_version, content_hash, linked_skill_ids,
                    capabilities, capabilities_digest{fingerprint},
                    (SELECT coalesce(array_agg(l.skill_id ORDER BY l.skill_id), '{{}}') FROM agent_skills l
                     WHERE l.agent_id = installed_item_id) AS current_skill_ids
             FROM marketplace_installs WHERE id = {id} AND workspace_id = {workspace} {lock}"
        ),
        params,
    )
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("install"))
}

impl Install {
    fn from_row(id: i64, row: &Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id,
            item_id: row.read("item_id")?,
            kind: row.read("item_kind")?,
            copy_id: row.read("installed_item_id")?,
            version: row.read("installed_version")?,
            content_hash: row.read("content_hash")?,
            linked_skill_ids: row.read("linked_skill_ids")?,
            current_skill_ids: row.read("current_skill_ids")?,
            granted: read_manifest(row)?,
        })
    }
}

/// The listing and the copy as an update sees them, both locked for the rest of the transaction: an edit of
/// the copy or an approval or delisting of the listing waits instead of slipping in between.
struct UpdateSides {
    latest_version: Version,
    listing_content: Value,
    copy_content: Value,
    tool_slugs: Vec<String>,
    /// The listing content's fingerprint, and its live version's content digest (when approval recorded
    /// one): they differ when the listing was edited behind review's back.
    listing_fingerprint: String,
    approved_digest: Option<String>,
    listing_name: String,
    /// The listing's live version is yanked or revoked: it has nothing to update to.
    pulled: bool,
}

async fn listing_and_copy(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install: &Install,
) -> Result<UpdateSides, CatalogError> {
    // The copy is named first: its row is locked before the listing's (the lock order).
    let row = Statement::new(format!(
        "SELECT m.version::text AS latest_version, {listing} AS listing_content, {copy} AS copy_content,
                {tools} AS tool_slugs, {fingerprint} AS listing_fingerprint, m.name AS listing_name,
                {approved} AS approved_digest, {pulled} AS pulled
         FROM {table} t, {table} m
         WHERE m.id = $1 AND {listed}
           AND t.id = $2 AND t.workspace_id = $3
         FOR UPDATE OF t FOR SHARE OF m",
        table = install.kind.table(),
        listing = install.kind.content_sql("m"),
        copy = install.kind.content_sql("t"),
        tools = install.kind.tool_slugs_sql("m"),
        fingerprint = content::fingerprint_sql(install.kind, "m"),
        approved = content::approved_digest_sql("m"),
        listed = Audience::Workspace(workspace).listed("m"),
        pulled = live_version_pulled_sql("m"),
    ))
    .bind(install.item_id)
    .bind(install.copy_id)
    .bind(workspace)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("installed item or its listing"))?;
    Ok(UpdateSides {
        latest_version: row.read("latest_version")?,
        listing_content: row.read("listing_content")?,
        copy_content: row.read("copy_content")?,
        tool_slugs: row.read("tool_slugs")?,
        listing_fingerprint: row.read("listing_fingerprint")?,
        approved_digest: row.read("approved_digest")?,
        listing_name: row.read("listing_name")?,
        pulled: row.read("pulled")?,
    })
}

/// Copies the listing's content and version onto the installed copy (keeping the secrets the workspace
/// filled in), relinks an agent's skills, and records what the install now holds.
async fn bring_copy_to_listing(
    tx: &Transaction<'_>,
    workspace: WorkspaceId,
    install: &Install,
    sides: UpdateSides,
    added: &Capabilities,
) -> Result<(), CatalogError> {
    let kind = install.kind;
    let mut content = sides.listing_content;
    strip_credentials(&mut content);
    content::keep_own_secrets(&mut content, &sides.copy_content);
    if kind == ItemKind::Recipe {
        point_steps_at_dependencies(tx, install.id, &mut content).await?;
    }
    // The content, the version and (an agent's) the old skill links, written in one round trip.
    let mut params = Params::default();
    let copy = params.bind(install.copy_id);
    let set = content::set_content(kind, params.bind(content.clone()));
    let version = params.bind(sides.latest_version.clone());
    let unlinked = match kind {
        ItemKind::Agent => {
            format!("unlinked AS (DELETE FROM agent_skills WHERE agent_id = {copy}), ")
        }
        _ => String::new(),
    };
    let fingerprint = content::fingerprint_column(&mut params, &content);
    let new_hash: String = Statement::with_params(
        format!(
            "WITH {unlinked}written AS (
                 UPDATE {table} SET {set}, version = {version}, updated_at = now(), marketplace_revoked_at = NULL
                 WHERE id = {copy})
             SELECT {fingerprint}",
            table = kind.table(),
        ),
        params,
    )
    .query_one(tx)
    .await?
    .read("fingerprint")?;
    let linked_skill_ids = if kind == ItemKind::Agent {
        Some(
            link_listed_skills(
                tx,
                workspace,
                install.item_id,
                install.copy_id,
                &mut Vec::new(),
            )
            .await?,
        )
    } else {
        None
    };
    let granted = install
        .granted
        .clone()
        .map(|granted| Manifest::from(granted.capabilities.union(added)));
    Statement::new(
        "UPDATE marketplace_installs
         SET installed_version = $2, content_hash = $3, linked_skill_ids = $4, updated_at = now(),
             capabilities = coalesce($5, capabilities), capabilities_digest = coalesce($6, capabilities_digest)
         WHERE id = $1",
    )
    .bind(install.id)
    .bind(&sides.latest_version)
    .bind(new_hash)
    .bind(linked_skill_ids)
    .bind(granted.as_ref().map(Manifest::capabilities_json))
    .bind(granted.map(|granted| granted.capabilities_digest))
    .execute(tx)
    .await?;
    Ok(())
}
