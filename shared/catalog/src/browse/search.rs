//! What a search term matches, how well (its relevance tier), and what to suggest when it matches nothing.
//!
//! A term matches an item whose name or description contains it literally (case-insensitive; `%`, `_` and
//! `\` are themselves), or whose name and description hold its words by English stem (`reviewing` finds
//! "PR Reviewer"). Relevance tiers, best first: the name is the term; the name starts with it; the name
//! matches it; only the description does.
//!
//! Cost is bounded whatever the term (docs/architecture.md, "Search"). A term with a run of three letters
//! or digits is served by indexes: a bounded walk of every kind's order together finds a common term's page,
//! and trigram and word indexes a rare term's (`listing.rs`, `listing/relevance.rs`). A shorter term ("a", "ai", "%") has no trigram
//! to look up, so its substring matches are looked for among a bounded region of each kind's order: a page
//! then holds the matches of the next `SHORT_TERM_REGION` items of each kind, and its cursor resumes after
//! them. A page at an offset reads each kind's matches in order up to the page instead, so that offset and
//! cursor paging show the same rows at the same position (its cost grows with the offset, bounded by
//! `MAX_OFFSET` and the statement timeout). Its total counts the first region of each kind by id
//! (deterministic), raised to what the pages showed. Exact and prefix name matches are index lookups for
//! every term.

use crate::foundation::audience::Audience;
use crate::foundation::column::ReadColumn;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::union_all;
use crate::foundation::kind::ItemKind;
use crate::foundation::statement::{Params, Placeholder, Sql, Statement};

/// How many items of each kind one page of a short-term search examines.
pub(crate) const SHORT_TERM_REGION: i64 = 1_000;
/// How many rows a search's ordered walk examines (beyond the page) before its indexes take over: enough to
/// hold a page of a prefix that starts 3 % of names (at 1M items, 2,000 instead of 1,000 rows made such a
/// search 27 → 15 ms, at the price of 3 ms for a rare term).
pub(crate) const SEARCH_WALK: i64 = 2_000;
/// How many matches a search counts; beyond, `total` says "at least this many" (`total_exact: false`).
pub const SEARCH_TOTAL_CAP: i64 = 1_000;
/// How many names a search that found nothing suggests.
const SUGGESTIONS: i64 = 5;

/// A search term bound to a statement's parameters.
pub(crate) struct SearchTerm {
    short: bool,
    /// `%term%`, escaped.
    contains: Placeholder,
    /// `term%`, escaped.
    prefix: Placeholder,
    term: Placeholder,
}

impl SearchTerm {
    pub(crate) fn bind(term: &str, params: &mut Params<'static>) -> Self {
        let escaped = escape_like(term);
        Self {
            short: !has_trigram(term),
            contains: params.bind(format!("%{escaped}%")),
            prefix: params.bind(format!("{escaped}%")),
            term: params.bind(term.to_owned()),
        }
    }

    /// Whether this term is looked for in bounded regions (it has no trigram an index could look up).
    pub(crate) fn is_short(&self) -> bool {
        self.short
    }

    /// The tiers of relevance this term can have: 0 name equals, 1 name starts with, 2 name matches,
    /// 3 description matches. A short term's substring matches are one tier (2), found by region.
    pub(crate) fn tiers(&self) -> std::ops::RangeInclusive<i32> {
        if self.short {
            0..=2
        } else {
            0..=3
        }
    }

    /// The predicate, on item row `t`, of matching at tier `tier` or better.
    pub(crate) fn tier_predicate(&self, tier: i32) -> String {
        match tier {
            0 => format!("lower(t.name) = lower({})", self.term),
            1 => format!("lower(t.name) LIKE lower({})", self.prefix),
            2 if self.short => self.matches(),
            2 => format!(
                "(t.name ILIKE {contains} OR t.name_words @@ plainto_tsquery('english', {term}))",
                contains = self.contains,
                term = self.term
            ),
            _ => self.matches(),
        }
    }

    /// Whether item row `t` matches the term at all.
    pub(crate) fn matches(&self) -> String {
        if self.short {
            let literal = format!(
                "t.name ILIKE {contains} OR t.description ILIKE {contains}",
                contains = self.contains
            );
            format!("({literal})")
        } else {
            // V16; inlined by the planner (the indexes serve it).
            format!(
                "search_matches(t.name, t.description, t.search_words, {contains}, {term})",
                contains = self.contains,
                term = self.term
            )
        }
    }

