//! Submissions: submitting a workspace item as a new listing, and new versions of a listing. Both wait for
//! review; both count against the submitter's rate limit.

use serde::Serialize;
use serde_json::Value;
use tokio_postgres::{Client, Transaction};

use crate::foundation::audience::{sees_catalog, Audience};
use crate::foundation::capabilities::{Capabilities, Manifest};
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::findings::Finding;
use crate::foundation::kind::ItemKind;
use crate::foundation::locate::visible_kind;
use crate::foundation::redact::strip_credentials;
use crate::foundation::statement::Statement;
use crate::foundation::status::ReviewStatus;
use crate::foundation::version::Version;
use crate::foundation::window::RateLimit;
use crate::foundation::workspace::WorkspaceId;
use crate::publish::checks::check_texts;
use crate::publish::lookalike::lookalike_findings;
use crate::publish::pending_version::{record_pending_version, PendingVersion};
use crate::publish::refusals::{
    credentials_in, refuse_blocking, refuse_credentials, refuse_foreign_steps,
};

/// A workspace item to list in the marketplace, with optional overrides of its public fields.
#[derive(Debug, Clone)]
pub struct Submission {
    pub workspace: WorkspaceId,
    pub user_id: i64,
    pub kind: ItemKind,
    pub source_id: i64,
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub icon: Option<String>,
    pub tags: Option<Vec<String>>,
    pub version: Version,
    pub changelog: String,
    /// What the publisher declares the version can reach; it must cover the derived manifest.
    pub capabilities: Option<Capabilities>,
    /// The private catalog the listing is for (its workspace must be in it); `None`: public.
    pub catalog: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub item_id: i64,
    pub status: ReviewStatus,
    pub version: Version,
    /// The manifest derived from the version's content and its pinned dependencies.
    #[serde(flatten)]
    pub manifest: Manifest,
    /// What the checks at submit found: warnings (a blocking finding refuses the submission).
    pub findings: Vec<Finding>,
}

impl Pending {
    fn new(item_id: i64, version: Version, manifest: Manifest, findings: Vec<Finding>) -> Self {
        Self {
            item_id,
            status: ReviewStatus::Pending,
            version,
            manifest,
            findings,
        }
    }
}

/// Creates the (unapproved) marketplace copy of a workspace item and its first pending version. An agent's
/// tool assignments are carried onto the listing; its workspace skills are submitted with it.
pub async fn submit_item(
    client: &mut Client,
    submission: &Submission,
    limit: RateLimit,
) -> Result<Pending, CatalogError> {
    let tx = client.transaction().await?;
    count_submission(&tx, submission.user_id, limit).await?;
    if let Some(catalog) = submission.catalog {
        if !sees_catalog(&tx, Audience::Workspace(submission.workspace), catalog).await? {
            return Err(CatalogError::NotFound("catalog"));
        }
    }
    let kind = submission.kind;
    refuse_unmodified_copy(&tx, kind, submission).await?;
    let tags = submission.tags.as_ref().map(|tags| serde_json::json!(tags));
    let version = &submission.version;
    let (item_id, content, findings) = insert_listing(
        &tx,
        kind,
        submission.source_id,
        (submission.workspace, submission.user_id, submission.catalog),
        &Overrides {
            name: submission.name.as_deref(),
            description: submission.description.as_deref(),
            category: submission.category.as_deref(),
            icon: submission.icon.as_deref(),
            tags: tags.as_ref(),
            version,
            changelog: &submission.changelog,
        },
    )
    .await?
    .ok_or_else(|| {
        CatalogError::Conflict(
            "This workspace item already has a live listing; publish a new version of it instead."
                .into(),
        )
    })?;
    let manifest = record_pending_version(
        &tx,
        &PendingVersion {
            kind,
            item_id,
            version,
            changelog: &submission.changelog,
            content: &content,
            user_id: submission.user_id,
            tools_of: submission.source_id,
            declared: submission.capabilities.as_ref(),
            workspace: submission.workspace,
            findings: &findings,
        },
    )
    .await?;
    if kind == ItemKind::Agent {
        carry_agent_links(
            &tx,
            submission.source_id,
            item_id,
            (submission.workspace, submission.user_id, submission.catalog),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Pending::new(item_id, version.clone(), manifest, findings))
}

/// The workspace item must exist in the workspace, and must not be an unmodified install of another listing.
/// The refusal names the original only while the caller could open it.
async fn refuse_unmodified_copy(
    tx: &Transaction<'_>,
    kind: ItemKind,
    submission: &Submission,
) -> Result<(), CatalogError> {
    let Some(original) =
        unmodified_original(tx, kind, submission.source_id, submission.workspace).await?
    else {
        return Ok(());
    };
    let original = match original.visible_name {
        Some(name) => format!("the marketplace listing \"{name}\" (id {})", original.id),
        None => "a marketplace listing".to_owned(),
    };
    Err(CatalogError::Conflict(format!(
        "This workspace item is an unmodified install of {original}; change it before submitting it as a \
         listing of your own."
    )))
}

/// The listing a workspace item was installed from, when the item is still what was installed (its content,
/// credentials aside, equal to what was installed or last updated, or to the listing's content now).
struct Original {
    id: i64,
    /// Its name, while members could open it.
    visible_name: Option<String>,
}

async fn unmodified_original(
    tx: &Transaction<'_>,
    kind: ItemKind,
    source_id: i64,
    workspace: WorkspaceId,
) -> Result<Option<Original>, CatalogError> {
    let table = kind.table();
    let source = Statement::new(format!(
        "SELECT o.id AS original_id, CASE WHEN {original_visible} THEN o.name END AS original_name,
                {source_content} AS source_content, {original_content} AS original_content,
                (SELECT coalesce(array_agg(i.content_hash), '{{}}') FROM marketplace_installs i
                 WHERE i.installed_item_id = t.id AND i.workspace_id = t.workspace_id) AS install_hashes
         FROM {table} t
         LEFT JOIN {table} o ON o.id = t.cloned_from_id AND o.owner_type = 'marketplace'
         WHERE t.id = $1 AND t.workspace_id = $2
         FOR SHARE OF t",
        original_visible = Audience::Public.listed("o"),
        source_content = kind.content_sql("t"),
        original_content = kind.content_sql("o"),
    ))
    .bind(source_id)
    .bind(workspace)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("workspace item"))?;
    let Some(id) = source.read::<Option<i64>>("original_id")? else {
        return Ok(None);
    };
    let mut own: Value = source.read("source_content")?;
    let mut original: Value = source.read("original_content")?;
    strip_credentials(&mut own);
    strip_credentials(&mut original);
    let install_hashes: Vec<String> = source.read("install_hashes")?;
    let unmodified =
        own == original || install_hashes.contains(&content::fingerprint(tx, &own).await?);
    Ok(unmodified.then(|| Original {
        id,
        visible_name: source.read("original_name").ok().flatten(),
    }))
}

