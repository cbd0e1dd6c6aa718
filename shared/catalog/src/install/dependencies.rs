//! What a listing brings with it, read for a plan: a recipe's recommended agents, an agent's LLM (the one its
//! version pinned, or the one its configuration names), each a listed item a member could install.

use std::collections::HashMap;

use serde_json::Value;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::Capabilities;
use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::pulled::live_version_pulled_sql;
use crate::foundation::redact::shown;
use crate::foundation::statement::{own_rows, Sql, Statement};
use crate::foundation::version::Version;
use crate::foundation::workspace::WorkspaceId;
use crate::install::copy_names::taken_names_sql;
use crate::install::existing::{existing_copy_sql, ExistingCopy};
use crate::install::planned::{Node, NodeAction, MAX_DEPENDENCY_DEPTH};
use crate::install::replay::{replay_sql, replayed, ReplayKey, Replayed};
use crate::install::setup::{setup_sql, setup_steps, SetupStep};
use crate::install::skills::{skills_used, skills_used_sql, AgentSkill};
use tokio_postgres::Row;

impl Node {
    /// A node to clone under a name [`claim_names`] gives it once the plan is complete, or to reuse when the
    /// workspace already has a copy of the listing.
    ///
    /// [`claim_names`]: crate::install::plan
    pub(crate) fn new(
        kind: ItemKind,
        listing: Listing,
        depth: usize,
        parent: Option<usize>,
    ) -> Self {
        let action = match listing.existing {
            Some(copy) => NodeAction::Reuse {
                copy_id: copy.id,
                copy_name: copy.name,
                install_id: copy.install_id,
            },
            None => NodeAction::Clone {
                as_name: String::new(),
            },
        };
        Self {
            kind,
            capabilities: Capabilities::derive(kind, &listing.content, &listing.tool_slugs),
            asks_for: asks_for(kind, &listing.content),
            content_digest: listing.content_digest,
            content: listing.content,
            version: listing.version,
            fingerprint: listing.fingerprint,
            listing_id: listing.id,
            name: listing.name,
            depth,
            parent,
            action,
            skills: Vec::new(),
            requested_as: Vec::new(),
            setup: listing.setup,
            taken_names: listing.taken_names,
            uses_skills: listing.uses_skills,
        }
    }
}

/// What a listing's content asks for by name: an agent its model (`model_config.model`, when it is a
/// name), a recipe its recommended agents (each name once, trimmed, as first spelled).
fn asks_for(kind: ItemKind, content: &Value) -> Vec<String> {
    match kind {
        ItemKind::Agent => content
            .pointer("/model_config/model")
            .and_then(Value::as_str)
            .map(|model| vec![model.to_owned()])
            .unwrap_or_default(),
        ItemKind::Recipe => {
            let mut wanted: Vec<String> = Vec::new();
            let names = content.get("recommended_agents").and_then(Value::as_array);
            for name in names.into_iter().flatten() {
                if let Some(name) = name.as_str().map(str::trim).filter(|name| !name.is_empty()) {
                    if !wanted
                        .iter()
                        .any(|w| w.to_lowercase() == name.to_lowercase())
                    {
                        wanted.push(name.to_owned());
                    }
                }
            }
            wanted
        }
        ItemKind::Skill | ItemKind::Llm | ItemKind::Tool => Vec::new(),
    }
}

/// A listing's id and name, and what its manifest is derived from: its live content and (agents) its tool
/// assignments; its live version's content digest, when approval recorded one; and what a plan needs to
/// know of the workspace about it, read in the same statement: the tools to connect, the names a copy could
/// collide with, and (a dependency's) the copy the workspace already has.
pub(crate) struct Listing {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) content: Value,
    pub(crate) tool_slugs: Vec<String>,
    pub(crate) content_digest: Option<String>,
    /// Its live version, and its content's fingerprint as read.
    version: Version,
    fingerprint: String,
    setup: Vec<SetupStep>,
    taken_names: Vec<String>,
    existing: Option<ExistingCopy>,
    pub(crate) uses_skills: Vec<AgentSkill>,
}

impl Listing {
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, CatalogError> {
        Ok(Self {
            id: row.read("id")?,
            name: row.read("name")?,
            content: row.read("content")?,
            tool_slugs: row.read("tool_slugs")?,
            content_digest: row.read("content_digest")?,
            version: row.read("version")?,
            fingerprint: row.read("fingerprint")?,
            setup: setup_steps(row.read("setup")?)?,
            taken_names: row.read("taken_names")?,
            existing: ExistingCopy::from_row(row)?,
            uses_skills: skills_used(row.read("uses_skills")?)?,
        })
    }
}