    /// Item row `t`'s tier (see [`Self::tiers`]); only meaningful for a row that matches.
    pub(crate) fn tier_of_row(&self) -> String {
        if self.short {
            return self.tier_at_most(*self.tiers().end());
        }
        // V16: the same CASE as `tier_at_most(3)`, inlined by the planner.
        format!(
            "search_tier(t.name, t.name_words, {term}, {prefix}, {contains})",
            term = self.term,
            prefix = self.prefix,
            contains = self.contains
        )
    }

    /// The tier of item row `t`, known to match at tier `tier` or better: only the predicates of the
    /// better tiers are evaluated (for tiers 0 and 1, the name alone, which the name index carries).
    pub(crate) fn tier_at_most(&self, tier: i32) -> String {
        if tier == 0 {
            return "0".into();
        }
        let cases: String = (0..tier)
            .map(|better| format!(" WHEN {} THEN {better}", self.tier_predicate(better)))
            .collect();
        format!("CASE{cases} ELSE {tier} END")
    }
}

/// Whether `term` is looked for in bounded regions (no index can look it up): see [`SearchTerm::is_short`].
pub(crate) fn is_short(term: &str) -> bool {
    !has_trigram(term)
}

/// Whether a search for `term` that found nothing gets suggestions: only a term an index can look up (a
/// one- or two-letter term's trigrams are in most names, and it is no misspelling of one).
pub(crate) fn suggests(term: &str) -> bool {
    has_trigram(term)
}

/// Whether `term` holds a run of three letters or digits: pg_trgm can then look its trigrams up.
fn has_trigram(term: &str) -> bool {
    term.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.chars().count() >= 3)
}

/// Escapes `%`, `_` and `\` so that a search term matches itself inside a LIKE pattern.
fn escape_like(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}

/// The names of listed items closest to `term`, best first, distinct: by pg_trgm's word similarity (how well
/// the term matches the closest stretch of the name, so "Salse Assistant" finds "Sales Assistant v2"), at
/// least pg_trgm's threshold (0.6); looked up through each kind's trigram GIN index on names (`<%`).
pub(crate) async fn suggestions(
    db: &impl Sql,
    audience: Audience,
    kinds: &[ItemKind],
    term: &str,
) -> Result<Vec<String>, CatalogError> {
    let rows = suggestions_statement(audience, kinds, term)
        .query(db)
        .await?;
    rows.iter().map(|row| row.read("name")).collect()
}

pub fn suggestions_statement(
    audience: Audience,
    kinds: &[ItemKind],
    term: &str,
) -> Statement<'static> {
    let branches = union_all(kinds, |kind| {
        format!(
            "(SELECT t.name, word_similarity($1, t.name) AS similarity, t.install_count
              FROM {table} t WHERE {listed} AND $1 <% t.name
              ORDER BY similarity DESC, t.install_count DESC LIMIT {SUGGESTIONS})",
            table = kind.table(),
            listed = audience.listed("t"),
        )
    });
    let sql = format!(
        "SELECT name FROM ({branches}) closest
         GROUP BY name ORDER BY max(similarity) DESC, max(install_count) DESC, name LIMIT {SUGGESTIONS}"
    );
    Statement::new(sql).bind(term.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_match_themselves() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(escape_like("plain"), "plain");
    }

    #[test]
    fn a_term_is_short_when_no_index_can_look_it_up() {
        for short in ["a", "ai", "%", "e_c", "a b", "!!!", "50%"] {
            assert!(!has_trigram(short), "{short}");
        }
        for long in ["age", "pr reviewer", "100%", "ünï", "x-ray"] {
            assert!(has_trigram(long), "{long}");
        }
    }

    #[test]
    fn tiers_run_from_the_exact_name_to_the_description() {
        let mut params = Params::default();
        let term = SearchTerm::bind("review", &mut params);
        assert_eq!(term.tiers(), 0..=3);
        assert_eq!(
            term.tier_at_most(3),
            "CASE WHEN lower(t.name) = lower($3) THEN 0 WHEN lower(t.name) LIKE lower($2) THEN 1 \
             WHEN (t.name ILIKE $1 OR t.name_words @@ plainto_tsquery('english', $3)) THEN 2 ELSE 3 END"
        );
        // V16's search_tier holds the same CASE.
        assert_eq!(
            term.tier_of_row(),
            "search_tier(t.name, t.name_words, $3, $2, $1)"
        );
        let short = SearchTerm::bind("ai", &mut params);
        assert_eq!(short.tiers(), 0..=2);
        assert_eq!(
            short.matches(),
            "(t.name ILIKE $4 OR t.description ILIKE $4)"
        );
    }
}
