//! What an installed copy is called: the listing's name if the workspace has no item of that kind so named,
//! else `X-copy`, then `X-copy-N`. Plans name their clones with it; installs retry with it on a conflict.

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Sql, Statement};
use crate::foundation::workspace::WorkspaceId;

/// Names in the workspace that the copy-naming rule could produce for each `(kind, base)`: one list per
/// pair, in the order given, read in one statement.
pub(crate) async fn taken_copy_names(
    db: &impl Sql,
    workspace: WorkspaceId,
    wanted: &[(ItemKind, &str)],
) -> Result<Vec<Vec<String>>, CatalogError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let kinds: Vec<ItemKind> = ItemKind::ALL
        .into_iter()
        .filter(|kind| wanted.iter().any(|(wanted, _)| wanted == kind))
        .collect();
    let names = union_all(&kinds, |kind| {
        format!(
            "SELECT name FROM {table}
             WHERE w.kind = '{kind}' AND workspace_id = $1 AND left(name, length(w.stem)) = w.stem",
            table = kind.table()
        )
    });
    let (kinds, stems): (Vec<String>, Vec<String>) = wanted
        .iter()
        .map(|(kind, base)| (kind.as_str().to_owned(), name_stem(base)))
        .unzip();
    let rows = Statement::new(format!(
        "SELECT w.position, t.name
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS w(kind, stem, position)
         CROSS JOIN LATERAL ({names}) t"
    ))
    .bind(workspace)
    .bind(kinds)
    .bind(stems)
    .query(db)
    .await?;
    let mut taken = vec![Vec::new(); wanted.len()];
    for row in &rows {
        taken[row.read::<i64>("position")? as usize - 1].push(row.read("name")?);
    }
    Ok(taken)
}

/// `X` if free, else `X-copy`, else the lowest free `X-copy-N` (N ≥ 2); `X` is shortened where the suffix
/// would push the name past the column's limit.
pub(crate) fn first_free_name(base: &str, taken: &[String]) -> String {
    let is_free = |name: &str| !taken.iter().any(|t| t == name);
    std::iter::once(String::new())
        .chain(std::iter::once("-copy".to_owned()))
        .chain((2..).map(|n| format!("-copy-{n}")))
        .map(|suffix| {
            let room = MAX_NAME_CHARS - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(room).collect::<String>())
        })
        .find(|name| is_free(name))
        .expect("an unbounded sequence has a free name")
}

/// The names [`taken_copy_names`] reads for a copy of row `alias` (its name the base) in the workspace
/// `workspace` (a placeholder), as a `text[]` (a SQL expression): read with the listing, a plan names its
/// clones without a statement of its own.
pub(crate) fn taken_names_sql(kind: ItemKind, alias: &str, workspace: &str) -> String {
    format!(
        "ARRAY(SELECT w.name FROM {table} w
               WHERE w.workspace_id = {workspace} AND left(w.name, length(left({alias}.name, {STEM_CHARS})))
                     = left({alias}.name, {STEM_CHARS}))",
        table = kind.table(),
    )
}

const MAX_NAME_CHARS: usize = *crate::foundation::limits::NAME_CHARS.end();
/// How many characters of a base every candidate name starts with.
const STEM_CHARS: usize = MAX_NAME_CHARS - "-copy-999999".len();

/// The part of `base` that every candidate name starts with.
fn name_stem(base: &str) -> String {
    base.chars().take(STEM_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::first_free_name;

    #[test]
    fn names_copies_x_then_copy_then_numbered() {
        let taken = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(first_free_name("X", &taken(&[])), "X");
        assert_eq!(first_free_name("X", &taken(&["X"])), "X-copy");
        assert_eq!(first_free_name("X", &taken(&["X", "X-copy"])), "X-copy-2");
        assert_eq!(
            first_free_name("X", &taken(&["X", "X-copy", "X-copy-2", "X-copy-4"])),
            "X-copy-3"
        );
        assert_eq!(first_free_name("X", &taken(&["X-copy"])), "X");
        let long = "n".repeat(200);
        let copy = first_free_name(&long, &taken(&[&long]));
        assert_eq!(copy.chars().count(), 200);
        assert!(copy.ends_with("-copy"));
    }
}