/// The columns [`Listing::from_row`] reads from a row `t` of `kind`, for `workspace` (bound to the
/// placeholder `placeholder`); with `copies`, the workspace's copy of it too.
fn listing_columns(
    kind: ItemKind,
    workspace: WorkspaceId,
    placeholder: &str,
    copies: bool,
) -> String {
    format!(
        "t.id, t.name, {content} AS content, {tools} AS tool_slugs, {digest} AS content_digest,
         t.version::text AS version, {fingerprint} AS fingerprint, {setup} AS setup, {taken} AS taken_names, {skills} AS uses_skills, {existing}",
        content = kind.content_sql("t"),
        tools = kind.tool_slugs_sql("t"),
        digest = content::approved_digest_sql("t"),
        fingerprint = content::fingerprint_sql(kind, "t"),
        setup = setup_sql(kind, "t"),
        taken = taken_names_sql(kind, "t", placeholder),
        skills = skills_used_sql(kind, "t", Audience::Workspace(workspace)),
        existing = match copies {
            true => existing_copy_sql(kind, "t", placeholder),
            false => ExistingCopy::NONE.to_owned(),
        },
    )
}

/// What the statement that finds an install's listing takes besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// Nothing: a plan to show.
    Nothing,
    /// The listing's lane in the workspace, locked (install/locks.rs), and the install's record id: an
    /// install's transaction.
    Lane,
    /// Ids for every copy and install record the install could make, the listing's and one for each
    /// dependency its version pinned, and theirs in turn down to [`MAX_DEPENDENCY_DEPTH`]: an install written
    /// by one statement (install/single.rs).
    Ids,
}

/// What a [`Claim`] took.
pub(crate) enum Claimed {
    Nothing,
    Lane(RootLane),
    Ids(ReservedIds),
}

/// An install's hold on its item: the lane is locked, and the install record id drawn.
pub(crate) struct RootLane {
    /// The workspace's first install of the listing.
    pub(crate) first: bool,
    pub(crate) install_id: i64,
}

/// Ids drawn for an install's copies and records, as many of each: the listing's first.
pub(crate) struct ReservedIds {
    pub(crate) install_ids: Vec<i64>,
    pub(crate) item_ids: Vec<i64>,
}

/// What an install's first statement found: the listing, or the answer of the earlier install that used the
/// request's idempotency key.
pub(crate) enum Installable {
    Listing(ItemKind, Box<Listing>, Claimed),
    Replayed(Replayed),
}

/// The listing `id` a member may install, with its kind: a primary-key probe of each kind's table in one
/// statement, or of `kind`'s alone when the caller remembers it (a hint: when that table has nothing, every
/// kind's is probed). The same statement takes what `claim` asks for; nothing when the listing is not found.
/// With a `replay` key, the first statement reads the earlier install under it before anything else, and a
/// repeat is answered with its stored response, even when the listing is gone since (its claim is not taken).
pub(crate) async fn installable_listing(
    db: &impl Sql,
    workspace: WorkspaceId,
    id: i64,
    kind: Option<ItemKind>,
    claim: Claim,
    replay: Option<ReplayKey<'_>>,
) -> Result<Installable, CatalogError> {
    let mut replay = replay;
    let mut found = None;
    if let Some(kind) = kind {
        found = probe(db, workspace, id, &[kind], claim, replay.take()).await?;
    }
    if found.is_none() {
        found = probe(db, workspace, id, &ItemKind::ALL, claim, replay.take()).await?;
    }
    let row = match found.ok_or(CatalogError::NotFound("item"))? {
        Probed::Replayed(earlier) => return Ok(Installable::Replayed(earlier)),
        Probed::Listing(row) => row,
    };
    if row.read("pulled")? {
        return Err(CatalogError::NoInstallableVersion);
    }
    let claimed = match claim {
        Claim::Nothing => Claimed::Nothing,
        Claim::Lane => Claimed::Lane(RootLane {
            first: row.read("first")?,
            install_id: row.read("install_id")?,
        }),
        Claim::Ids => Claimed::Ids(ReservedIds {
            install_ids: row.read("install_ids")?,
            item_ids: row.read("item_ids")?,
        }),
    };
    Ok(Installable::Listing(
        row.read("kind")?,
        Box::new(Listing::from_row(&row)?),
        claimed,
    ))
}

