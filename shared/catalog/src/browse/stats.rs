//! Catalog-wide figures, read from the `marketplace_counts` counters rather than counted.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Sql, Statement};

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub total_items: i64,
    pub featured_count: i64,
    pub total_installs: i64,
    /// Installs not uninstalled whose workspace copy still exists, over every listing.
    pub active_installs: i64,
    /// Workspaces that ever installed from the marketplace.
    pub workspace_count: i64,
    /// How many distinct categories approved items are in.
    pub categories: i64,
    pub by_type: BTreeMap<ItemKind, i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryCount {
    pub category: String,
    pub count: i64,
}

/// Figures over approved, listed marketplace items.
pub async fn stats(db: &impl Sql) -> Result<Stats, CatalogError> {
    let rows = stats_statement().query(db).await?;
    let mut stats = Stats {
        total_items: 0,
        featured_count: 0,
        total_installs: 0,
        active_installs: 0,
        workspace_count: 0,
        categories: 0,
        by_type: ItemKind::ALL.iter().map(|&kind| (kind, 0)).collect(),
    };
    let mut categories = HashSet::new();
    for row in &rows {
        stats.active_installs = row.read("active_installs")?;
        stats.workspace_count = row.read("workspaces")?;
        let Some(kind) = row.read::<Option<ItemKind>>("kind")? else {
            continue;
        };
        let category: &str = row.read("category_key")?;
        let items: i64 = row.read("items")?;
        stats.total_items += items;
        stats.featured_count += row.read::<i64>("featured")?;
        stats.total_installs += row.read::<i64>("installs")?;
        *stats.by_type.entry(kind).or_default() += items;
        if !category.is_empty() {
            categories.insert(category);
        }
    }
    stats.categories = categories.len() as i64;
    Ok(stats)
}

/// Categories of approved, listed items with how many items each holds, largest first.
pub async fn categories(
    db: &impl Sql,
    kind: Option<ItemKind>,
) -> Result<Vec<CategoryCount>, CatalogError> {
    let rows = categories_statement(kind).query(db).await?;
    rows.iter()
        .map(|row| {
            Ok(CategoryCount {
                category: row.read("category")?,
                count: row.read("count")?,
            })
        })
        .collect()
}

/// The approved counters, per kind and category, each row (or the one row, when there are none) with the
/// install totals.
pub fn stats_statement() -> Statement<'static> {
    Statement::new(
        "SELECT c.kind, c.category_key, c.items, c.featured, c.installs, t.active_installs, t.workspaces
         FROM marketplace_install_totals t
         LEFT JOIN (SELECT kind::text AS kind, category_key, items, featured, installs
                    FROM marketplace_counts WHERE is_approved AND items > 0) c ON true",
    )
}

/// Categories with their approved item counts, largest first.
pub fn categories_statement(kind: Option<ItemKind>) -> Statement<'static> {
    Statement::new(
        "SELECT min(category) AS category, sum(items)::bigint AS count
         FROM marketplace_counts
         WHERE is_approved AND items > 0 AND category_key <> ''
           AND ($1::text IS NULL OR kind = $1::text)
         GROUP BY category_key
         ORDER BY count DESC, category_key",
    )
    .bind(kind)
}
