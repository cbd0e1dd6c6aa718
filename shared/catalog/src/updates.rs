//! Update detection and apply-update for installed copies.

use std::collections::HashMap;

use serde::Serialize;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient};

use crate::install::link_listed_skills;
use crate::kind::union_all;
use crate::params::Statement;
use crate::{CatalogError, ItemKind, Version, WorkspaceId};

/// An installed copy whose listing has a higher approved version.
#[derive(Debug, Clone, Serialize)]
pub struct AvailableUpdate {
    pub install_id: i64,
    pub item_id: i64,
    pub item_type: ItemKind,
    pub item_name: String,
    pub installed_item_id: i64,
    pub installed_version: String,
    pub latest_version: String,
    /// Every version above the installed one, highest first.
    pub changelog: Vec<ChangelogEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangelogEntry {
    pub version: String,
    pub changelog: String,
}

/// Installs in this workspace whose copy still exists and whose listed, approved item is at a higher SemVer.
pub async fn available_updates(
    db: &impl GenericClient,
    workspace: WorkspaceId,
) -> Result<Vec<AvailableUpdate>, CatalogError> {
    let rows = installs_statement(workspace).query(db).await?;
    let mut updates: Vec<(AvailableUpdate, Version, Version)> = rows
        .iter()
        .filter_map(|row| {
            let installed = Version::parse(row.get(4)).ok()?;
            let latest = Version::parse(row.get(6)).ok()?;
            (latest > installed).then(|| {
                let update = AvailableUpdate {
                    install_id: row.get(0),
                    item_id: row.get(1),
                    item_type: ItemKind::parse(row.get(2))
                        .expect("item_kind admits only known kinds"),
                    installed_item_id: row.get(3),
                    installed_version: installed.to_string(),
                    item_name: row.get(5),
                    latest_version: latest.to_string(),
                    changelog: Vec::new(),
                };
                (update, installed, latest)
            })
        })
        .collect();
    if updates.is_empty() {
        return Ok(Vec::new());
    }

    let item_ids: Vec<i64> = updates.iter().map(|(u, _, _)| u.item_id).collect();
    let rows = changelogs_statement(item_ids).query(db).await?;
    let mut versions: HashMap<i64, Vec<(Version, String)>> = HashMap::new();
    for row in &rows {
        if let Ok(version) = Version::parse(row.get(1)) {
            versions
                .entry(row.get(0))
                .or_default()
                .push((version, row.get(2)));
        }
    }
    for list in versions.values_mut() {
        list.sort_by(|a, b| b.0.cmp(&a.0));
    }
    Ok(updates
        .drain(..)
        .map(|(mut update, installed, latest)| {
            update.changelog = versions
                .get(&update.item_id)
                .into_iter()
                .flatten()
                .filter(|(version, _)| *version > installed && *version <= latest)
                .map(|(version, changelog)| ChangelogEntry {
                    version: version.to_string(),
                    changelog: changelog.clone(),
                })
                .collect();
            update
        })
        .collect())
}

/// The workspace's installs whose copy still exists, with their listing's current version, newest first.
/// The copy is found by its primary key and checked by `owner_id` (which a CHECK keeps equal to
/// `workspace_id`), so the planner never walks the workspace's (workspace_id, name) index instead.
pub fn installs_statement(workspace: WorkspaceId) -> Statement {
    let per_kind = union_all(&ItemKind::ALL, |kind| {
        format!(
                "SELECT i.id, i.item_id, i.item_kind::text, i.installed_item_id, i.installed_version::text,
                        m.name, m.version::text, i.installed_at
                 FROM marketplace_installs i
                 JOIN {table} m ON m.id = i.item_id
                 JOIN {table} c ON c.id = i.installed_item_id AND c.owner_id = i.workspace_id::text
                 WHERE i.workspace_id = $1 AND i.item_kind = '{kind}'
                   AND m.owner_type = 'marketplace' AND m.is_approved AND m.delisted_at IS NULL",
                table = kind.table(),
                kind = kind.as_str(),
            )
    });
    Statement::with(
        format!("{per_kind} ORDER BY installed_at DESC, id DESC"),
        *workspace.as_uuid(),
        Type::UUID,
    )
}

/// The approved versions and changelogs of the given items.
pub fn changelogs_statement(item_ids: Vec<i64>) -> Statement {
    Statement::with(
        "SELECT item_id, version::text, changelog FROM item_versions WHERE item_id = ANY($1) AND status = 'approved'",
        item_ids,
        Type::INT8_ARRAY,
    )
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AppliedUpdate {
    pub install_id: i64,
    pub installed_item_id: i64,
    pub from_version: String,
    pub to_version: String,
}

/// Brings an installed copy to its listing's latest approved content and version. A copy edited since it was
/// installed or last updated is a conflict unless `force`.
pub async fn apply_update(
    client: &mut Client,
    workspace: WorkspaceId,
    install_id: i64,
    force: bool,
) -> Result<AppliedUpdate, CatalogError> {
    let tx = client.transaction().await?;
    let install = tx
        .query_typed_opt(
            "SELECT item_id, item_kind::text, installed_item_id, installed_version::text, content_hash,
                    linked_skill_ids,
                    (SELECT coalesce(array_agg(l.skill_id ORDER BY l.skill_id), '{}') FROM agent_skills l
                     WHERE l.agent_id = installed_item_id) AS current_skill_ids
             FROM marketplace_installs WHERE id = $1 AND workspace_id = $2 FOR UPDATE",
            &[(&install_id, Type::INT8), (workspace.as_uuid(), Type::UUID)],
        )
        .await?
        .ok_or(CatalogError::NotFound("install"))?;
    let item_id: i64 = install.get(0);
    let kind = ItemKind::parse(install.get(1)).expect("item_kind admits only known kinds");
    let copy_id: i64 = install.get(2);
    let installed_version: String = install.get(3);
    let installed_hash: String = install.get(4);
    let installed_links: Option<Vec<i64>> = install.get("linked_skill_ids");
    let current_links: Vec<i64> = install.get("current_skill_ids");
    let table = kind.table();

    let state = tx
        .query_typed_opt(
            &format!(
                "SELECT m.version::text, {hash}
                 FROM {table} m, {table} t
                 WHERE m.id = $1 AND m.owner_type = 'marketplace' AND m.is_approved AND m.delisted_at IS NULL
                   AND t.id = $2 AND t.workspace_id = $3",
                hash = kind.content_hash_sql("t"),
            ),
            &[(&item_id, Type::INT8), (&copy_id, Type::INT8), (workspace.as_uuid(), Type::UUID)],
        )
        .await?
        .ok_or(CatalogError::NotFound("installed item or its listing"))?;
    let latest_version: String = state.get(0);
    let current_hash: String = state.get(1);

    let installed = Version::parse(&installed_version).ok();
    let latest = Version::parse(&latest_version).ok();
    if latest <= installed {
        return Ok(AppliedUpdate {
            install_id,
            installed_item_id: copy_id,
            from_version: installed_version.clone(),
            to_version: installed_version,
        });
    }
    let links_changed = installed_links.is_some_and(|links| links != current_links);
    if (current_hash != installed_hash || links_changed) && !force {
        return Err(CatalogError::Conflict(
            "The installed copy was changed in the workspace (its configuration or its skill links) since \
             it was installed or last updated; send {\"force\": true} to overwrite those changes."
                .into(),
        ));
    }

    let columns = kind.content_columns().join(", ");
    let new_hash: String = tx
        .query_typed_one(
            &format!(
                "UPDATE {table} AS t SET ({columns}, version, updated_at) =
                     (SELECT {columns}, version, now() FROM {table} m WHERE m.id = $1)
                 WHERE t.id = $2
                 RETURNING {hash}",
                hash = kind.content_hash_sql("t"),
            ),
            &[(&item_id, Type::INT8), (&copy_id, Type::INT8)],
        )
        .await?
        .get(0);
    let linked_skill_ids = if kind == ItemKind::Agent {
        tx.execute_typed(
            "DELETE FROM agent_skills WHERE agent_id = $1",
            &[(&copy_id, Type::INT8)],
        )
        .await?;
        Some(link_listed_skills(&tx, item_id, copy_id, &mut Vec::new()).await?)
    } else {
        None
    };
    tx.execute_typed(
        "UPDATE marketplace_installs
         SET installed_version = $2, content_hash = $3, linked_skill_ids = $4, updated_at = now()
         WHERE id = $1",
        &[
            (&install_id, Type::INT8),
            (&latest_version, Type::TEXT),
            (&new_hash, Type::TEXT),
            (&linked_skill_ids, Type::INT8_ARRAY),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(AppliedUpdate {
        install_id,
        installed_item_id: copy_id,
        from_version: installed_version,
        to_version: latest_version,
    })
}
