//! Running the rules over one text. A keyword prefilter (one Aho-Corasick pass) picks the rules worth running;
//! where the matches of several rules overlap, the most specific rule names the credential.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;

use crate::rules::{Rule, Specificity, RULES};

/// A rule with its pattern compiled.
struct Compiled {
    rule: &'static Rule,
    regex: Regex,
}

/// Every rule compiled once, and the prefilter over their keywords.
struct Engine {
    rules: Vec<Compiled>,
    /// Case-insensitive, over the distinct keywords of all rules.
    prefilter: AhoCorasick,
    /// For each prefilter pattern, by its id, the rules that name it: bit i for `rules[i]`.
    owners: Vec<u128>,
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    let rules: Vec<Compiled> = RULES
        .iter()
        .map(|&rule| Compiled {
            rule,
            regex: Regex::new(rule.pattern).expect("every rule's pattern compiles (tested)"),
        })
        .collect();
    assert!(rules.len() <= 128, "the candidate set is a u128");
    let mut keywords: Vec<&'static str> = Vec::new();
    let mut owners: Vec<u128> = Vec::new();
    for (index, compiled) in rules.iter().enumerate() {
        let bit = 1u128 << index;
        for &keyword in compiled.rule.keywords {
            match keywords.iter().position(|known| *known == keyword) {
                Some(id) => owners[id] |= bit,
                None => {
                    keywords.push(keyword);
                    owners.push(bit);
                }
            }
        }
    }
    let prefilter = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&keywords)
        .expect("a few hundred short keywords fit an automaton");
    Engine {
        rules,
        prefilter,
        owners,
    }
});

/// Whether no rule can match `text`, which settles most keys and short values without a search. The
/// shortest match of any rule is a connection string's `;pwd=x` (6 bytes); the shortest without a space,
/// `:`, `=` or `;` is an AWS access key id (20 bytes).
fn cannot_match(text: &str) -> bool {
    text.len() < 6 || (text.len() < 20 && !text.contains([' ', '\t', '\n', ':', '=', ';']))
}

/// One accepted match.
struct Hit {
    start: usize,
    end: usize,
    specificity: Specificity,
    /// Index of the rule, which breaks ties between rules of equal specificity.
    rule: usize,
}

/// The rules that a piece of free text matches (a listing's name, description or changelog; one string of
/// content), each once, in the order their matches start. Where matches overlap, only the most specific rule
/// is reported: `Authorization: Bearer ghp_…` is `github-pat` alone, while a text holding a GitHub token
/// and, elsewhere, an AWS key reports both.
pub fn scan_text(text: &str) -> Vec<&'static str> {
    if cannot_match(text) {
        return Vec::new();
    }
    let engine = &*ENGINE;
    // Bit i: rule i is worth running.
    let mut candidates: u128 = 0;
    for found in engine.prefilter.find_overlapping_iter(text) {
        candidates |= engine.owners[found.pattern().as_usize()];
    }
    let mut hits = Vec::new();
    while candidates != 0 {
        let index = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let compiled = &engine.rules[index];
        // Most candidates do not match: find the first match without allocating its captures.
        let Some(first) = compiled.regex.find(text) else {
            continue;
        };
        let mut at = first.start();
        while let Some(captures) = compiled.regex.captures_at(text, at) {
            let whole = captures.get_match();
            let resume = if (compiled.rule.accept)(&captures) {
                hits.push(Hit {
                    start: whole.start(),
                    end: whole.end(),
                    specificity: compiled.rule.specificity,
                    rule: index,
                });
                whole.end()
            } else {
                // A rejected match may hide an accepted one inside it (`note: password=Xk9…` is first
                // matched as the name `note`): look again from the start of its last group, the value.
                captures
                    .iter()
                    .skip(1)
                    .flatten()
                    .last()
                    .map_or(whole.end(), |group| group.start())
            };
            at = resume.max(next_char(text, whole.start()));
            if at > text.len() {
                break;
            }
        }
    }
    most_specific(hits)
        .into_iter()
        .map(|index| engine.rules[index].rule.name)
        .collect()
}

/// The byte index of the character after the one at `index`: where a search must go on to make progress.
fn next_char(text: &str, index: usize) -> usize {
    text[index..]
        .chars()
        .next()
        .map_or(index + 1, |c| index + c.len_utf8())
}

/// The rules of the hits left when, of overlapping hits, only the most specific is kept; by position, each
/// rule once.
fn most_specific(mut hits: Vec<Hit>) -> Vec<usize> {
    hits.sort_by(|a, b| {
        b.specificity
            .cmp(&a.specificity)
            .then(a.start.cmp(&b.start))
            .then(a.rule.cmp(&b.rule))
    });
    let mut kept: Vec<Hit> = Vec::new();
    for hit in hits {
        if !kept.iter().any(|k| hit.start < k.end && k.start < hit.end) {
            kept.push(hit);
        }
    }
    kept.sort_by_key(|hit| hit.start);
    let mut rules = Vec::new();
    for hit in kept {
        if !rules.contains(&hit.rule) {
            rules.push(hit.rule);
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_of_overlapping_matches_names_the_credential() {
        let token = "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fGh";
        assert_eq!(
            scan_text(&format!("Authorization: Bearer {token}")),
            ["github-pat"]
        );
        assert_eq!(scan_text(&format!("api_key={token}")), ["github-pat"]);
    }

    #[test]
    fn separate_credentials_in_one_text_are_each_reported_once() {
        let text = "use ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fGh with AKIAIOSFODNN7EXAMPL2 and \
                    again ghp_zY3xW5vU7tS9rQ1pO3nM5lK7jI9hG1fE3dCb";
        assert_eq!(scan_text(text), ["github-pat", "aws-access-key-id"]);
    }

    #[test]
    fn a_rejected_match_does_not_hide_a_credential_inside_it() {
        assert_eq!(
            scan_text("X-Note: password=Xk9#mq2vLp7R"),
            ["generic-credential"]
        );
        assert_eq!(
            scan_text("note: the password is Tr0ub4dor&3x"),
            ["generic-credential"]
        );
    }

    #[test]
    fn plain_prose_has_no_findings() {
        assert!(scan_text("Summarise the meeting notes in three bullet points.").is_empty());
    }
}
