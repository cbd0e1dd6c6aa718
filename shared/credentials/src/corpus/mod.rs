//! Test material, public so that the HTTP tests can send it through the real submit handler: fake credentials
//! of every rule planted in content of every kind, and benign configurations that must pass. Every token is
//! generated from a fixed seed in its documented shape; none is a real credential.

mod benign;
mod fake;
mod placement;
mod prose;
mod providers;
mod services;

pub use benign::benign;
pub use placement::{placed, Placed};

/// A fake credential and the rule that must report it.
#[derive(Debug, Clone)]
pub struct Planted {
    pub format: &'static str,
    pub secret: String,
}

/// Makes the `i`th fake credential of a format; `i` picks among its variants.
type Make = fn(&mut fake::Fake, usize) -> String;

const SEED: u64 = 0x5EC2_E75A_17ED_C0DE;

/// How many of each format are planted: four, or one of each variant where a format has more.
fn count(format: &str) -> usize {
    match format {
        "generic-credential" => 7,
        _ => 4,
    }
}

/// Fake credentials of every rule, several of each, always the same.
pub fn planted() -> Vec<Planted> {
    let mut fake = fake::Fake::new(SEED);
    providers::FORMATS
        .iter()
        .chain(services::FORMATS)
        .flat_map(|&(format, make)| {
            (0..count(format))
                .map(|i| Planted {
                    format,
                    secret: make(&mut fake, i),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_rule_is_planted_and_nothing_else() {
        let planted: HashSet<_> = planted().iter().map(|p| p.format).collect();
        let rules: HashSet<_> = crate::rules::rule_names().into_iter().collect();
        assert_eq!(planted, rules);
    }

    #[test]
    fn each_secret_alone_is_found_by_its_rule_alone() {
        for planted in planted() {
            assert_eq!(
                crate::scan::scan_text(&planted.secret),
                [planted.format],
                "{}",
                planted.format
            );
        }
    }
}
