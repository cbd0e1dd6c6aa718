//! Installing a marketplace item: clone it into the workspace with swapped ownership fields, record the
//! install and count it — one transaction.

use serde::{Deserialize, Serialize};
use tokio_postgres::{Client, GenericClient, Transaction};

use crate::column::ReadColumn;
use crate::content;
use crate::locate::visible_kind;
use crate::statement::Statement;
use crate::{Audience, CatalogError, ItemKind, Version, WorkspaceId};

/// Who installs what, where.
#[derive(Debug, Clone)]
pub struct InstallRequest {
    pub item_id: i64,
    pub workspace: WorkspaceId,
    pub user_id: i64,
    /// `Idempotency-Key`: a repeat with the same key in the same workspace replays the first response.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallResponse {
    pub install_id: i64,
    #[serde(flatten)]
    pub installation: Installation,
}

/// What an install made: the part of its response stored with it, replayed for a repeated key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installation {
    pub item: ItemRef,
    pub installed: ItemRef,
    pub version: Version,
    pub requires_setup: Vec<SetupStep>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
}

/// Something the workspace must connect before the installed copy works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStep {
    pub kind: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstallOutcome {
    pub response: InstallResponse,
    /// True when this answers a repeated `Idempotency-Key` and nothing new was created.
    pub replayed: bool,
}

/// How many names past `X-copy` a single install tries before giving up (each retry follows a conflict).
const NAME_ATTEMPTS: usize = 20;

pub async fn install_item(
    client: &mut Client,
    request: &InstallRequest,
) -> Result<InstallOutcome, CatalogError> {
    if let Some(response) = replay(&*client, request).await? {
        return Ok(response);
    }
    let tx = client.transaction().await?;
    match install_in(&tx, request).await? {
        Some(response) => {
            tx.commit().await?;
            Ok(InstallOutcome {
                response,
                replayed: false,
            })
        }
        // A concurrent request with the same key committed first: undo ours, answer with theirs.
        None => {
            tx.rollback().await?;
            replay(&*client, request).await?.ok_or_else(|| {
                CatalogError::Conflict("The idempotent install is still in progress.".into())
            })
        }
    }
}

/// The stored response of an earlier install with the same key in the same workspace. The key answers only
/// for the request it came with: the same user installing the same item.
async fn replay(
    db: &impl GenericClient,
    request: &InstallRequest,
) -> Result<Option<InstallOutcome>, CatalogError> {
    let Some(key) = &request.idempotency_key else {
        return Ok(None);
    };
    let row = Statement::new(
        "SELECT id, response, item_id = $3 AND user_id IS NOT DISTINCT FROM $4 AS same_request
         FROM marketplace_installs WHERE workspace_id = $1 AND idempotency_key = $2",
    )
    .bind(request.workspace)
    .bind(key)
    .bind(request.item_id)
    .bind(request.user_id)
    .query_opt(db)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if !row.read::<bool>("same_request")? {
        return Err(CatalogError::IdempotencyKeyReused(
            "This Idempotency-Key was already used in this workspace for a different request; \
             send a new key for a new install."
                .into(),
        ));
    }
    let installation = serde_json::from_value(row.read("response")?)
        .map_err(|e| CatalogError::Unreadable(format!("stored install response: {e}")))?;
    Ok(Some(InstallOutcome {
        response: InstallResponse {
            install_id: row.read("id")?,
            installation,
        },
        replayed: true,
    }))
}

/// The install inside `tx`; `None` when another install holding the same idempotency key won.
async fn install_in(
    tx: &Transaction<'_>,
    request: &InstallRequest,
) -> Result<Option<InstallResponse>, CatalogError> {
    let kind = visible_kind(tx, Audience::Member, request.item_id).await?;
    let (item_name, version) = lock_listing(tx, kind, request.item_id).await?;
    let copy = clone_with_free_name(tx, kind, request, &item_name).await?;
    let mut warnings = Vec::new();
    let linked_skill_ids = if kind == ItemKind::Agent {
        Some(link_listed_skills(tx, request.item_id, copy.id, &mut warnings).await?)
    } else {
        None
    };
    let installation = Installation {
        item: ItemRef {
            id: request.item_id,
            kind,
            name: item_name,
        },
        installed: ItemRef {
            id: copy.id,
            kind,
            name: copy.name,
        },
        version,
        requires_setup: requires_setup(tx, kind, request.item_id).await?,
        warnings,
    };
    let record = InstallRecord {
        request,
        installation: &installation,
        content_hash: copy.content_hash,
        linked_skill_ids,
    };
    let Some(install_id) = record.insert(tx).await? else {
        return Ok(None);
    };
    crate::trending::record_install(tx, kind, request.item_id, request.workspace).await?;
    count_install(tx, kind, request.item_id).await?;
    Ok(Some(InstallResponse {
        install_id,
        installation,
    }))
}