/// What one probe found.
enum Probed {
    Replayed(Replayed),
    Listing(Row),
}

/// [`installable_listing`]'s statement over the tables of `kinds`, behind the read of `replay`'s earlier
/// install when given (the listing is read only when there is none).
async fn probe(
    db: &impl Sql,
    workspace: WorkspaceId,
    id: i64,
    kinds: &[ItemKind],
    claim: Claim,
    replay: Option<ReplayKey<'_>>,
) -> Result<Option<Probed>, CatalogError> {
    let probes = union_all(kinds, |kind| {
        format!(
            "SELECT '{kind}'::text AS kind, {columns}, {pulled} AS pulled FROM {table} t
             WHERE t.id = $1 AND {listed}",
            columns = listing_columns(kind, workspace, "$2", false),
            table = kind.table(),
            listed = Audience::Workspace(workspace).listed("t"),
            pulled = live_version_pulled_sql("t"),
        )
    });
    let sql = match claim {
        Claim::Nothing => format!("SELECT v.* FROM ({probes}) v"),
        Claim::Lane => format!(
            "SELECT v.*, EXISTS (SELECT 1 FROM marketplace_lock_lanes($2, ARRAY[v.id], ARRAY[true])) AS first,
                    (SELECT r FROM marketplace_reserve_install_ids(1) AS r) AS install_id
             FROM ({probes}) v"
        ),
        // V15 and V26's functions draw the ids: a sequence function in the statement would pin the proxy.
        Claim::Ids => format!(
            "SELECT v.*,
                    ARRAY(SELECT r FROM marketplace_reserve_install_ids(n.ids) WITH ORDINALITY AS r(r, o)
                          ORDER BY o) AS install_ids,
                    ARRAY(SELECT r FROM marketplace_reserve_item_ids(n.ids) WITH ORDINALITY AS r(r, o)
                          ORDER BY o) AS item_ids
             FROM ({probes}) v,
                  LATERAL (WITH RECURSIVE pinned (id, depth) AS (
                               SELECT v.id, 0
                               UNION ALL
                               SELECT d.dependency_id, p.depth + 1
                               FROM pinned p JOIN listing_dependencies d ON d.listing_id = p.id
                               WHERE p.depth < {MAX_DEPENDENCY_DEPTH})
                           SELECT count(*)::integer AS ids FROM pinned) n"
        ),
    };
    let statement = Statement::new(sql).bind(id).bind(workspace);
    let Some(replay) = replay else {
        return Ok(statement.query_opt(db).await?.map(Probed::Listing));
    };
    let earlier = replay_sql("$2", "$3", "$1", "$4");
    let rows = statement
        .bind(replay.key.to_owned())
        .bind(replay.user_id)
        .behind(
            &format!("SELECT r.* FROM (SELECT) one LEFT JOIN ({earlier}) r ON true"),
            "g.replay_id IS NULL",
        )
        .query(db)
        .await?;
    if let Some(earlier) = rows.first().map(replayed).transpose()?.flatten() {
        return Ok(Some(Probed::Replayed(earlier)));
    }
    Ok(own_rows(rows).pop().map(Probed::Listing))
}

/// A dependency found for a node.
pub(crate) struct Edge {
    pub(crate) kind: ItemKind,
    pub(crate) listing: Listing,
    pub(crate) requested_as: Vec<String>,
}

/// A recipe's recommended agents: the agents its version pinned, each under the names it was asked for
/// (case-insensitive). A name nothing was pinned for is a warning.
pub(crate) fn recommended_agents(
    node: &Node,
    pins: Vec<Pin>,
    warnings: &mut Vec<String>,
) -> Vec<Edge> {
    let wanted = &node.asks_for;
    // In the order the recipe names them, as before pins existed.
    let position = |pin: &Pin| {
        wanted
            .iter()
            .position(|name| pin.requested_as.contains(&name.to_lowercase()))
            .unwrap_or(usize::MAX)
    };
    let mut agents: Vec<Pin> = pins
        .into_iter()
        .filter(|pin| pin.kind == ItemKind::Agent)
        .collect();
    agents.sort_by_key(|pin| (position(pin), pin.listing.id));
    for name in wanted {
        let key = name.to_lowercase();
        if !agents.iter().any(|pin| pin.requested_as.contains(&key)) {
            warnings.push(format!(
                "Recommended agent \"{}\" is not available in the marketplace and was not installed.",
                shown(name)
            ));
        }
    }
    agents
        .into_iter()
        .map(|pin| Edge {
            kind: ItemKind::Agent,
            listing: pin.listing,
            requested_as: pin.requested_as,
        })
        .collect()
}

