//! What a listing request asks for, and the cursor positions it resumes from.

use crate::browse::sort::Sort;
use crate::foundation::cursor::{self, CursorError};
use crate::foundation::kind::ItemKind;
use crate::foundation::limits::DEFAULT_PAGE_SIZE;
use crate::foundation::position::PositionValue;

/// A validated listing request (the HTTP layer enforces the bounds of docs/api.md). The default is the first
/// page of everything, popular first, of the default size.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub kind: Option<ItemKind>,
    pub category: Option<String>,
    pub search: Option<String>,
    /// Items must carry every one of these tags (case-insensitive).
    pub tags: Vec<String>,
    pub featured: Option<bool>,
    /// Only the listings of this private catalog.
    pub catalog: Option<i64>,
    pub sort: Sort,
    pub limit: i64,
    pub offset: i64,
    /// Start after this position (from a cursor) instead of at `offset`.
    pub after: Option<Position>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            kind: None,
            category: None,
            search: None,
            tags: Vec::new(),
            featured: None,
            catalog: None,
            sort: Sort::Popular,
            limit: DEFAULT_PAGE_SIZE,
            offset: 0,
            after: None,
        }
    }
}

/// Where a page starts: the position of the last row the previous page showed, read from its cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Position(pub(super) Vec<PositionValue>);

impl ListQuery {
    /// The position a cursor names, if it was issued for this listing (same filters, search and sort).
    pub fn position(&self, cursor: &str) -> Result<Position, CursorError> {
        cursor::decode(cursor, &self.scope(), &self.sort.position_types()).map(Position)
    }

    /// What a cursor is bound to: everything that selects and orders the rows, not the page size.
    pub(super) fn scope(&self) -> String {
        let mut tags: Vec<String> = self.tags.iter().map(|tag| tag.to_lowercase()).collect();
        tags.sort();
        format!(
            "items\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}{}",
            self.kind.map(ItemKind::as_str),
            self.category.as_deref().map(str::to_lowercase),
            self.search,
            tags,
            self.featured,
            self.sort.as_str(),
            self.catalog
                .map(|catalog| format!("\ncatalog {catalog}"))
                .unwrap_or_default(),
        )
    }

    pub(super) fn search_term(&self) -> Option<&str> {
        self.search.as_deref().filter(|term| !term.is_empty())
    }

    pub(super) fn kinds(&self) -> Vec<ItemKind> {
        match self.kind {
            Some(kind) => vec![kind],
            None => ItemKind::ALL.to_vec(),
        }
    }
}
