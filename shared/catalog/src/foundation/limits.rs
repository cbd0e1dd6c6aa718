//! The bounds of every field a client sends, in one place: the handlers check them, `openapi.yaml` states
//! them, and where a column holds the field, a CHECK in the schema repeats them.

use std::ops::RangeInclusive;

/// An item's `name` (CHECK in V2).
pub const NAME_CHARS: RangeInclusive<usize> = 1..=200;
/// A private catalog's name.
pub const CATALOG_NAME_CHARS: RangeInclusive<usize> = 1..=100;
/// An item's `description` (CHECK in V2).
pub const DESCRIPTION_CHARS: RangeInclusive<usize> = 0..=5000;
/// A listing's category (CHECK on `marketplace_category` in V2); also the listing filter.
pub const CATEGORY_CHARS: RangeInclusive<usize> = 1..=100;
/// A listing's icon URL (CHECK on `marketplace_icon` in V2).
pub const ICON_CHARS: RangeInclusive<usize> = 1..=2000;
/// How many tags a submission may set.
pub const MAX_TAGS: usize = 20;
/// One tag.
pub const TAG_CHARS: RangeInclusive<usize> = 1..=50;
/// A version's changelog.
pub const CHANGELOG_CHARS: RangeInclusive<usize> = 0..=10_000;
/// A rejection's reason.
pub const REASON_CHARS: RangeInclusive<usize> = 1..=2000;
/// A review's stars.
pub const RATING_STARS: RangeInclusive<i64> = 1..=5;
/// A review's title (CHECK in V8).
pub const REVIEW_TITLE_CHARS: RangeInclusive<usize> = 0..=120;
/// A review's body (CHECK in V8).
pub const REVIEW_BODY_CHARS: RangeInclusive<usize> = 0..=5000;
/// A listing's search term.
pub const SEARCH_CHARS: RangeInclusive<usize> = 0..=200;

/// How many `tag` filters a listing takes (all must match).
pub const MAX_TAG_FILTERS: usize = 5;
/// A page cursor, as the API issues them (with room to spare).
pub const CURSOR_CHARS: RangeInclusive<usize> = 1..=1000;

/// `limit` of a page when the request names none.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// `limit` of a page of reviews when the request names none.
pub const DEFAULT_REVIEW_PAGE_SIZE: i64 = 20;
/// Maximum `limit` of a page.
pub const MAX_PAGE_SIZE: i64 = 100;
/// Deepest `offset` a page accepts.
pub const MAX_OFFSET: i64 = 10_000;