struct Overrides<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
    category: Option<&'a str>,
    icon: Option<&'a str>,
    tags: Option<&'a Value>,
    version: &'a Version,
    /// The pending version's changelog, scanned with the listing's fields.
    changelog: &'a str,
}

/// Who submits: the workspace it is submitted from, the user, and the private catalog it is for.
type Publisher = (WorkspaceId, i64, Option<i64>);

/// Inserts the marketplace copy of workspace item `source_id`, with its content's secrets redacted (they stay
/// in the publisher's workspace), and checks it: credentials refuse it, and so does a blocking finding;
/// returns it with the findings that do not block. `None` when the item already has a live listing.
async fn insert_listing(
    tx: &Transaction<'_>,
    kind: ItemKind,
    source_id: i64,
    (workspace, user_id, catalog): Publisher,
    overrides: &Overrides<'_>,
) -> Result<Option<(i64, Value, Vec<Finding>)>, CatalogError> {
    let table = kind.table();
    let own = kind.content_columns().join(", ");
    let source_own = kind
        .content_columns()
        .iter()
        .map(|column| format!("s.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = Statement::new(format!(
                "INSERT INTO {table} AS t (name, description, marketplace_category, marketplace_icon, tags, version,
                                           owner_type, is_approved, original_creator_id, cloned_from_id,
                                           forked_from_id, catalog_id, {own})
                 SELECT coalesce($2, s.name), coalesce($3, s.description), coalesce($4, s.marketplace_category),
                        coalesce($5, s.marketplace_icon), coalesce($6, s.tags), $7,
                        'marketplace', false, $8, s.id, o.id, $9, {source_own}
                 FROM {table} s
                 LEFT JOIN {table} o ON o.id = s.cloned_from_id AND o.owner_type = 'marketplace'
                 WHERE s.id = $1
                 ON CONFLICT (cloned_from_id)
                     WHERE owner_type = 'marketplace' AND delisted_at IS NULL AND cloned_from_id IS NOT NULL
                     DO NOTHING
                 RETURNING t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags,
                           {content} AS content",
                content = kind.content_sql("t"),
            ))
    .bind(source_id)
    .bind(overrides.name)
    .bind(overrides.description)
    .bind(overrides.category)
    .bind(overrides.icon)
    .bind(overrides.tags)
    .bind(overrides.version)
    .bind(user_id)
    .bind(catalog)
    .query_opt(tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id = row.read("id")?;
    let name: String = row.read("name")?;
    let description: String = row.read("description")?;
    let category: Option<String> = row.read("marketplace_category")?;
    let icon: Option<String> = row.read("marketplace_icon")?;
    let tags: Option<Value> = row.read("tags")?;
    let mut fields = vec![
        ("name", name.as_str()),
        ("description", description.as_str()),
        ("changelog", overrides.changelog),
    ];
    fields.extend(category.as_deref().map(|category| ("category", category)));
    fields.extend(icon.as_deref().map(|icon| ("icon", icon)));
    let content: Value = row.read("content")?;
    let mut findings = credentials_in(&content, &fields);
    findings.extend(marketplace_credentials::find_credentials(
        tags.as_ref().unwrap_or(&Value::Null),
        "tags",
    ));
    refuse_credentials(findings)?;
    if kind == ItemKind::Recipe {
        refuse_foreign_steps(tx, &content).await?;
    }
    let mut findings = check_texts(
        &[
            ("name", name.as_str()),
            ("description", description.as_str()),
            ("changelog", overrides.changelog),
        ],
        &content,
    );
    findings.extend(lookalike_findings(tx, kind, id, &name, workspace, user_id).await?);
    refuse_blocking(&findings)?;
    Ok(Some((
        id,
        content::scrub(tx, kind, id).await?.content,
        findings,
    )))
}

