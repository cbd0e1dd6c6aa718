//! The `migrate` function: applies every embedded migration not yet applied (under an advisory lock, so
//! concurrent invocations wait rather than race) and reports what it applied. With
//! `{"seed_llm_catalog": true}` it also upserts the bundled LLM catalog; with `{"refresh_rating_prior": true}`
//! it sets the mean of the prior behind `sort=rating` to the global mean rating and re-scores the rated
//! listings (after bulk loads, and from time to time); with `{"scrub_credentials": true}` it replaces the
//! credentials stored before submissions were refused for holding them (listings, version snapshots,
//! installed copies) and reports how many values it replaced; with `{"grant_admin": "<sub>"}` (or
//! `{"revoke_admin": "<sub>"}`) it makes the user of that identity-provider subject a marketplace admin (or
//! not), creating the user if it never signed in, and logs it in `admin_actions`: the first admin needs no SQL.
//! Every run fills in the name skeletons (the lookalike check's) of listings written without the service.

use marketplace_catalog::accounts::{self, AdminGrant};
use marketplace_catalog::{llm_catalog, RatingPrior, ScrubReport};
use marketplace_db::Pool;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
pub struct Report {
    pub applied: Vec<String>,
    pub llm_catalog: Option<CatalogReport>,
    pub rating_prior: Option<RatingPrior>,
    pub scrubbed: Option<ScrubReport>,
    pub admin: Option<AdminGrant>,
    /// Listings whose name skeleton was filled in.
    pub name_skeletons: u64,
}

#[derive(Debug, Serialize)]
pub struct CatalogReport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[tracing::instrument(skip_all)]
pub async fn handle(pool: &Pool, event: Value) -> Result<Report, lambda_runtime::Error> {
    let mut client = pool.get().await?;
    let applied = marketplace_db::migrate(&mut client).await?;
    let llm_catalog = if event.get("seed_llm_catalog").and_then(Value::as_bool) == Some(true) {
        let tx = client.transaction().await?;
        let report = llm_catalog::upsert(&tx, &llm_catalog::bundled_entries()?).await?;
        tx.commit().await?;
        Some(CatalogReport {
            inserted: report.inserted,
            updated: report.updated,
            unchanged: report.unchanged,
        })
    } else {
        None
    };
    // Listings written without the service (bulk loads, the LLM catalog just upserted, or listings from before
    // skeletons existed) get their name skeletons, which the lookalike check at submit compares with.
    let name_skeletons = marketplace_catalog::fill_name_skeletons(&**client).await?;
    let rating_prior = if event.get("refresh_rating_prior").and_then(Value::as_bool) == Some(true) {
        Some(marketplace_catalog::refresh_rating_prior(&**client).await?)
    } else {
        None
    };
    let scrubbed = if event.get("scrub_credentials").and_then(Value::as_bool) == Some(true) {
        let tx = client.transaction().await?;
        let report = marketplace_catalog::scrub_stored_credentials(&*tx).await?;
        tx.commit().await?;
        Some(report)
    } else {
        None
    };
    let admin = match (
        event.get("grant_admin").and_then(Value::as_str),
        event.get("revoke_admin").and_then(Value::as_str),
    ) {
        (Some(_), Some(_)) => return Err("grant_admin and revoke_admin in one event".into()),
        (Some(subject), None) => Some(accounts::set_admin(&**client, subject, true).await?),
        (None, Some(subject)) => Some(accounts::set_admin(&**client, subject, false).await?),
        (None, None) => None,
    };
    tracing::info!(
        ?applied,
        ?llm_catalog,
        ?rating_prior,
        ?scrubbed,
        ?admin,
        name_skeletons,
        "migrate done"
    );
    Ok(Report {
        applied,
        llm_catalog,
        rating_prior,
        scrubbed,
        admin,
        name_skeletons,
    })
}
