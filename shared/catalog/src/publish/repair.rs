//! Repairs of what was stored before a rule existed: credentials in listings, version snapshots and
//! installed copies, from before submissions were refused for holding them. Run by the migrate function
//! (`{"scrub_credentials": true}`), a page of rows per statement.

use serde::Serialize;
use serde_json::Value;

use crate::foundation::column::ReadColumn;
use crate::foundation::content;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Sql, Statement};

/// How many rows one read of the repair takes.
const PAGE: i64 = 500;

/// What a scrub replaced: rows changed of each sort, and values replaced in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScrubReport {
    pub listings: u64,
    pub versions: u64,
    pub copies: u64,
    pub values: u64,
}

/// Replaces every stored credential with the placeholder: in listings and version snapshots, every value
/// the detector finds and every credential slot; in installed copies, only what the detector finds outside
/// the slots (a slot there holds the workspace's own credential, filled in after the install).
pub async fn scrub_stored_credentials(db: &impl Sql) -> Result<ScrubReport, CatalogError> {
    let mut report = ScrubReport::default();
    for kind in ItemKind::ALL {
        let mut after = 0_i64;
        loop {
            let rows = Statement::new(format!(
                "SELECT t.id, t.owner_type = 'marketplace' AS listing, {content} AS content
                 FROM {table} t
                 WHERE t.id > $1 AND (t.owner_type = 'marketplace' OR t.cloned_from_id IS NOT NULL)
                 ORDER BY t.id LIMIT $2",
                content = kind.content_sql("t"),
                table = kind.table(),
            ))
            .bind(after)
            .bind(PAGE)
            .query(db)
            .await?;
            for row in &rows {
                let id: i64 = row.read("id")?;
                let listing: bool = row.read("listing")?;
                let mut stored: Value = row.read("content")?;
                let replaced = if listing {
                    marketplace_credentials::scrub(&mut stored)
                } else {
                    replace_findings(&mut stored)
                };
                if replaced > 0 {
                    content::write(db, kind, id, &stored).await?;
                    report.values += replaced as u64;
                    if listing {
                        report.listings += 1;
                    } else {
                        report.copies += 1;
                    }
                }
                after = id;
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
    }
    let mut after = 0_i64;
    loop {
        let rows = Statement::new(
            "SELECT id, content FROM item_versions WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .query(db)
        .await?;
        for row in &rows {
            let id: i64 = row.read("id")?;
            let mut stored: Value = row.read("content")?;
            let replaced = marketplace_credentials::scrub(&mut stored);
            if replaced > 0 {
                Statement::new("UPDATE item_versions SET content = $2 WHERE id = $1")
                    .bind(id)
                    .bind(stored)
                    .execute(db)
                    .await?;
                report.versions += 1;
                report.values += replaced as u64;
            }
            after = id;
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    Ok(report)
}

/// Replaces the value at each place the detector reports (slots are not reported) with the placeholder;
/// returns how many.
fn replace_findings(value: &mut Value) -> usize {
    let findings = marketplace_credentials::find_credentials(value, "");
    let mut replaced = 0;
    for finding in &findings {
        if let Some(found) = value.pointer_mut(&format!("/{}", finding.field)) {
            if *found != Value::String(marketplace_credentials::PLACEHOLDER.into()) {
                *found = Value::String(marketplace_credentials::PLACEHOLDER.into());
                replaced += 1;
            }
        }
    }
    replaced
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_copy_keeps_its_slots_and_loses_what_the_detector_finds() {
        let mut copy = json!({"configuration": {
            "api_key": "sk-workspace-own-key-0123456789",
            "prompt": "Use ghp_0123456789abcdefghijklmnopqrstuvwxyz to read the repo.",
            "notes": "plain"
        }});
        assert_eq!(replace_findings(&mut copy), 1);
        assert_eq!(
            copy,
            json!({"configuration": {
                "api_key": "sk-workspace-own-key-0123456789",
                "prompt": "[redacted]",
                "notes": "plain"
            }})
        );
        assert_eq!(replace_findings(&mut copy), 0);
    }
}
