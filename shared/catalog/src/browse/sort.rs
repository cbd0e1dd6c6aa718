//! The orders of the marketplace listing, and the keys each is made of.
//!
//! Every order ends in `id`, unique across kinds, so pages never overlap or skip; a keyset cursor is the
//! position (the key values and id) of the last row a page showed.

use crate::foundation::position::{KeyType, PositionValue};
use crate::foundation::statement::{Params, Placeholder};

/// Listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Most installed first.
    Popular,
    Newest,
    /// Most recently updated first.
    Updated,
    /// Alphabetical, case-insensitive.
    Name,
    /// Best match to the search term first (its tier, see `search.rs`), then most installed.
    Relevance,
    /// Highest Bayesian average rating first (`rating_score`, V8), then most installed.
    Rating,
    /// Most installs from distinct workspaces in the last 7 days first (`trending_installs`, V8), then most
    /// installed.
    Trending,
    /// Installed by the most workspaces first.
    Workspaces,
}

impl Sort {
    pub const NAMES: &'static str =
        "popular, newest, updated, name, relevance, rating, trending, workspaces";

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "popular" => Some(Self::Popular),
            "newest" => Some(Self::Newest),
            "updated" => Some(Self::Updated),
            "name" => Some(Self::Name),
            "relevance" => Some(Self::Relevance),
            "rating" => Some(Self::Rating),
            "trending" => Some(Self::Trending),
            "workspaces" => Some(Self::Workspaces),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Popular => "popular",
            Self::Newest => "newest",
            Self::Updated => "updated",
            Self::Name => "name",
            Self::Relevance => "relevance",
            Self::Rating => "rating",
            Self::Trending => "trending",
            Self::Workspaces => "workspaces",
        }
    }

    /// The stored keys of this order before its `id` tie-break, matching one partial index per order in V2
    /// (e.g. `(install_count DESC, created_at DESC, id DESC)`). Relevance puts its computed tier before
    /// them.
    pub(crate) fn keys(self) -> &'static [SortKey] {
        match self {
            Self::Popular | Self::Relevance => &[INSTALL_COUNT, CREATED_AT],
            Self::Newest => &[CREATED_AT],
            Self::Updated => &[UPDATED_AT],
            Self::Name => &[NAME_KEY],
            Self::Rating => &[RATING_SCORE, INSTALL_COUNT],
            Self::Trending => &[TRENDING_INSTALLS, INSTALL_COUNT],
            Self::Workspaces => &[WORKSPACE_COUNT, CREATED_AT],
        }
    }

    pub(crate) fn is_relevance(self) -> bool {
        self == Self::Relevance
    }

    /// The order the stored keys (and `id`) run in: all one way, so one row comparison is a keyset bound.
    fn descending(self) -> bool {
        self != Self::Name
    }

    fn direction(self) -> &'static str {
        if self.descending() {
            " DESC"
        } else {
            ""
        }
    }

    /// ORDER BY over the stored keys of an item table `t` (relevance's tier aside).
    pub(crate) fn table_order(self) -> String {
        self.order_by(|key| key.expression, "t.id")
    }

    /// The same order as `table_order`, written so that no index can provide it: the planner then finds
    /// the matching rows through the search indexes and sorts them, instead of walking the order's index.
    pub(crate) fn unindexed_order(self) -> String {
        let keys: Vec<&str> = self.keys().iter().map(|key| key.expression).collect();
        format!("ROW({}, t.id){}", keys.join(", "), self.direction())
    }

    /// The order of the stored keys (and `id`) over the columns the candidate rows carry: relevance's tier
    /// aside, as one kind's read runs.
    pub(crate) fn stored_order(self) -> String {
        self.order_by(|key| key.column, "id")
    }

    /// The whole order over the columns the listing's candidate rows carry (`branch_columns`).
    pub(crate) fn merged_order(self) -> String {
        let stored = self.stored_order();
        if self.is_relevance() {
            format!("tier, {stored}")
        } else {
            stored
        }
    }

    fn order_by(self, term: impl Fn(&SortKey) -> &'static str, id: &'static str) -> String {
        let direction = self.direction();
        self.keys()
            .iter()
            .map(term)
            .chain([id])
            .map(|term| format!("{term}{direction}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What each kind's branch selects besides kind, id and tier: the keys of this order, named as
    /// [`Self::stored_order`] reads them (every branch of one listing has the same columns).
    pub(crate) fn branch_columns(self) -> String {
        self.keys()
            .iter()
            .map(|key| {
                let column = key.column;
                if key.expression == format!("t.{column}") {
                    key.expression.to_owned()
                } else {
                    format!("{} AS {column}", key.expression)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The names of the columns `branch_columns` selects, read from row `alias`.
    pub(crate) fn branch_column_names(self, alias: &str) -> String {
        self.keys()
            .iter()
            .map(|key| format!("{alias}.{}", key.column))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The position of a candidate row `alias` as a JSON array: [tier,] keys…, id. A cursor carries it.
    pub(crate) fn position_json(self, alias: &str) -> String {
        let tier = self
            .is_relevance()
            .then(|| format!("{alias}.tier"))
            .into_iter();
        let terms = tier
            .chain(
                self.keys()
                    .iter()
                    .map(|key| key.kind.as_json(&format!("{alias}.{}", key.column))),
            )
            .chain([format!("{alias}.id")]);
        format!("json_build_array({})", terms.collect::<Vec<_>>().join(", "))
    }

    /// The SQL types of a position's values, in order, to check a cursor's values against.
    pub(crate) fn position_types(self) -> Vec<KeyType> {
        let tier = self.is_relevance().then_some(KeyType::Integer).into_iter();
        tier.chain(self.keys().iter().map(|key| key.kind))
            .chain([KeyType::Integer])
            .collect()
    }

    /// Whether item row `t` comes after a bound position in this order (tier aside), as one row comparison
    /// of its stored keys and id, which the order's index serves as a range.
    pub(crate) fn stored_after(self, position: &[Placeholder]) -> String {
        let keys = self.keys();
        let row: Vec<&str> = keys
            .iter()
            .map(|key| key.expression)
            .chain(["t.id"])
            .collect();
        let bound: Vec<String> = keys
            .iter()
            .map(|key| key.kind)
            .chain([KeyType::Integer])
            .zip(position)
            .map(|(kind, placeholder)| kind.bound_value(*placeholder))
            .collect();
        let op = if self.descending() { "<" } else { ">" };
        format!("({}) {op} ({})", row.join(", "), bound.join(", "))
    }

    /// Whether candidate row `a` comes at or before candidate row `b` in this order (both carry
    /// `branch_columns` and, for relevance, `tier`).
    pub(crate) fn at_or_before(self, a: &str, b: &str) -> String {
        let row = |alias: &str| {
            self.keys()
                .iter()
                .map(|key| format!("{alias}.{}", key.column))
                .chain([format!("{alias}.id")])
                .collect::<Vec<_>>()
                .join(", ")
        };
        let op = if self.descending() { ">=" } else { "<=" };
        let stored = format!("({}) {op} ({})", row(a), row(b));
        if self.is_relevance() {
            format!("({a}.tier < {b}.tier OR ({a}.tier = {b}.tier AND {stored}))")
        } else {
            stored
        }
    }

    /// Binds a position's stored keys and id (the tier, if any, is the caller's), returning their
    /// placeholders.
    pub(crate) fn bind_position(
        self,
        values: &[PositionValue],
        params: &mut Params<'static>,
    ) -> Vec<Placeholder> {
        let skip = usize::from(self.is_relevance());
        values[skip..]
            .iter()
            .map(|value| match value {
                PositionValue::Integer(number) => params.bind(*number),
                PositionValue::Float(number) => params.bind(*number),
                PositionValue::Text(text) => params.bind(text.clone()),
            })
            .collect()
    }
}

/// A sort key: an expression over an item row `t`, and the column it becomes in a listing's branches.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SortKey {
    expression: &'static str,
    column: &'static str,
    kind: KeyType,
}

const INSTALL_COUNT: SortKey = SortKey {
    expression: "t.install_count",
    column: "install_count",
    kind: KeyType::Integer,
};
const CREATED_AT: SortKey = SortKey {
    expression: "t.created_at",
    column: "created_at",
    kind: KeyType::Timestamp,
};
const UPDATED_AT: SortKey = SortKey {
    expression: "t.updated_at",
    column: "updated_at",
    kind: KeyType::Timestamp,
};
const NAME_KEY: SortKey = SortKey {
    expression: "lower(t.name)",
    column: "name_key",
    kind: KeyType::Text,
};

const RATING_SCORE: SortKey = SortKey {
    expression: "t.rating_score",
    column: "rating_score",
    kind: KeyType::Float,
};
const TRENDING_INSTALLS: SortKey = SortKey {
    expression: "t.trending_installs",
    column: "trending_installs",
    kind: KeyType::Integer,
};
/// `sort=workspaces`, over V9's `%s_workspaces_idx`.
const WORKSPACE_COUNT: SortKey = SortKey {
    expression: "t.workspace_count",
    column: "workspace_count",
    kind: KeyType::Integer,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_follow_the_listing_indexes_of_v2() {
        let orders = [
            (
                Sort::Popular,
                "t.install_count DESC, t.created_at DESC, t.id DESC",
            ),
            (Sort::Newest, "t.created_at DESC, t.id DESC"),
            (Sort::Updated, "t.updated_at DESC, t.id DESC"),
            (Sort::Name, "lower(t.name), t.id"),
            (
                Sort::Workspaces,
                "t.workspace_count DESC, t.created_at DESC, t.id DESC",
            ),
        ];
        for (sort, table_order) in orders {
            assert_eq!(sort.table_order(), table_order, "{sort:?}");
            let merged = table_order
                .replace("t.", "")
                .replace("lower(name)", "name_key");
            assert_eq!(sort.merged_order(), merged, "{sort:?}");
        }
        assert_eq!(
            Sort::Relevance.merged_order(),
            "tier, install_count DESC, created_at DESC, id DESC"
        );
    }

    #[test]
    fn a_branch_selects_the_keys_of_its_order_named_as_the_order_reads_them() {
        assert_eq!(
            Sort::Popular.branch_columns(),
            "t.install_count, t.created_at"
        );
        assert_eq!(Sort::Name.branch_columns(), "lower(t.name) AS name_key");
        assert_eq!(Sort::Name.branch_column_names("w"), "w.name_key");
    }

    #[test]
    fn a_keyset_bound_is_one_row_comparison_in_the_order_of_the_index() {
        let mut params = Params::default();
        let position = Sort::Popular.bind_position(
            &[
                PositionValue::Integer(5),
                PositionValue::Integer(1_700_000_000_000_000),
                PositionValue::Integer(42),
            ],
            &mut params,
        );
        assert_eq!(
            Sort::Popular.stored_after(&position),
            "(t.install_count, t.created_at, t.id) < ($1, \
             (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)"
        );
        let position = Sort::Name.bind_position(
            &[PositionValue::Text("b".into()), PositionValue::Integer(7)],
            &mut params,
        );
        assert_eq!(
            Sort::Name.stored_after(&position),
            "(lower(t.name), t.id) > ($4, $5)"
        );
    }

    #[test]
    fn positions_list_their_types_in_order() {
        assert_eq!(
            Sort::Relevance.position_types(),
            [
                KeyType::Integer,
                KeyType::Integer,
                KeyType::Timestamp,
                KeyType::Integer
            ]
        );
        assert_eq!(Sort::Name.position_types().len(), 2);
    }
}
