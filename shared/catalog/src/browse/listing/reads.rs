//! The candidate reads of a listing: the merged walk of every kind's ordered index, a kind's lookups through
//! the search indexes, and a short term's bounded regions.

use super::{candidates_key, walk_key, ListingSql, CANDIDATES};
use crate::browse::search::SearchTerm;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::Placeholder;

impl ListingSql<'_> {
    /// One candidate read of `kind`: `tier` and `matched` as given, ordered by the stored keys.
    pub(super) fn read(
        &self,
        kind: ItemKind,
        tier: &str,
        matched: &str,
        conditions: &str,
        limit: Placeholder,
    ) -> String {
        format!(
            "SELECT {columns}
             FROM {table} t WHERE {filters}{conditions}
             ORDER BY {order} LIMIT {limit}",
            columns = self.candidate_columns(&format!("'{kind}'::text AS kind"), tier, matched),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().table_order(),
        )
    }

    /// The first `window` rows in order that match the search, whatever its frequency: the walk of the
    /// next `walk` rows of every kind together finds them when the term is common; when it finds fewer, the
    /// term is rare, and each kind's candidates (its matches, through the search indexes) replace it. The
    /// planner cannot choose a walk of a whole index for a rare term it misjudges as common.
    pub(super) fn searched_reads(&self, term: &SearchTerm, conditions: &str) -> String {
        let window = self.window;
        let stored = self.sort().stored_order();
        let walk = self.shared_cte(walk_key(conditions), || {
            self.walk(&term.matches(), "NULL::integer", "w.m", conditions)
        });
        let walked = self.walk_holds_page(&walk, "matched");
        let candidates = union_all(&self.kinds, |kind| {
            let candidates = self.shared_cte(candidates_key(kind, conditions), || {
                self.candidates(kind, "NULL::integer", term, conditions)
            });
            format!("(SELECT * FROM {candidates} ORDER BY {stored} LIMIT {window})")
        });
        format!(
            "(SELECT *, false AS region_end FROM (
                  SELECT * FROM {walk} WHERE matched ORDER BY {stored} LIMIT {window}) w
              WHERE {walked})
             UNION ALL
             (SELECT * FROM ({candidates}) c WHERE NOT {walked})"
        )
    }

    /// Whether `walk` holds the page's window of rows satisfying `rows`: counted once, however many reads
    /// ask.
    pub(super) fn walk_holds_page(&self, walk: &str, rows: &str) -> String {
        let counted = self.shared_cte(format!("{walk} holds a page of {rows}"), || {
            format!(
                "SELECT count(*) >= {} AS filled FROM {walk} WHERE {rows}",
                self.window
            )
        });
        format!("(SELECT filled FROM {counted})")
    }

    /// `kind`'s first matches of the search in order, at most `CANDIDATES + 1` (or the page's window, if
    /// more), each with `tier`.
    pub(super) fn candidates(
        &self,
        kind: ItemKind,
        tier: &str,
        term: &SearchTerm,
        conditions: &str,
    ) -> String {
        let limit = format!("greatest({}, {})", self.window, CANDIDATES + 1);
        self.lookup(kind, tier, &term.matches(), conditions, &limit)
    }

    /// `kind`'s first `limit` rows in order that satisfy `predicate`, each with `tier`, found through the
    /// indexes of the predicate: ordered by `ROW(keys)`, which no index provides, so that the planner looks
    /// the matches up and sorts them instead of walking the order's index.
    pub(super) fn lookup(
        &self,
        kind: ItemKind,
        tier: &str,
        predicate: &str,
        conditions: &str,
        limit: &str,
    ) -> String {
        format!(
            "SELECT {columns},
                    false AS region_end
             FROM {table} t WHERE {filters} AND {predicate}{conditions}
             ORDER BY {order} LIMIT {limit}",
            columns = self.candidate_columns(&format!("'{kind}'::text AS kind"), tier, "true"),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().unindexed_order(),
        )
    }

    /// A bounded region of `kind`: of its next `region` rows in order, the first `window` that match, and
    /// the region's last row (`region_end`, not a match), which bounds the page when the kind has fewer
    /// than `window` matches in the region and more rows beyond it.
    pub(super) fn region(
        &self,
        kind: ItemKind,
        tier: &str,
        matched: &str,
        conditions: &str,
    ) -> String {
        if self.whole_regions {
            let matching = format!("{conditions} AND {matched}");
            let rows = self.read(kind, tier, "true", &matching, self.window);
            return format!("(SELECT *, false AS region_end FROM ({rows}) r)");
        }
        let region_rows = self.read(kind, tier, matched, conditions, self.region);
        let end = format!(
            "SELECT {columns}
             FROM {table} t WHERE {filters}{conditions}
             ORDER BY {order} OFFSET {region} - 1 LIMIT 1",
            columns = self.candidate_columns(&format!("'{kind}'::text AS kind"), tier, "false"),
            table = kind.table(),
            filters = self.filters(),
            order = self.sort().table_order(),
            region = self.region,
        );
        format!(
            "(SELECT *, false AS region_end FROM ({region_rows}) r WHERE matched
              ORDER BY {order} LIMIT {window})
             UNION ALL (SELECT *, true AS region_end FROM ({end}) e)",
            order = self.sort().stored_order(),
            window = self.window,
        )
    }

    /// The first `walk` rows of every kind together in this listing's order (one merge of the kinds' ordered
    /// indexes), each with `m`, an expression over the row (`t`), and the `tier` and `matched` it gives (over
    /// `w.m`). The kinds' rows are a union with no conditions of its own (PostgreSQL merges ordered reads of
    /// a union only then); the conditions apply to it as to one table.
    pub(super) fn walk(&self, m: &str, tier: &str, matched: &str, conditions: &str) -> String {
        self.merged_read(m, tier, matched, conditions, self.walk_rows)
    }

    /// The first `limit` rows of every kind together in this listing's order: see [`Self::walk`]. The kinds'
    /// rows are the view `item_rows` (V16), one union with no conditions of its own.
    pub(super) fn merged_read(
        &self,
        m: &str,
        tier: &str,
        matched: &str,
        conditions: &str,
        limit: Placeholder,
    ) -> String {
        format!(
            "SELECT w.kind, w.id, {tier} AS tier, {names}, {matched} AS matched FROM (
                 SELECT t.kind, t.id, {m} AS m, {branch_columns}
                 FROM {rows} t WHERE {filters}{conditions}
                 ORDER BY {order} LIMIT {limit}) w",
            names = self.sort().branch_column_names("w"),
            rows = self.rows(),
            branch_columns = self.sort().branch_columns(),
            filters = self.filters(),
            order = self.sort().table_order(),
        )
    }
}
