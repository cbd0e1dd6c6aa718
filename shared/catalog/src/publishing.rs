//! Publishing: submitting a workspace item as a new listing, and new versions of a listing. Both wait for
//! review; both count against the submitter's rate limit.

use serde::Serialize;
use serde_json::Value;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};

use crate::locate::visible_kind;
use crate::{CatalogError, ItemKind, Version, Viewer, WorkspaceId};

/// Submissions allowed per user per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub submissions: i32,
    pub window_secs: i64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            submissions: 20,
            window_secs: 3600,
        }
    }
}

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pending {
    pub item_id: i64,
    pub status: &'static str,
    pub version: String,
}

impl Pending {
    fn new(item_id: i64, version: String) -> Self {
        Self {
            item_id,
            status: "pending",
            version,
        }
    }
}

/// Creates the (unapproved) marketplace copy of a workspace item and its first pending version. An agent's
/// tool assignments are carried onto the listing; its workspace skills are published with it.
pub async fn submit_item(
    client: &mut Client,
    submission: &Submission,
    limit: RateLimit,
) -> Result<Pending, CatalogError> {
    let tx = client.transaction().await?;
    count_submission(&tx, submission.user_id, limit).await?;
    let kind = submission.kind;
    refuse_unmodified_copy(&tx, kind, submission).await?;
    let tags = submission.tags.as_ref().map(|tags| serde_json::json!(tags));
    let version = submission.version.to_string();
    let (item_id, content) = publish_copy(
        &tx,
        kind,
        submission.source_id,
        submission.user_id,
        &Overrides {
            name: submission.name.as_deref(),
            description: submission.description.as_deref(),
            category: submission.category.as_deref(),
            icon: submission.icon.as_deref(),
            tags: tags.as_ref(),
            version: &version,
        },
    )
    .await?
    .ok_or_else(|| {
        CatalogError::Conflict(
            "This workspace item already has a live listing; publish a new version of it instead."
                .into(),
        )
    })?;
    record_pending_version(
        &tx,
        kind,
        item_id,
        &version,
        &submission.changelog,
        &content,
        submission.user_id,
    )
    .await?;
    if kind == ItemKind::Agent {
        carry_agent_links(&tx, submission.source_id, item_id, submission.user_id).await?;
    }
    tx.commit().await?;
    Ok(Pending::new(item_id, version))
}

/// The workspace item must exist in the workspace, and must not be an unmodified install of another listing:
/// its content equal to what was installed or last updated, or to the listing's content now.
async fn refuse_unmodified_copy(
    tx: &Transaction<'_>,
    kind: ItemKind,
    submission: &Submission,
) -> Result<(), CatalogError> {
    let table = kind.table();
    let source = tx
        .query_typed_opt(
            &format!(
                "SELECT o.id AS original_id, o.name AS original_name,
                        {source_hash} = {original_hash}
                        OR EXISTS (SELECT 1 FROM marketplace_installs i
                                   WHERE i.installed_item_id = t.id AND i.workspace_id = t.workspace_id
                                     AND i.content_hash = {source_hash}) AS unmodified
                 FROM {table} t
                 LEFT JOIN {table} o ON o.id = t.cloned_from_id AND o.owner_type = 'marketplace'
                 WHERE t.id = $1 AND t.workspace_id = $2
                 FOR SHARE OF t",
                source_hash = kind.content_hash_sql("t"),
                original_hash = kind.content_hash_sql("o"),
            ),
            &[
                (&submission.source_id, Type::INT8),
                (submission.workspace.as_uuid(), Type::UUID),
            ],
        )
        .await?
        .ok_or(CatalogError::NotFound("workspace item"))?;
    let original_id: Option<i64> = source.get("original_id");
    match original_id {
        Some(id) if source.get::<_, Option<bool>>("unmodified") == Some(true) => {
            let name: String = source.get("original_name");
            Err(CatalogError::Conflict(format!(
                "This workspace item is an unmodified install of the marketplace listing \"{name}\" \
                 (id {id}); change it before submitting it as a listing of your own."
            )))
        }
        _ => Ok(()),
    }
}

struct Overrides<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
    category: Option<&'a str>,
    icon: Option<&'a str>,
    tags: Option<&'a Value>,
    version: &'a str,
}

