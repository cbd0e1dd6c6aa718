//! A credential that no provider's shape gives away: a random-looking value assigned to a name that mentions
//! a credential (`password=Xk9#mq2…`, `api_key: 9f8e7d…`, `"client_secret": "…"`, `my password is …`).
//! "password: required", "the token count" and "set your API key in settings" are not.

use regex::Captures;

use super::{Rule, Specificity};
use crate::key::mentions_credential;
use crate::randomness::looks_random;

/// The rule's name, also what a random-looking value under a key that mentions a credential is reported as.
pub(crate) const GENERIC: &str = "generic-credential";

pub(super) static RULES: &[Rule] = &[
    // A name (`db_password`, `X-Api-Key`, `client_secret`, with the word before it: `API key`), an
    // assignment (`=`, `:`, `:=`, `=>`, ` is `), an optional scheme word (`Token`, `Bot`), and a value of
    // 8–128 characters without spaces or quotes.
    Rule::new(
        GENERIC,
        &["key", "secret", "token", "pass", "pwd", "auth", "credential", "cookie"],
        r#"(?:([A-Za-z][A-Za-z0-9]{0,20}) )?([A-Za-z][A-Za-z0-9_\-.]{0,40})["']?\s*(?:=>|:=|[:=]|\s+(?:is|was)\s+)\s*["'`]?(?:(?i:token|bot|apikey|key)\s+)?([^\s"'`,;<>{}()\[\]]{8,128})"#,
        Specificity::Generic,
    )
    .accepting(named_random_value),
];

fn named_random_value(captures: &Captures) -> bool {
    let name = match captures.get(1) {
        Some(before) => format!("{} {}", before.as_str(), &captures[2]),
        None => captures[2].to_owned(),
    };
    let value = captures[3].trim_end_matches(['.', ':', '!', '?']);
    mentions_credential(&name) && looks_random(value)
}
