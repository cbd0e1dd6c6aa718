//! The candidate rows of a page in relevance order (tier, then popularity; docs/architecture.md, "Search").
//!
//! For each tier `T` the page needs `R_T`: the `window` most popular rows matching at `T` or better. A row of
//! tier `T` on the page has fewer than `window` rows before it, so it is in `R_T`; the page is the best
//! `window` of their union. Each tier's read is skipped once an earlier tier's is full (every row it could add
//! would have `window` better rows before it). Each is served, cheapest first:
//! - by the walk of the most popular rows of every kind together (one merge of their popularity indexes),
//!   when it holds `window` rows of the tier or better: a common term's page;
//! - otherwise per kind: tiers 0 and 1 by index-only reads of the covering name index; tiers 2 and 3 by one
//!   read of the kind's matches through the search indexes (at most `CANDIDATES + 1`, most popular first),
//!   tiered in memory, which also gives a rare term's total; only a kind with more matches than that and too
//!   few name matches among them reads tier 2 again. A short term's substring tier is read by bounded
//!   regions instead (see `search.rs`).

use super::{candidates_key, in_order, walk_key, ListingSql, CANDIDATES};
use crate::browse::search::SearchTerm;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;

impl ListingSql<'_> {
    /// Relevance: the reads of every tier, each a CTE, in one union. After a cursor at tier `c`, tiers below
    /// `c` are done; tier `c` reads its own rows past the cursor, and each later tier `T` the rows of tiers
    /// `c+1..=T`.
    pub(super) fn relevance_branches(&self, term: &SearchTerm) -> String {
        let cursor_tier = self.after.as_ref().and_then(|(tier, _)| *tier);
        let last = *term.tiers().end();
        let mut earlier: Vec<String> = Vec::new();
        for tier in term.tiers() {
            if cursor_tier.is_some_and(|c| tier < c) {
                continue;
            }
            let conditions = self.tier_conditions(term, tier, cursor_tier);
            let rows = self.tier_read(term, tier, last, cursor_tier, &conditions);
            // A kind's candidates and its own read may both hold a row: count rows, not reads.
            let open = in_order(earlier.iter().map(|read| {
                format!(
                    "(SELECT count(DISTINCT (kind, id)) FROM {read} WHERE matched) < {}",
                    self.window
                )
            }));
            earlier.push(self.cte(format!("SELECT * FROM ({rows}) r WHERE {open}")));
        }
        earlier
            .iter()
            .map(|read| format!("SELECT * FROM {read}"))
            .collect::<Vec<_>>()
            .join(" UNION ")
    }

    /// The conditions of tier `tier`'s read after a cursor at tier `cursor_tier`: not the tiers the cursor
    /// passed, and past the cursor in its own tier.
    fn tier_conditions(&self, term: &SearchTerm, tier: i32, cursor_tier: Option<i32>) -> String {
        let below = match cursor_tier {
            Some(c) if c == tier && tier > 0 => Some(tier - 1),
            Some(c) if c < tier => Some(c),
            _ => None,
        };
        let not_below = below
            .map(|below| format!(" AND NOT {}", term.tier_predicate(below)))
            .unwrap_or_default();
        format!("{not_below}{}", self.cursor_bound(tier, cursor_tier))
    }

    /// The cursor's bound, for the read of the cursor's own tier.
    fn cursor_bound(&self, tier: i32, cursor_tier: Option<i32>) -> String {
        match cursor_tier {
            Some(c) if c == tier => self.stored_after(),
            _ => String::new(),
        }
    }

    /// The `window` most popular rows of every kind matching at tier `tier` or better (and `extra`): the
    /// matches the search indexes find (for tiers 0 and 1 the covering name index alone), merged and sorted
    /// (`ROW(keys)`, which no index provides, so that the planner looks the matches up instead of walking
    /// the order's index).
    fn lookup_all(&self, term: &SearchTerm, tier: i32, conditions: &str, extra: &str) -> String {
        format!(
            "SELECT {columns}, false AS region_end
             FROM {rows} t WHERE {filters} AND {predicate}{conditions}{extra}
             ORDER BY {order} LIMIT {window}",
            columns = self.candidate_columns("t.kind", &term.tier_at_most(tier), "true"),
            filters = self.filters(),
            rows = self.rows(),
            predicate = term.tier_predicate(tier),
            order = self.sort().unindexed_order(),
            window = self.window,
        )
    }

    /// `R_T`: from the shared walk when it holds `window` rows of tier `T` or better; otherwise per kind:
    /// tiers 0 and 1 from the covering name index; a short term's substring tier from a bounded region;
    /// tiers 2 and 3 from the kind's candidates when they hold all of its matches or `window` of tier `T`
    /// or better (always true of tier 3), and tier 2 from a read of its own when not.
    fn tier_read(
        &self,
        term: &SearchTerm,
        tier: i32,
        last: i32,
        cursor_tier: Option<i32>,
        conditions: &str,
    ) -> String {
        let window = self.window;
        let stored = self.sort().stored_order();
        let walk = self.shared_cte(walk_key(conditions), || {
            let tier = format!(
                "CASE WHEN NOT {} THEN NULL ELSE {} END",
                term.matches(),
                term.tier_of_row()
            );
            self.walk(&tier, "w.m", "w.m IS NOT NULL", conditions)
        });
        let walked = self.walk_holds_page(&walk, &format!("matched AND tier <= {tier}"));
        let from_walk = format!(
            "(SELECT * FROM (SELECT *, false AS region_end FROM {walk} WHERE matched AND tier <= {tier}
                             ORDER BY {stored} LIMIT {window}) w
              WHERE {walked})"
        );
        let fallback = |rows: String, condition: Option<String>| {
            let open = in_order([format!("NOT {walked}")].into_iter().chain(condition));
            format!("(SELECT * FROM ({rows}) f WHERE {open})")
        };
        if tier <= 1 {
            let rows = fallback(self.lookup_all(term, tier, conditions, ""), None);
            return format!("{from_walk} UNION ALL {rows}");
        }
        if term.is_short() && tier == last {
            let regions = union_all(&self.kinds, |kind| {
                let from_cursor = self.cursor_bound(tier, cursor_tier);
                let conditions = format!(" AND NOT {}{from_cursor}", term.tier_predicate(tier - 1));
                let region = self.region(kind, &tier.to_string(), &term.matches(), &conditions);
                fallback(region, None)
            });
            return format!("{from_walk} UNION ALL {regions}");
        }
        let candidates: Vec<(ItemKind, String)> = self
            .kinds
            .iter()
            .map(|&kind| {
                let read = self.shared_cte(candidates_key(kind, conditions), || {
                    self.candidates(kind, &term.tier_of_row(), term, conditions)
                });
                (kind, read)
            })
            .collect();
        // Every kind's candidates together: `R_T` is the best `window` of them all.
        let all = candidates
            .iter()
            .map(|(_, read)| format!("SELECT * FROM {read}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let from_candidates = fallback(
            format!(
                "SELECT * FROM ({all}) c WHERE tier <= {tier} ORDER BY {stored} LIMIT {window}"
            ),
            None,
        );
        if tier == last {
            return format!("{from_walk} UNION ALL {from_candidates}");
        }
        // Kinds whose candidates hold neither all their matches nor `window` of tier `tier` or better read
        // the tier themselves. Each kind's condition is constant for its branch of `item_rows`, so the
        // branch of a kind that is served never runs.
        let unserved = candidates
            .iter()
            .map(|(kind, read)| {
                format!(
                    "t.kind = '{kind}' AND (SELECT count(*) FROM {read}) > {CANDIDATES}
                     AND (SELECT count(*) FROM {read} WHERE tier <= {tier}) < {window}"
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        let own = self.lookup_all(term, tier, conditions, &format!(" AND ({unserved})"));
        let own_reads = format!(" UNION ALL {}", fallback(own, None));
        format!("{from_walk} UNION ALL {from_candidates}{own_reads}")
    }
}
