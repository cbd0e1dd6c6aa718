//! The corpus through the public API: every planted credential, at every position of every kind, is found
//! with its exact pointer and rule; the benign configurations are (almost) never refused.

use std::collections::HashSet;

use marketplace_credentials::corpus::{benign, placed, planted};
use marketplace_credentials::{fill_slots_with_placeholder, find_credentials, scrub, Finding};

#[test]
fn the_corpus_is_big_enough() {
    let planted = planted();
    let formats: HashSet<_> = planted.iter().map(|p| p.format).collect();
    assert!(planted.len() >= 200, "{} planted", planted.len());
    assert!(formats.len() >= 40, "{} formats", formats.len());
    assert!(benign().len() >= 200, "{} benign", benign().len());
}

#[test]
fn every_planted_credential_is_found_at_its_pointer_under_its_rule() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for planted in planted() {
        for case in placed(&planted) {
            checked += 1;
            let found = find_credentials(&case.content, "");
            let expected = [Finding {
                field: case.field.clone(),
                rule: case.rule,
            }];
            if found != expected {
                failures.push(format!(
                    "{} in {} at {}: expected {:?}, found {:?}",
                    case.rule, case.kind, case.position, expected, found
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} placements failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_base_prefixes_every_pointer() {
    let planted = &planted()[0];
    let case = &placed(planted)[0];
    let found = find_credentials(&case.content, "content");
    assert_eq!(found[0].field, format!("content/{}", case.field));
}

#[test]
fn no_finding_echoes_the_credential() {
    for planted in planted() {
        for case in placed(&planted) {
            for finding in find_credentials(&case.content, "") {
                let shown = format!("{finding:?} {} {}", finding.field, finding.rule);
                assert!(!shown.contains(&planted.secret), "{}", case.rule);
                // Nor any long piece of it.
                if planted.secret.len() >= 24 {
                    assert!(!shown.contains(&planted.secret[4..24]), "{}", case.rule);
                }
            }
        }
    }
}

#[test]
fn benign_configurations_are_not_refused() {
    let benign = benign();
    let refused: Vec<_> = benign
        .iter()
        .filter_map(|content| {
            let found = find_credentials(content, "");
            (!found.is_empty()).then(|| format!("{found:?} in {content}"))
        })
        .collect();
    // The issue allows 1 %; the corpus is kept at none.
    assert!(
        refused.len() * 100 <= benign.len(),
        "{}",
        refused.join("\n")
    );
    assert!(
        refused.is_empty(),
        "{} of {} refused:\n{}",
        refused.len(),
        benign.len(),
        refused.join("\n")
    );
}

#[test]
fn scrubbing_leaves_nothing_to_find_and_changes_only_the_slots_of_benign_content() {
    for planted in planted() {
        for mut case in placed(&planted) {
            assert!(scrub(&mut case.content) >= 1, "{}", case.rule);
            assert_eq!(find_credentials(&case.content, ""), [], "{}", case.rule);
            assert!(
                !case.content.to_string().contains(&planted.secret),
                "{}",
                case.rule
            );
        }
    }
    for content in benign() {
        let (mut scrubbed, mut filled) = (content.clone(), content.clone());
        assert_eq!(
            scrub(&mut scrubbed),
            fill_slots_with_placeholder(&mut filled)
        );
        assert_eq!(scrubbed, filled);
    }
}
