//! What lets an install go ahead: its listing found for a caller confirmed by the same statement, nothing
//! its plan pins gone, and consent to what it reaches.

use crate::foundation::caller_check::{CallerCheck, Checked};
use crate::foundation::capabilities::Manifest;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::redact::shown;
use crate::foundation::statement::Sql;
use crate::install::dependencies::{installable_listing, Claim, Claimed, Listing};
use crate::install::outcome::InstallRequest;
use crate::install::planned::Plan;

/// The manifest `plan` installs under, once nothing stops it: a pinned dependency no longer listed, or a
/// manifest the caller has not consented to.
pub(crate) fn admitted(plan: &Plan, request: &InstallRequest) -> Result<Manifest, CatalogError> {
    if let Some((kind, id, name)) = plan.unavailable.first() {
        return Err(CatalogError::DependencyUnavailable(
            *kind,
            *id,
            shown(name).to_owned(),
        ));
    }
    let manifest = plan.manifest();
    let needs_consent = manifest.capabilities.needs_consent();
    consented(
        manifest,
        needs_consent,
        request.accept_capabilities.as_deref(),
    )
}

/// The listing `request` installs, found by a statement that also takes what `claim` asks for. With a caller
/// to `confirm`, the same statement confirms them ([`CallerCheck`]) before anything is written, and `confirm`
/// is taken.
pub(crate) async fn listing_for(
    db: &impl Sql,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
    claim: Claim,
) -> Result<(ItemKind, Listing, Claimed), CatalogError> {
    let (workspace, item_id, kind_hint) = (request.workspace, request.item_id, request.kind);
    let Some(subject) = *confirm else {
        return installable_listing(db, workspace, item_id, kind_hint, claim).await;
    };
    let checking = CallerCheck::new(db, subject, Some(workspace));
    let found = installable_listing(&checking, workspace, item_id, kind_hint, claim).await;
    confirmed(&checking, request.user_id)?;
    *confirm = None;
    found
}

/// `Ok` when the statement sent through `checking` confirmed the caller: user `user_id`, with a role that may
/// change the workspace. Otherwise the route looks the caller up and tries again; nothing that statement
/// read may be answered. A statement that failed confirmed no one (it may have failed for want of a check:
/// a lane in a workspace that does not exist).
pub(crate) fn confirmed<C: Sql>(
    checking: &CallerCheck<'_, C>,
    user_id: i64,
) -> Result<(), CatalogError> {
    match checking.checked() {
        Some(checked) if confirms(&checked, user_id) => Ok(()),
        _ => Err(CatalogError::CallerUnconfirmed),
    }
}

/// Whether a caller lookup found user `user_id` with a role that may change the workspace.
fn confirms(checked: &Checked, user_id: i64) -> bool {
    checked
        .caller
        .as_ref()
        .is_some_and(|caller| caller.id == user_id)
        && checked.role.is_some_and(|role| role.can_write())
}

/// `manifest`, when the caller consented to it: a digest sent must be the manifest's, and without one only
/// what `needs_consent` says needs none goes ahead. Installs need consent to a manifest that reaches
/// anything; updates, to one that reaches more than the copy did.
pub(crate) fn consented(
    manifest: Manifest,
    needs_consent: bool,
    accepted: Option<&str>,
) -> Result<Manifest, CatalogError> {
    match accepted {
        Some(digest) if digest != manifest.capabilities_digest => {
            Err(CatalogError::CapabilitiesChanged(Box::new(manifest)))
        }
        None if needs_consent => Err(CatalogError::CapabilitiesConsentRequired(Box::new(
            manifest,
        ))),
        _ => Ok(manifest),
    }
}