/// The listing gets the agent's tool assignments, and links to marketplace skills only: workspace skills are
/// submitted (or their live listing reused) first.
async fn carry_agent_links(
    tx: &Transaction<'_>,
    source_id: i64,
    listing_id: i64,
    publisher: Publisher,
) -> Result<(), CatalogError> {
    Statement::new(
        "INSERT INTO agent_tools (agent_id, app_slug) SELECT $2, app_slug FROM agent_tools WHERE agent_id = $1",
    )
    .bind(source_id)
    .bind(listing_id)
    .execute(tx)
    .await?;
    // Marketplace skills, and the agent's own workspace's skills, in id order (concurrent submissions that
    // share skills lock them in the same order).
    let skills = Statement::new(
        "SELECT s.id, s.workspace_id, s.version::text AS version
         FROM agent_skills l JOIN skills s ON s.id = l.skill_id JOIN agents a ON a.id = l.agent_id
         WHERE l.agent_id = $1
           AND (s.owner_type = 'marketplace' OR s.workspace_id = a.workspace_id)
         ORDER BY s.id",
    )
    .bind(source_id)
    .query(tx)
    .await?;
    for skill in &skills {
        let skill_id: i64 = skill.read("id")?;
        let linked = match skill
            .read::<Option<uuid::Uuid>>("workspace_id")?
            .map(WorkspaceId::from)
        {
            None => skill_id,
            // An unchanged install of a marketplace skill links that skill, not a republished copy.
            Some(workspace) => {
                match unmodified_original(tx, ItemKind::Skill, skill_id, workspace).await? {
                    Some(original) => original.id,
                    None => {
                        submit_skill_listing(tx, skill_id, publisher, &skill.read("version")?)
                            .await?
                    }
                }
            }
        };
        Statement::new(
            "INSERT INTO agent_skills (agent_id, skill_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(listing_id)
        .bind(linked)
        .execute(tx)
        .await?;
    }
    Ok(())
}

/// The live listing of a workspace skill, submitted now (pending review) if it has none.
async fn submit_skill_listing(
    tx: &Transaction<'_>,
    skill_id: i64,
    publisher: Publisher,
    version: &Version,
) -> Result<i64, CatalogError> {
    let overrides = Overrides {
        name: None,
        description: None,
        category: None,
        icon: None,
        tags: None,
        version,
        changelog: "Published with an agent that uses it.",
    };
    if let Some((listing, content, findings)) =
        insert_listing(tx, ItemKind::Skill, skill_id, publisher, &overrides).await?
    {
        record_pending_version(
            tx,
            &PendingVersion {
                kind: ItemKind::Skill,
                item_id: listing,
                version,
                changelog: overrides.changelog,
                content: &content,
                user_id: publisher.1,
                tools_of: skill_id,
                declared: None,
                workspace: publisher.0,
                findings: &findings,
            },
        )
        .await?;
        return Ok(listing);
    }
    Statement::new(format!(
        "SELECT s.id FROM skills s WHERE s.cloned_from_id = $1 AND {}",
        Audience::MarketplaceAdmin.listed("s")
    ))
    .bind(skill_id)
    .query_one(tx)
    .await?
    .read("id")
}

/// A new version of a listing, from the workspace item it was submitted from. Only writers of that
/// workspace may submit versions; the version must be above every existing one.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    pub version: Version,
    pub changelog: String,
    /// What the publisher declares the version can reach; it must cover the derived manifest.
    pub capabilities: Option<Capabilities>,
    /// The catalog the publisher names, if any: it must be the listing's (a catalog never changes).
    pub catalog: Option<i64>,
}

