//! What refuses a submission outright, before anything is stored: credentials outside their slots, a
//! blocking finding of the checks at submit, and recipe steps that name agents nobody may install.

use serde_json::Value;
use tokio_postgres::Transaction;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::findings::Finding;
use crate::foundation::statement::Statement;

/// 422 with every finding when one of them blocks; nothing is stored (the caller's transaction rolls back).
pub(crate) fn refuse_blocking(findings: &[Finding]) -> Result<(), CatalogError> {
    if findings.iter().any(Finding::is_blocking) {
        Err(CatalogError::SubmissionBlocked(findings.to_vec()))
    } else {
        Ok(())
    }
}

/// The credentials outside a credential slot in `content` and in plain text fields (`(field, text)`).
pub(crate) fn credentials_in(
    content: &Value,
    fields: &[(&str, &str)],
) -> Vec<marketplace_credentials::Finding> {
    let mut findings = marketplace_credentials::find_credentials(content, "");
    for (field, text) in fields {
        findings.extend(
            marketplace_credentials::scan_text(text)
                .into_iter()
                .map(|rule| marketplace_credentials::Finding {
                    field: (*field).to_owned(),
                    rule,
                }),
        );
    }
    findings
}

/// 422 naming each place and rule of `findings`, if any; nothing is stored (the caller's transaction rolls
/// back).
pub(crate) fn refuse_credentials(
    findings: Vec<marketplace_credentials::Finding>,
) -> Result<(), CatalogError> {
    if findings.is_empty() {
        Ok(())
    } else {
        Err(CatalogError::CredentialsInContent(findings))
    }
}

/// A recipe's steps may name agents by `agent_id` only when the id is a listed, approved marketplace agent:
/// never another workspace's item or an unreviewed listing, which an installed copy would point at.
pub(crate) async fn refuse_foreign_steps(
    tx: &Transaction<'_>,
    content: &Value,
) -> Result<(), CatalogError> {
    let steps = content
        .get("steps")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let named: Vec<(usize, Option<i64>)> = steps
        .iter()
        .enumerate()
        .filter_map(|(index, step)| step.get("agent_id").map(|id| (index, id.as_i64())))
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = named.iter().filter_map(|(_, id)| *id).collect();
    let rows = Statement::new(format!(
        "SELECT t.id FROM agents t WHERE t.id = ANY($1) AND {listed}",
        listed = Audience::Public.listed("t"),
    ))
    .bind(ids)
    .query(tx)
    .await?;
    let listed: Vec<i64> = rows
        .iter()
        .map(|row| row.read("id"))
        .collect::<Result<_, _>>()?;
    match named
        .iter()
        .find(|(_, id)| !id.is_some_and(|id| listed.contains(&id)))
    {
        Some((index, _)) => Err(CatalogError::Unprocessable(
            format!("steps/{index}/agent_id"),
            "must be the id of an agent listed in the marketplace (or name the agent with agent_name)"
                .into(),
        )),
        None => Ok(()),
    }
}
