//! The credential formats: one [`Rule`] per documented shape, grouped by family in the files beside this one,
//! each citing the shape (prefix, length, alphabet) that its provider documents. Hand-kept: no rule-set crate
//! on crates.io was light and current enough to depend on (the crate's README says which were weighed).

mod ai;
mod cloud;
mod developer;
mod generic;
mod infra;
mod messaging;
mod payment;
mod structure;

use std::sync::LazyLock;

pub(crate) use generic::GENERIC;

use regex::Captures;

/// One credential format.
pub(crate) struct Rule {
    /// Kebab case, stable: what a finding reports.
    pub(crate) name: &'static str,
    /// Lowercase literals, one of which occurs in every match: the prefilter runs the pattern on a text only
    /// when one of them does (in any case).
    pub(crate) keywords: &'static [&'static str],
    pub(crate) pattern: &'static str,
    pub(crate) specificity: Specificity,
    /// Whether a match is the credential and not a look-alike (a placeholder, words, a port).
    pub(crate) accept: fn(&Captures) -> bool,
}

impl Rule {
    /// A provider's own shape, accepted unless it is a placeholder's run of one character ([`plausible`]).
    const fn provider(
        name: &'static str,
        keywords: &'static [&'static str],
        pattern: &'static str,
    ) -> Self {
        Self::new(name, keywords, pattern, Specificity::Provider).accepting(plausible)
    }

    const fn new(
        name: &'static str,
        keywords: &'static [&'static str],
        pattern: &'static str,
        specificity: Specificity,
    ) -> Self {
        Self {
            name,
            keywords,
            pattern,
            specificity,
            accept: any,
        }
    }

    /// The same rule, keeping only the matches `accept` takes for credentials.
    const fn accepting(self, accept: fn(&Captures) -> bool) -> Self {
        Self { accept, ..self }
    }
}

/// Which rule a text is reported under when the matches of several overlap: the most specific one, so that
/// `Authorization: Bearer ghp_…` is a `github-pat`, not a `bearer-token`, and `api_key=sk-…` an
/// `openai-api-key`, not a `generic-credential`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Specificity {
    /// A credential word with a random-looking value.
    Generic,
    /// An authorisation scheme with a token (`Bearer …`, `Basic …`).
    Header,
    /// A structure that holds a credential: a JWT, a PEM block, a URL or connection string with a password.
    Structure,
    /// A provider's own prefix and shape.
    Provider,
}

/// Every rule, in the order findings of equal specificity are preferred.
pub(crate) static RULES: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    [
        ai::RULES,
        cloud::RULES,
        infra::RULES,
        developer::RULES,
        messaging::RULES,
        payment::RULES,
        structure::RULES,
        generic::RULES,
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// The names of every rule the detector reports.
pub fn rule_names() -> Vec<&'static str> {
    RULES.iter().map(|rule| rule.name).collect()
}

/// Accepts every match: the pattern alone is specific enough.
fn any(_: &Captures) -> bool {
    true
}

/// Accepts a match with at least 3 bits of entropy per character: a token, not a documentation placeholder
/// such as `ghp_xxxxxxxx…` or `sk_test_00000000…`.
fn plausible(captures: &Captures) -> bool {
    crate::randomness::entropy(&captures[0]) >= 3.0
}

/// Accepts a [`plausible`] match with a digit in it: for short or common prefixes (`sk-`, `SK`, `cio`), where
/// a word could follow the prefix but a random token has digits.
fn has_digit(captures: &Captures) -> bool {
    plausible(captures) && captures[0].bytes().any(|b| b.is_ascii_digit())
}

/// Accepts a match whose first group looks random ([`crate::randomness::looks_random`]).
fn random_value(captures: &Captures) -> bool {
    captures
        .get(1)
        .is_some_and(|value| crate::randomness::looks_random(value.as_str()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use regex::Regex;

    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_at_least_forty() {
        let names: HashSet<_> = rule_names().into_iter().collect();
        assert_eq!(names.len(), RULES.len());
        assert!(names.len() >= 40, "{}", names.len());
        for name in names {
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
        }
    }

    #[test]
    fn patterns_compile_and_every_rule_has_lowercase_keywords() {
        for rule in RULES.iter() {
            Regex::new(rule.pattern).unwrap_or_else(|e| panic!("{}: {e}", rule.name));
            assert!(!rule.keywords.is_empty(), "{}", rule.name);
            for keyword in rule.keywords {
                assert_eq!(*keyword, keyword.to_ascii_lowercase(), "{}", rule.name);
            }
        }
    }
}
