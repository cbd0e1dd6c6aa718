//! What pulls an approved version back: a yank (its publisher or an admin: never installed or offered as an
//! update again, undone by un-yanking) and a revocation (an admin, with a severity: installed copies get an
//! advisory). A listing serves its highest approved version that is neither; when none is left, its live
//! version stays the pulled one and [`live_version_pulled_sql`] says so.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use tokio_postgres::Row;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::status::Severity;
use crate::foundation::version::Version;

/// A yanked version's reason and when it was yanked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Yank {
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A revoked version's severity, reason and when it was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    pub severity: Severity,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// What an installed copy of a revoked version is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advisory {
    pub severity: Severity,
    pub reason: String,
    pub at: DateTime<Utc>,
    /// The lowest installable version above the installed one, if any.
    pub fixed_in: Option<Version>,
}

/// The lowest of `installable` above `installed`.
pub(crate) fn fixed_in(installed: &Version, installable: &[Version]) -> Option<Version> {
    installable
        .iter()
        .filter(|version| *version > installed)
        .min()
        .cloned()
}

/// The highest of `installable`.
pub(crate) fn highest(installable: &[Version]) -> Option<&Version> {
    installable.iter().max()
}

/// Whether the live version of listing `alias` (its `version` column) was yanked or revoked: then nothing of
/// it can be installed or offered as an update. A listing whose versions were never recorded is not pulled.
pub(crate) fn live_version_pulled_sql(alias: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM item_versions pv WHERE pv.item_id = {alias}.id AND pv.version = {alias}.version
                 AND (pv.yanked_at IS NOT NULL OR pv.revoked_at IS NOT NULL))"
    )
}

/// The approved versions of listing id `item` (an SQL expression) that may be installed: neither yanked nor
/// revoked, as a `text[]`.
pub(crate) fn installable_versions_sql(item: &str) -> String {
    format!(
        "ARRAY(SELECT iv.version::text FROM item_versions iv WHERE iv.item_id = {item} AND iv.status = 'approved'
               AND iv.yanked_at IS NULL AND iv.revoked_at IS NULL)"
    )
}

/// The advisories of an install of listing id `item` at version `version` (SQL expressions), as a JSON array
/// of `{"severity", "reason", "at", "installable"}`: `installable` is what [`fixed_in`] chooses from.
pub(crate) fn advisories_sql(item: &str, version: &str) -> String {
    format!(
        "(SELECT coalesce(jsonb_agg(jsonb_build_object(
                     'severity', av.revoke_severity, 'reason', av.revoke_reason, 'at', av.revoked_at,
                     'installable', to_jsonb({installable}))), '[]')
          FROM item_versions av
          WHERE av.item_id = {item} AND av.version = {version}::text::semver AND av.revoked_at IS NOT NULL)",
        installable = installable_versions_sql("av.item_id"),
    )
}

/// The advisories read back from [`advisories_sql`]'s JSON, for an install at `installed`.
pub(crate) fn read_advisories(
    value: serde_json::Value,
    installed: &Version,
) -> Result<Vec<Advisory>, CatalogError> {
    #[derive(Deserialize)]
    struct Stored {
        severity: Severity,
        reason: String,
        at: DateTime<Utc>,
        installable: Vec<String>,
    }
    let stored: Vec<Stored> = serde_json::from_value(value)
        .map_err(|error| CatalogError::Unreadable(format!("advisories: {error}")))?;
    stored
        .into_iter()
        .map(|advisory| {
            let installable = parse_versions(&advisory.installable)?;
            Ok(Advisory {
                severity: advisory.severity,
                reason: advisory.reason,
                at: advisory.at,
                fixed_in: fixed_in(installed, &installable),
            })
        })
        .collect()
}

/// Versions as the database returned them (text), parsed.
pub(crate) fn parse_versions(versions: &[String]) -> Result<Vec<Version>, CatalogError> {
    versions
        .iter()
        .map(|version| Version::parse(version))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| CatalogError::Unreadable(format!("version: {error}")))
}

/// The yank a version row carries (`yanked_at`, `yank_reason`), if any.
pub(crate) fn read_yank(row: &Row) -> Result<Option<Yank>, CatalogError> {
    Ok(
        match (
            row.read("yanked_at")?,
            row.read::<Option<String>>("yank_reason")?,
        ) {
            (Some(at), Some(reason)) => Some(Yank { reason, at }),
            _ => None,
        },
    )
}

/// The revocation a version row carries (`revoked_at`, `revoke_reason`, `revoke_severity`), if any.
pub(crate) fn read_revocation(row: &Row) -> Result<Option<Revocation>, CatalogError> {
    Ok(
        match (
            row.read("revoked_at")?,
            row.read::<Option<String>>("revoke_reason")?,
            row.read::<Option<Severity>>("revoke_severity")?,
        ) {
            (Some(at), Some(reason), Some(severity)) => Some(Revocation {
                severity,
                reason,
                at,
            }),
            _ => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn the_fix_is_the_lowest_installable_version_above_the_installed_one() {
        let installable = [v("1.0.0"), v("1.10.0"), v("1.9.0"), v("2.0.0-beta.1")];
        assert_eq!(fixed_in(&v("1.2.0"), &installable), Some(v("1.9.0")));
        assert_eq!(
            fixed_in(&v("1.10.0"), &installable),
            Some(v("2.0.0-beta.1"))
        );
        assert_eq!(fixed_in(&v("2.0.0"), &installable), None);
        assert_eq!(highest(&installable), Some(&v("2.0.0-beta.1")));
    }
}