/// Inserts the marketplace copy of workspace item `source_id`; `None` when it already has a live listing.
async fn publish_copy(
    tx: &Transaction<'_>,
    kind: ItemKind,
    source_id: i64,
    user_id: i64,
    overrides: &Overrides<'_>,
) -> Result<Option<(i64, Value)>, CatalogError> {
    let table = kind.table();
    let own = kind.content_columns().join(", ");
    let source_own = kind
        .content_columns()
        .iter()
        .map(|column| format!("s.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = tx
        .query_typed_opt(
            &format!(
                "INSERT INTO {table} AS t (name, description, marketplace_category, marketplace_icon, tags, version,
                                           owner_type, is_approved, original_creator_id, cloned_from_id,
                                           forked_from_id, {own})
                 SELECT coalesce($2, s.name), coalesce($3, s.description), coalesce($4, s.marketplace_category),
                        coalesce($5, s.marketplace_icon), coalesce($6, s.tags), $7,
                        'marketplace', false, $8, s.id, o.id, {source_own}
                 FROM {table} s
                 LEFT JOIN {table} o ON o.id = s.cloned_from_id AND o.owner_type = 'marketplace'
                 WHERE s.id = $1
                 ON CONFLICT (cloned_from_id)
                     WHERE owner_type = 'marketplace' AND delisted_at IS NULL AND cloned_from_id IS NOT NULL
                     DO NOTHING
                 RETURNING t.id, {content}",
                content = kind.content_sql("t"),
            ),
            &[
                (&source_id, Type::INT8),
                (&overrides.name, Type::TEXT),
                (&overrides.description, Type::TEXT),
                (&overrides.category, Type::TEXT),
                (&overrides.icon, Type::TEXT),
                (&overrides.tags, Type::JSONB),
                (&overrides.version, Type::TEXT),
                (&user_id, Type::INT8),
            ],
        )
        .await?;
    Ok(row.map(|row| (row.get(0), row.get(1))))
}

async fn record_pending_version(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    version: &str,
    changelog: &str,
    content: &Value,
    user_id: i64,
) -> Result<(), CatalogError> {
    let inserted = tx
        .execute_typed(
            "INSERT INTO item_versions (item_id, item_kind, version, changelog, content, status, submitted_by)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6)
             ON CONFLICT DO NOTHING",
            &[
                (&item_id, Type::INT8),
                (&kind.as_str(), Type::TEXT),
                (&version, Type::TEXT),
                (&changelog, Type::TEXT),
                (content, Type::JSONB),
                (&user_id, Type::INT8),
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(CatalogError::Conflict(
            "A version of this item is already waiting for review.".into(),
        ));
    }
    Ok(())
}

/// The listing gets the agent's tool assignments, and links to marketplace skills only: workspace skills are
/// published (or their live listing reused) first.
async fn carry_agent_links(
    tx: &Transaction<'_>,
    source_id: i64,
    listing_id: i64,
    user_id: i64,
) -> Result<(), CatalogError> {
    tx.execute_typed(
        "INSERT INTO agent_tools (agent_id, app_slug) SELECT $2, app_slug FROM agent_tools WHERE agent_id = $1",
        &[(&source_id, Type::INT8), (&listing_id, Type::INT8)],
    )
    .await?;
    let skills = tx
        .query_typed(
            "SELECT s.id, s.owner_type = 'workspace', s.version::text
             FROM agent_skills l JOIN skills s ON s.id = l.skill_id WHERE l.agent_id = $1",
            &[(&source_id, Type::INT8)],
        )
        .await?;
    for skill in &skills {
        let (skill_id, in_workspace, version): (i64, bool, String) =
            (skill.get(0), skill.get(1), skill.get(2));
        let linked = if in_workspace {
            publish_skill(tx, skill_id, user_id, &version).await?
        } else {
            skill_id
        };
        tx.execute_typed(
            "INSERT INTO agent_skills (agent_id, skill_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[(&listing_id, Type::INT8), (&linked, Type::INT8)],
        )
        .await?;
    }
    Ok(())
}

/// The live listing of a workspace skill, published now (pending review) if it has none.
async fn publish_skill(
    tx: &Transaction<'_>,
    skill_id: i64,
    user_id: i64,
    version: &str,
) -> Result<i64, CatalogError> {
    let overrides = Overrides {
        name: None,
        description: None,
        category: None,
        icon: None,
        tags: None,
        version,
    };
    if let Some((listing, content)) =
        publish_copy(tx, ItemKind::Skill, skill_id, user_id, &overrides).await?
    {
        record_pending_version(
            tx,
            ItemKind::Skill,
            listing,
            version,
            "Published with an agent that uses it.",
            &content,
            user_id,
        )
        .await?;
        return Ok(listing);
    }
    let row = tx
        .query_typed_one(
            "SELECT id FROM skills
             WHERE cloned_from_id = $1 AND owner_type = 'marketplace' AND delisted_at IS NULL",
            &[(&skill_id, Type::INT8)],
        )
        .await?;
    Ok(row.get(0))
}

/// A new version of a listing, from the workspace item it was submitted from. Only writers of that
/// workspace may publish; the version must be above every existing one.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    pub version: Version,
    pub changelog: String,
}

pub async fn publish_version(
    client: &mut Client,
    request: &NewVersion,
    limit: RateLimit,
) -> Result<Pending, CatalogError> {
    let tx = client.transaction().await?;
    let kind = visible_kind(&tx, Viewer::Admin, request.item_id).await?;
    let table = kind.table();
    let listing = tx
        .query_typed_one(
            &format!(
                "SELECT l.is_approved, s.id, s.workspace_id = $2, l.original_creator_id = $3
                 FROM {table} l LEFT JOIN {table} s ON s.id = l.cloned_from_id
                 WHERE l.id = $1 FOR UPDATE OF l"
            ),
            &[
                (&request.item_id, Type::INT8),
                (request.workspace.as_uuid(), Type::UUID),
                (&request.user_id, Type::INT8),
            ],
        )
        .await?;
    let is_approved: bool = listing.get(0);
    let source_id: Option<i64> = listing.get(1);
    let from_this_workspace = listing.get::<_, Option<bool>>(2).unwrap_or(false);
    let by_this_user = listing.get::<_, Option<bool>>(3).unwrap_or(false);
    let source_id =
        match source_id {
            Some(id) if from_this_workspace => id,
            None if by_this_user => {
                return Err(CatalogError::Conflict(
                    "The workspace item this listing was submitted from no longer exists.".into(),
                ))
            }
            // A pending listing stays invisible to everyone but its publisher and admins.
            _ if !is_approved => return Err(CatalogError::NotFound("item")),
            _ => return Err(CatalogError::Forbidden(
                "Only members of the workspace that published this item may publish its versions.",
            )),
        };
    count_submission(&tx, request.user_id, limit).await?;

    let existing = tx
        .query_typed(
            "SELECT version::text FROM item_versions WHERE item_id = $1",
            &[(&request.item_id, Type::INT8)],
        )
        .await?;
    if let Some(highest) = existing
        .iter()
        .filter_map(|row| Version::parse(row.get(0)).ok())
        .max()
        .filter(|highest| request.version <= *highest)
    {
        return Err(CatalogError::Conflict(format!(
            "Version {} is not above the highest existing version, {highest}.",
            request.version
        )));
    }
    let content: Value = tx
        .query_typed_one(
            &format!(
                "SELECT {} FROM {table} t WHERE t.id = $1",
                kind.content_sql("t")
            ),
            &[(&source_id, Type::INT8)],
        )
        .await?
        .get(0);
    let version = request.version.to_string();
    record_pending_version(
        &tx,
        kind,
        request.item_id,
        &version,
        &request.changelog,
        &content,
        request.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(Pending::new(request.item_id, version))
}

/// Counts one submission in the user's current window, in the caller's transaction (so a failed submission
/// is not counted); over the limit is an error that says when the window ends.
async fn count_submission(
    tx: &Transaction<'_>,
    user_id: i64,
    limit: RateLimit,
) -> Result<(), CatalogError> {
    let window = limit.window_secs as f64;
    let row = tx
        .query_typed_one(
            "INSERT INTO submission_windows AS w (user_id, started_at, submissions) VALUES ($1, now(), 1)
             ON CONFLICT (user_id) DO UPDATE SET
                 started_at = CASE WHEN w.started_at <= now() - make_interval(secs => $2) THEN now()
                                   ELSE w.started_at END,
                 submissions = CASE WHEN w.started_at <= now() - make_interval(secs => $2) THEN 1
                                    ELSE w.submissions + 1 END
             RETURNING w.submissions,
                       ceil(extract(epoch FROM w.started_at + make_interval(secs => $2) - now()))::bigint",
            &[(&user_id, Type::INT8), (&window, Type::FLOAT8)],
        )
        .await?;
    let submissions: i32 = row.get(0);
    if submissions > limit.submissions {
        let retry_after_secs = row.get::<_, i64>(1).max(1) as u64;
        return Err(CatalogError::RateLimited { retry_after_secs });
    }
    Ok(())
}
