//! Installing a marketplace item: clone it into the workspace with swapped ownership fields and record the
//! install, in one statement when its plan still holds once it holds its lanes (install/single.rs), else in
//! one transaction that reads its plan under them; then fold its counts into the listings' counters
//! (install/counts.rs).

use tokio_postgres::{Client, Transaction};

use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::error::ATTEMPTS;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Sql;
use crate::install::admission::{admitted, listing_for};
use crate::install::copies::{link_agent_skills, make_copies, repoint_recipe_steps, NodeCopy};
use crate::install::counts::fold_counts;
use crate::install::dependencies::{Claim, Claimed, Installable};
use crate::install::existing::copies_still_as_planned;
use crate::install::locks::{in_lock_order, lock_lanes};
use crate::install::outcome::{made, InstallOutcome, InstallRequest, InstallResponse, Made};
use crate::install::plan;
use crate::install::planned::Plan;
use crate::install::records::{install_ids, Recording};
use crate::install::replay;
use crate::install::single;

/// Installs, running the transaction again (a few times) when it lost a race: a concurrent install made a
/// copy this plan would clone, an uninstall deleted one it would reuse, or a deadlock.
pub async fn install_item(
    client: &mut Client,
    request: &InstallRequest,
) -> Result<InstallOutcome, CatalogError> {
    let mut confirm = request.confirm_caller.as_deref();
    let mut attempt = 1;
    loop {
        match install_once(client, request, &mut confirm).await {
            Err(error) if error.is_retryable() && attempt < ATTEMPTS => attempt += 1,
            outcome => return outcome,
        }
    }
}

/// One attempt; `confirm`, the caller still to confirm, is taken once the attempt's first statement has.
async fn install_once(
    client: &mut Client,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
) -> Result<InstallOutcome, CatalogError> {
    if let Some(outcome) = single::install(&*client, request, confirm).await? {
        return Ok(outcome);
    }
    // The one statement undid itself: its plan changed, or another install recorded the same key first.
    if let Some(response) = replay(&*client, request).await? {
        return Ok(response);
    }
    let tx = client.transaction().await?;
    match install_in(&tx, request, confirm).await? {
        Written::Installed(response, counted) => {
            tx.commit().await?;
            fold_counts(client, &counted).await;
            Ok(InstallOutcome {
                response,
                replayed: false,
            })
        }
        Written::KeyTaken(Some(outcome)) => {
            tx.rollback().await?;
            Ok(outcome)
        }
        // A concurrent request with the same key committed first: undo ours, answer with theirs.
        Written::KeyTaken(None) => {
            tx.rollback().await?;
            replay(&*client, request).await?.ok_or_else(|| {
                CatalogError::Conflict("The idempotent install is still in progress.".into())
            })
        }
    }
}

/// How an install's transaction ended.
enum Written {
    /// It installed: the response, and the listings whose counts it left pending.
    Installed(InstallResponse, Vec<i64>),
    /// Another install with the same idempotency key committed first; its answer, when already read.
    KeyTaken(Option<InstallOutcome>),
}

/// The answer to a repeat of the earlier install under `request`'s key, if one used it.
async fn replay(
    db: &impl Sql,
    request: &InstallRequest,
) -> Result<Option<InstallOutcome>, CatalogError> {
    let Some(key) = request.replay_key() else {
        return Ok(None);
    };
    match replay::replay(db, request.workspace, request.item_id, key).await? {
        Some(earlier) => InstallOutcome::replaying(earlier).map(Some),
        None => Ok(None),
    }
}

/// The install inside `tx`, or the answer of another install holding the same idempotency key that won. Builds the install plan and executes exactly it: the listing and
/// every missing dependency cloned, each with its own install record, existing copies reused, skills linked,
/// a recipe's steps pointed at the agents' copies. Holds the lanes of the plan's listings in the workspace
/// (install/locks.rs), never a listing's row.
async fn install_in(
    tx: &Transaction<'_>,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
) -> Result<Written, CatalogError> {
    // The key's replay was read before the transaction; a repeat queued on the lane reads it below.
    let (kind, root, lane) = match listing_for(tx, request, confirm, Claim::Lane, None).await? {
        Installable::Listing(kind, root, Claimed::Lane(lane)) => (kind, *root, lane),
        Installable::Listing(..) | Installable::Replayed(_) => {
            unreachable!("the root's lane is locked, and no key was read")
        }
    };
    // Repeats of a key queue on the lane behind the install that used it: once it has committed they answer
    // with its response here, instead of each making an install of its own only to throw it away.
    if !lane.first {
        if let Some(outcome) = replay(tx, request).await? {
            return Ok(Written::KeyTaken(Some(outcome)));
        }
    }
    let mut plan = plan::build(tx, request.workspace, kind, root).await?;
    if !lane.first {
        plan::claim_names_now(tx, request.workspace, &mut plan).await?;
    }
    let manifest = admitted(&plan, request)?;
    let dependencies = in_lock_order(plan.nodes.iter().skip(1));
    let locked: Vec<(ItemKind, i64, bool)> = dependencies
        .iter()
        .map(|node| (node.kind, node.listing_id, node.is_cloned()))
        .collect();
    let clones = plan
        .nodes
        .iter()
        .skip(1)
        .filter(|node| node.is_cloned())
        .count();
    let held = lock_lanes(tx, request.workspace, &locked, clones).await?;
    if !copies_still_as_planned(&dependencies, &held.copies) {
        return Err(CatalogError::Retry);
    }
    let mut first = held.first;
    if lane.first {
        first.insert(request.item_id);
    }
    let dependency_ids = held.install_ids;

    let mut copies = make_copies(tx, &plan, request.workspace).await?;
    refuse_changed_content(&plan, &copies)?;
    link_agent_skills(tx, &plan, &copies).await?;
    if kind == ItemKind::Recipe {
        repoint_recipe_steps(tx, &plan, &mut copies).await?;
    }

    // Record ids were drawn with the lanes, the item's before its dependencies': the item's record stores the
    // whole response, dependencies' ids included, and each dependency's record names its parent's.
    let install_ids = install_ids(&plan, lane.install_id, dependency_ids);
    let Made {
        response,
        root,
        dependencies,
        edges,
        counted,
    } = made(&plan, &copies, &install_ids, request, &manifest);
    let recorded = Recording {
        root,
        dependencies,
        edges,
        counted: &counted,
        first: &first,
        workspace: request.workspace,
    };
    if !recorded.write(tx).await? {
        return Ok(Written::KeyTaken(None));
    }
    Ok(Written::Installed(
        response,
        counted.iter().map(|(_, id)| *id).collect(),
    ))
}

/// Every clone must be the content approved under its listing's version: a listing edited behind review's
/// back is never handed out.
fn refuse_changed_content(plan: &Plan, copies: &[NodeCopy]) -> Result<(), CatalogError> {
    for (node, copy) in plan.nodes.iter().zip(copies) {
        if let NodeCopy::Cloned(copy) = copy {
            content::check_approved(
                node.kind,
                node.listing_id,
                &node.name,
                node.content_digest.as_deref(),
                &copy.content_hash,
            )?;
        }
    }
    Ok(())
}