/// Locks the listing for this install and returns its name and version: installs of one item queue here
/// instead of racing each other for the same copy names.
async fn lock_listing(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
) -> Result<(String, Version), CatalogError> {
    let listing = Statement::new(format!(
        "SELECT t.name, t.version::text AS version FROM {table} t
         WHERE t.id = $1 AND {listed} FOR NO KEY UPDATE",
        table = kind.table(),
        listed = Audience::Member.listed("t")
    ))
    .bind(item_id)
    .query_opt(tx)
    .await?
    .ok_or(CatalogError::NotFound("item"))?;
    Ok((listing.read("name")?, listing.read("version")?))
}

/// Adds the install to the listing's count, last thing before commit: the counter row its trigger updates
/// (one per kind and category) is then locked only for an instant, not for the whole install.
async fn count_install(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
) -> Result<(), CatalogError> {
    Statement::new(format!(
        "UPDATE {table} SET install_count = install_count + 1 WHERE id = $1",
        table = kind.table(),
    ))
    .bind(item_id)
    .execute(tx)
    .await?;
    Ok(())
}

/// A row of `marketplace_installs`.
struct InstallRecord<'a> {
    request: &'a InstallRequest,
    installation: &'a Installation,
    content_hash: String,
    linked_skill_ids: Option<Vec<i64>>,
}

impl InstallRecord<'_> {
    /// Its id; `None` when an install with the same idempotency key is already recorded.
    async fn insert(self, tx: &Transaction<'_>) -> Result<Option<i64>, CatalogError> {
        let stored = serde_json::to_value(self.installation).expect("an installation serialises");
        let row = Statement::new(
            "INSERT INTO marketplace_installs (item_id, item_kind, workspace_id, user_id, installed_item_id,
                                              installed_version, content_hash, idempotency_key, response,
                                              linked_skill_ids)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (workspace_id, idempotency_key) DO NOTHING
             RETURNING id",
        )
        .bind(self.request.item_id)
        .bind(self.installation.item.kind)
        .bind(self.request.workspace)
        .bind(self.request.user_id)
        .bind(self.installation.installed.id)
        .bind(&self.installation.version)
        .bind(self.content_hash)
        .bind(&self.request.idempotency_key)
        .bind(stored)
        .bind(self.linked_skill_ids)
        .query_opt(tx)
        .await?;
        row.map(|row| row.read("id")).transpose()
    }
}

/// The workspace copy an install made.
struct WorkspaceCopy {
    id: i64,
    name: String,
    content_hash: String,
}

/// Inserts the workspace copy under the first free name of `X`, `X-copy`, `X-copy-2`, ... The unique index
/// on (workspace_id, name) decides; a name taken meanwhile just moves us to the next one.
async fn clone_with_free_name(
    tx: &Transaction<'_>,
    kind: ItemKind,
    request: &InstallRequest,
    base: &str,
) -> Result<WorkspaceCopy, CatalogError> {
    let table = kind.table();
    let own_columns = kind.content_columns().join(", ");
    let copied = format!(
        "description, marketplace_category, marketplace_icon, tags, original_creator_id, version, {own_columns}"
    );
    let insert = format!(
        "INSERT INTO {table} AS t (name, owner_type, owner_id, workspace_id, is_approved, is_featured,
                                   install_count, cloned_from_id, {copied})
         SELECT $2, 'workspace', $3::text, $3, false, false, 0, m.id, {copied}
         FROM {table} m WHERE m.id = $1
         ON CONFLICT ON CONSTRAINT {table}_workspace_name_key DO NOTHING
         RETURNING t.id",
    );
    let mut taken = taken_copy_names(tx, kind, request.workspace, base).await?;
    for _ in 0..NAME_ATTEMPTS {
        let name = first_free_name(base, &taken);
        let row = Statement::new(insert.as_str())
            .bind(request.item_id)
            .bind(&name)
            .bind(request.workspace)
            .query_opt(tx)
            .await?;
        match row {
            Some(row) => {
                let id = row.read("id")?;
                // A listing holds no secrets, but one that entered another way than a submission might.
                let scrubbed = content::scrub(tx, kind, id).await?;
                return Ok(WorkspaceCopy {
                    id,
                    name,
                    content_hash: scrubbed.fingerprint,
                });
            }
            None => taken.push(name),
        }
    }
    Err(CatalogError::Conflict(
        "Could not find a free name for the copy; retry the install.".into(),
    ))
}

/// Names in the workspace that the copy-naming rule could produce for `base`.
async fn taken_copy_names(
    tx: &Transaction<'_>,
    kind: ItemKind,
    workspace: WorkspaceId,
    base: &str,
) -> Result<Vec<String>, CatalogError> {
    let rows = Statement::new(format!(
        "SELECT name FROM {table} WHERE workspace_id = $1 AND left(name, length($2)) = $2",
        table = kind.table()
    ))
    .bind(workspace)
    .bind(name_stem(base))
    .query(tx)
    .await?;
    rows.iter().map(|row| row.read("name")).collect()
}