pub async fn submit_version(
    client: &mut Client,
    request: &NewVersion,
    limit: RateLimit,
) -> Result<Pending, CatalogError> {
    let tx = client.transaction().await?;
    let kind = visible_kind(&tx, Audience::MarketplaceAdmin, request.item_id).await?;
    let source_id = lock_listing_source(&tx, kind, request).await?;
    count_submission(&tx, request.user_id, limit).await?;
    require_above_existing(&tx, request).await?;
    let mut content = content::read(&tx, kind, source_id).await?;
    refuse_credentials(credentials_in(
        &content,
        &[("changelog", &request.changelog)],
    ))?;
    if kind == ItemKind::Recipe {
        refuse_foreign_steps(&tx, &content).await?;
    }
    let findings = check_texts(&[("changelog", &request.changelog)], &content);
    refuse_blocking(&findings)?;
    strip_credentials(&mut content);
    let manifest = record_pending_version(
        &tx,
        &PendingVersion {
            kind,
            item_id: request.item_id,
            version: &request.version,
            changelog: &request.changelog,
            content: &content,
            user_id: request.user_id,
            tools_of: request.item_id,
            declared: request.capabilities.as_ref(),
            workspace: request.workspace,
            findings: &findings,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Pending::new(
        request.item_id,
        request.version.clone(),
        manifest,
        findings,
    ))
}

/// Locks the listing, and returns the workspace item it was submitted from when the request comes from that
/// item's workspace.
async fn lock_listing_source(
    tx: &Transaction<'_>,
    kind: ItemKind,
    request: &NewVersion,
) -> Result<i64, CatalogError> {
    let listing = Statement::new(format!(
        "SELECT l.is_approved, s.id AS source_id, s.workspace_id = $2 AS from_this_workspace,
                l.original_creator_id = $3 AS by_this_user, l.catalog_id, {in_catalog} AS in_catalog
         FROM {table} l LEFT JOIN {table} s ON s.id = l.cloned_from_id
         WHERE l.id = $1 FOR UPDATE OF l",
        table = kind.table(),
        in_catalog = Audience::Workspace(request.workspace).sees_catalog("l.catalog_id"),
    ))
    .bind(request.item_id)
    .bind(request.workspace)
    .bind(request.user_id)
    .query_one(tx)
    .await?;
    let is_approved: bool = listing.read("is_approved")?;
    let source_id: Option<i64> = listing.read("source_id")?;
    let from_this_workspace = listing.read::<Option<bool>>("from_this_workspace")? == Some(true);
    let by_this_user = listing.read::<Option<bool>>("by_this_user")? == Some(true);
    // A workspace taken out of the listing's catalog no longer sees the listing.
    if !listing.read::<bool>("in_catalog")? {
        return Err(CatalogError::NotFound("item"));
    }
    let catalog: Option<i64> = listing.read("catalog_id")?;
    if request.catalog.is_some_and(|named| Some(named) != catalog) {
        return Err(CatalogError::Unprocessable(
            "catalog_id".into(),
            "must be the listing's own catalog: a listing's catalog never changes".into(),
        ));
    }
    match source_id {
        Some(id) if from_this_workspace => Ok(id),
        None if by_this_user => Err(CatalogError::Conflict(
            "The workspace item this listing was submitted from no longer exists.".into(),
        )),
        // A pending listing stays invisible to everyone but its submitter and admins.
        _ if !is_approved => Err(CatalogError::NotFound("item")),
        _ => Err(CatalogError::Forbidden(
            "Only members of the workspace that published this item may publish its versions.",
        )),
    }
}

/// A new version must be above every version of the listing, whatever its review status.
async fn require_above_existing(
    tx: &Transaction<'_>,
    request: &NewVersion,
) -> Result<(), CatalogError> {
    let rows =
        Statement::new("SELECT version::text AS version FROM item_versions WHERE item_id = $1")
            .bind(request.item_id)
            .query(tx)
            .await?;
    let mut highest: Option<Version> = None;
    for row in &rows {
        let version: Version = row.read("version")?;
        highest = highest.max(Some(version));
    }
    match highest {
        Some(highest) if request.version <= highest => Err(CatalogError::Conflict(format!(
            "Version {} is not above the highest existing version, {highest}.",
            request.version
        ))),
        _ => Ok(()),
    }
}

/// Counts one submission in the user's current window, in the caller's transaction (so a failed submission
/// is not counted); over the limit is an error that says when the window ends.
async fn count_submission(
    tx: &Transaction<'_>,
    user_id: i64,
    limit: RateLimit,
) -> Result<(), CatalogError> {
    crate::foundation::window::count_in_window(
        tx,
        crate::foundation::window::SUBMISSIONS,
        user_id,
        limit,
    )
    .await
}
