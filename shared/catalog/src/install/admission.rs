//! What lets an install go ahead: its listing found for a caller confirmed by the same statement, nothing
//! its plan pins gone, and consent to what it reaches.

use crate::foundation::caller_check::{CallerCheck, Checked};
use crate::foundation::capabilities::Manifest;
use crate::foundation::error::CatalogError;
use crate::foundation::redact::shown;
use crate::foundation::statement::Sql;
use crate::install::dependencies::{installable_listing, Claim, Installable};
use crate::install::outcome::InstallRequest;
use crate::install::planned::Plan;
use crate::install::replay::ReplayKey;

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

/// The listing `request` installs, found by a statement that also takes what `claim` asks for, or, with a
/// `replay` key, the answer of the earlier install under it, read by the same statement first. With a caller
/// to `confirm`, the same statement confirms them ([`CallerCheck`]) before anything is written or answered,
/// and `confirm` is taken.
pub(crate) async fn listing_for<C: Sql>(
    db: &C,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
    claim: Claim,
    replay: Option<ReplayKey<'_>>,
) -> Result<Installable, CatalogError> {
    let (workspace, item_id, kind_hint) = (request.workspace, request.item_id, request.kind);
    confirming(db, request, confirm, async |db| {
        installable_listing(db, workspace, item_id, kind_hint, claim, replay).await
    })
    .await
}

/// What `read` reads on `db`. With a caller to `confirm`, `read`'s first statement carries their lookup
/// ([`CallerCheck`]), and what it read is answered only once that found `request`'s user with a role that may
/// change the workspace; `confirm` is then taken. Otherwise the route looks the caller up and tries again
/// ([`CatalogError::CallerUnconfirmed`]). A statement that failed confirmed no one (it may have failed for
/// want of a check: a lane in a workspace that does not exist).
async fn confirming<C: Sql, T>(
    db: &C,
    request: &InstallRequest,
    confirm: &mut Option<&str>,
    read: impl AsyncFnOnce(&CallerCheck<'_, C>) -> Result<T, CatalogError>,
) -> Result<T, CatalogError> {
    let Some(subject) = *confirm else {
        return read(&CallerCheck::off(db)).await;
    };
    let checking = CallerCheck::new(db, subject, Some(request.workspace));
    let found = read(&checking).await;
    match checking.checked() {
        Some(checked) if confirms(&checked, request.user_id) => {
            *confirm = None;
            found
        }
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
