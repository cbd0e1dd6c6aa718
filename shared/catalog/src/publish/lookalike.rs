//! Lookalike names: a new listing may not take a name that reads the same as another publisher's listed
//! name (their Unicode confusable skeletons, UTS #39, are equal: `Pаypal` with a Cyrillic `а`, `SIack` with a
//! capital I), and a name a couple of edits away from a popular listing of another publisher is a warning.
//! Each listing keeps its name's skeleton (`name_skeleton`), written when it is submitted, and by
//! [`fill_name_skeletons`] for listings written otherwise.

use tokio_postgres::Transaction;

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::findings::{Finding, FindingSeverity};
use crate::foundation::kind::{union_all, ItemKind};
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;

/// Listings installed in at least this many workspaces are protected from near-miss names.
pub(crate) const POPULAR_WORKSPACES: i32 = 10;
/// How many edits apart a near-miss name is.
const NEAR_MISS_EDITS: usize = 2;

/// What two names look the same by: the confusable skeleton, case folded, spaces collapsed.
pub fn name_skeleton(name: &str) -> String {
    let skeleton: String = unicode_security::skeleton(name).collect();
    let folded = skeleton.to_lowercase();
    let skeleton: String = unicode_security::skeleton(&folded).collect();
    skeleton.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Records the skeleton of listing `item_id`'s name and finds the listings of other publishers its name
/// imitates, in one statement. A publisher is the workspace a listing was submitted from, and the user who
/// submitted it: neither may be the caller's for a listing to count as another publisher's.
pub(crate) async fn lookalike_findings(
    tx: &Transaction<'_>,
    kind: ItemKind,
    item_id: i64,
    name: &str,
    workspace: WorkspaceId,
    user_id: i64,
) -> Result<Vec<Finding>, CatalogError> {
    let skeleton = name_skeleton(name);
    let others = union_all(&ItemKind::ALL, |other| {
        format!(
            "(SELECT t.id, t.name, t.name_skeleton = $1 AS same FROM {table} t
              LEFT JOIN {table} s ON s.id = t.cloned_from_id
              WHERE (t.name_skeleton = $1 OR (t.name % $2 AND t.workspace_count >= {POPULAR_WORKSPACES}))
                AND {listed} AND t.id <> $3
                AND NOT coalesce(s.workspace_id = $4, false) AND NOT coalesce(t.original_creator_id = $5, false)
              ORDER BY t.name_skeleton = $1 DESC, t.id LIMIT 20)",
            table = other.table(),
            listed = Audience::Public.listed("t"),
        )
    });
    let rows = Statement::new(format!(
        "WITH own AS (UPDATE {table} SET name_skeleton = $1 WHERE id = $3)
         SELECT o.id, o.name, o.same FROM ({others}) o ORDER BY o.same DESC, o.id",
        table = kind.table(),
    ))
    .bind(&skeleton)
    .bind(name)
    .bind(item_id)
    .bind(workspace)
    .bind(user_id)
    .query(tx)
    .await?;
    let mut findings = Vec::new();
    for row in &rows {
        let (id, other, same): (i64, String, bool) =
            (row.read("id")?, row.read("name")?, row.read("same")?);
        if same {
            findings.push(Finding::new(
                "lookalike_name",
                FindingSeverity::Blocking,
                "name",
                format!(
                    "reads the same as \"{other}\" (id {id}), another publisher's listing; choose a name of your own"
                ),
            ));
        } else if edit_distance(&name.to_lowercase(), &other.to_lowercase()) <= NEAR_MISS_EDITS {
            findings.push(Finding::new(
                "lookalike_name",
                FindingSeverity::Warning,
                "name",
                format!(
                    "is within {NEAR_MISS_EDITS} edits of \"{other}\" (id {id}), another publisher's popular listing"
                ),
            ));
        }
    }
    findings.dedup();
    Ok(findings)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Writes the name skeleton of every listing that has none (listings loaded in bulk, seeded, or from before
/// skeletons), a thousand at a time; returns how many it wrote.
pub async fn fill_name_skeletons(db: &impl Sql) -> Result<u64, CatalogError> {
    let mut filled = 0;
    for kind in ItemKind::ALL {
        loop {
            let rows = Statement::new(format!(
                "SELECT id, name FROM {table}
                 WHERE owner_type = 'marketplace' AND name_skeleton IS NULL ORDER BY id LIMIT 1000",
                table = kind.table(),
            ))
            .query(db)
            .await?;
            if rows.is_empty() {
                break;
            }
            let mut ids = Vec::with_capacity(rows.len());
            let mut skeletons = Vec::with_capacity(rows.len());
            for row in &rows {
                ids.push(row.read::<i64>("id")?);
                skeletons.push(name_skeleton(&row.read::<String>("name")?));
            }
            filled += Statement::new(format!(
                "UPDATE {table} t SET name_skeleton = f.skeleton
                 FROM unnest($1::bigint[], $2::text[]) AS f (id, skeleton) WHERE t.id = f.id",
                table = kind.table(),
            ))
            .bind(ids)
            .bind(skeletons)
            .execute(db)
            .await?;
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusable_names_share_a_skeleton() {
        assert_eq!(name_skeleton("P\u{0430}ypal"), name_skeleton("Paypal"));
        assert_eq!(
            name_skeleton("SIack  Helper"),
            name_skeleton("slack helper")
        );
        assert_eq!(name_skeleton("ＧｉｔＨｕｂ"), name_skeleton("github"));
        assert_ne!(name_skeleton("Slack"), name_skeleton("Stack"));
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("slack", "slak"), 1);
        assert_eq!(edit_distance("slack", "sIakc"), 3);
        assert_eq!(edit_distance("café", "cafe"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