/// `X` if free, else `X-copy`, else the lowest free `X-copy-N` (N ≥ 2); `X` is shortened where the suffix
/// would push the name past the column's limit.
fn first_free_name(base: &str, taken: &[String]) -> String {
    let is_free = |name: &str| !taken.iter().any(|t| t == name);
    std::iter::once(String::new())
        .chain(std::iter::once("-copy".to_owned()))
        .chain((2..).map(|n| format!("-copy-{n}")))
        .map(|suffix| {
            let room = MAX_NAME_CHARS - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(room).collect::<String>())
        })
        .find(|name| is_free(name))
        .expect("an unbounded sequence has a free name")
}

const MAX_NAME_CHARS: usize = *crate::limits::NAME_CHARS.end();

/// The part of `base` that every candidate name starts with.
fn name_stem(base: &str) -> String {
    base.chars()
        .take(MAX_NAME_CHARS - "-copy-999999".len())
        .collect()
}

/// Marketplace skills are global: the copy links the listing's skills that are listed and approved (what
/// the installer could open themselves). Others are left out with a warning that does not name them.
/// Returns the ids linked, sorted.
pub(crate) async fn link_listed_skills(
    tx: &Transaction<'_>,
    listing_id: i64,
    copy_id: i64,
    warnings: &mut Vec<String>,
) -> Result<Vec<i64>, CatalogError> {
    let row = Statement::new(format!(
                "WITH linked AS (
                     INSERT INTO agent_skills (agent_id, skill_id)
                     SELECT $2, l.skill_id FROM agent_skills l JOIN skills s ON s.id = l.skill_id
                     WHERE l.agent_id = $1 AND {listed}
                     RETURNING skill_id)
                 SELECT coalesce((SELECT array_agg(skill_id ORDER BY skill_id) FROM linked), '{{}}') AS linked,
                        (SELECT count(*) FROM agent_skills l WHERE l.agent_id = $1) AS links",
                listed = Audience::Member.listed("s"),
            ))
    .bind(listing_id)
    .bind(copy_id)
    .query_one(tx)
    .await?;
    let linked: Vec<i64> = row.read("linked")?;
    let left_out = row.read::<i64>("links")? - linked.len() as i64;
    if left_out > 0 {
        warnings.push(format!(
            "{left_out} skill(s) this agent uses are not available in the marketplace and were not linked."
        ));
    }
    Ok(linked)
}

/// Tools to connect: an agent's tool assignments (not copied) and a recipe's required tools.
async fn requires_setup(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
) -> Result<Vec<SetupStep>, CatalogError> {
    let slugs = match kind {
        ItemKind::Agent => "SELECT app_slug AS slug FROM agent_tools WHERE agent_id = $1",
        ItemKind::Recipe => {
            "SELECT jsonb_array_elements_text(required_tools) AS slug FROM workflow_templates WHERE id = $1"
        }
        _ => return Ok(Vec::new()),
    };
    let rows = Statement::new(format!(
        "SELECT s.slug, coalesce(c.display_name, c.app_name, s.slug) AS name
         FROM ({slugs}) s LEFT JOIN composio_apps_cache c ON c.app_slug = s.slug
         ORDER BY s.slug"
    ))
    .bind(item_id)
    .query(tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SetupStep {
                kind: "tool".into(),
                slug: row.read("slug")?,
                name: row.read("name")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{first_free_name, Installation};

    #[test]
    fn responses_stored_before_installation_existed_still_replay() {
        let stored = serde_json::json!({
            "install_id": 0,
            "item": {"id": 7, "type": "agent", "name": "Bot"},
            "installed": {"id": 9, "type": "agent", "name": "Bot-copy"},
            "version": "1.2.0",
            "requires_setup": [{"kind": "tool", "slug": "gmail", "name": "Gmail"}],
            "warnings": [],
        });
        let installation: Installation = serde_json::from_value(stored).unwrap();
        assert_eq!(installation.installed.name, "Bot-copy");
        assert_eq!(installation.version.to_string(), "1.2.0");
    }

    #[test]
    fn names_copies_x_then_copy_then_numbered() {
        let taken = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(first_free_name("X", &taken(&[])), "X");
        assert_eq!(first_free_name("X", &taken(&["X"])), "X-copy");
        assert_eq!(first_free_name("X", &taken(&["X", "X-copy"])), "X-copy-2");
        assert_eq!(
            first_free_name("X", &taken(&["X", "X-copy", "X-copy-2", "X-copy-4"])),
            "X-copy-3"
        );
        assert_eq!(first_free_name("X", &taken(&["X-copy"])), "X");
        let long = "n".repeat(200);
        let copy = first_free_name(&long, &taken(&[&long]));
        assert_eq!(copy.chars().count(), 200);
        assert!(copy.ends_with("-copy"));
    }
}