/// A dependency a listing's live version pinned, and whether a member may still install it.
pub(crate) struct Pin {
    pub(crate) kind: ItemKind,
    pub(crate) listing: Listing,
    pub(crate) requested_as: Vec<String>,
    pub(crate) listed: bool,
}

/// The pinned dependencies of `listings`, and theirs in turn `below` levels further down, by the listing that
/// pinned them, in dependency id order, each with the workspace's copy of it when it has one: one statement.
/// Only agents and recipes pin anything ([`ItemKind::pins_dependencies`]); pass only those.
pub(crate) async fn pinned(
    db: &impl Sql,
    workspace: WorkspaceId,
    listings: &[i64],
    below: usize,
) -> Result<HashMap<i64, Vec<Pin>>, CatalogError> {
    if listings.is_empty() {
        return Ok(HashMap::new());
    }
    let dependency = union_all(&[ItemKind::Agent, ItemKind::Llm], |kind| {
        format!(
            "SELECT {columns}, {listed} AND NOT {pulled} AS listed FROM {table} t
             WHERE d.dependency_kind = '{kind}' AND t.id = d.dependency_id",
            columns = listing_columns(kind, workspace, "$2", true),
            table = kind.table(),
            listed = Audience::Workspace(workspace).listed("t"),
            pulled = live_version_pulled_sql("t"),
        )
    });
    let rows = Statement::new(format!(
        "WITH RECURSIVE pinning (id, level) AS (
             SELECT unnest($1::bigint[]), 0
             UNION
             SELECT d.dependency_id, p.level + 1
             FROM pinning p JOIN listing_dependencies d ON d.listing_id = p.id
             WHERE p.level < $3)
         SELECT d.listing_id, d.dependency_kind::text AS dependency_kind, d.requested_as, t.*
         FROM listing_dependencies d
         JOIN LATERAL ({dependency}) t ON true
         WHERE d.listing_id IN (SELECT id FROM pinning)
         ORDER BY d.listing_id, d.dependency_id"
    ))
    .bind(listings.to_vec())
    .bind(workspace)
    .bind(i32::try_from(below).expect("a few levels"))
    .query(db)
    .await?;
    let mut pins: HashMap<i64, Vec<Pin>> = HashMap::new();
    for row in &rows {
        let pin = Pin {
            kind: row.read("dependency_kind")?,
            listing: Listing::from_row(row)?,
            requested_as: row.read("requested_as")?,
            listed: row.read("listed")?,
        };
        pins.entry(row.read("listing_id")?).or_default().push(pin);
    }
    Ok(pins)
}

/// An agent's LLM: the one its version pinned for its model; a model nothing was pinned for is a warning.
pub(crate) fn agent_llm(node: &Node, pins: Vec<Pin>, warnings: &mut Vec<String>) -> Vec<Edge> {
    let llms: Vec<Edge> = pins
        .into_iter()
        .filter(|pin| pin.kind == ItemKind::Llm)
        .map(|pin| Edge {
            kind: ItemKind::Llm,
            listing: pin.listing,
            requested_as: Vec::new(),
        })
        .collect();
    if let Some(model) = node.asks_for.first().filter(|_| llms.is_empty()) {
        warnings.push(format!(
            "The model \"{}\" of agent \"{}\" is not available in the marketplace and was not installed.",
            shown(model),
            shown(&node.name)
        ));
    }
    llms
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_agent_asks_for_its_model_by_name_and_a_recipe_for_each_agent_once() {
        let agent = json!({"model_config": {"model": "fast-1"}});
        assert_eq!(asks_for(ItemKind::Agent, &agent), ["fast-1"]);
        let unnamed = json!({"model_config": {"model": {"id": "fast-1"}}});
        assert!(asks_for(ItemKind::Agent, &unnamed).is_empty());
        let recipe =
            json!({"recommended_agents": [" Triage Bot ", "triage bot", "", 7, "Reply Bot"]});
        assert_eq!(
            asks_for(ItemKind::Recipe, &recipe),
            ["Triage Bot", "Reply Bot"]
        );
        assert!(asks_for(ItemKind::Skill, &agent).is_empty());
    }
}
