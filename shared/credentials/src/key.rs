//! Which object keys are credential slots, decided word by word, so that `api_key`, `accessToken` and
//! `db_pass` are slots while `max_tokens`, `tokenizer` and `passthrough` are not. Uses nothing else here.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Words that make a key a slot wherever they stand in it.
const WORDS: [&str; 14] = [
    "secret",
    "secrets",
    "token",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "authorization",
    "bearer",
    "cookie",
];

/// Short words that make a key a slot only as its last word (`db_pass`, `oauth_refresh`): as a first word
/// they usually name a behaviour (`pass_through`, `refresh_interval`).
const LAST_WORDS: [&str; 2] = ["pass", "refresh"];

/// Last words that make a key a setting *about* a credential, holding a number, a flag, a name or an
/// address, not a credential (`password_min_length`, `token_limit`, `token_type`, `secret_name`,
/// `token_url`, `api_key_env`).
const SETTINGS: [&str; 23] = [
    "count",
    "length",
    "len",
    "limit",
    "max",
    "min",
    "size",
    "timeout",
    "ttl",
    "expiry",
    "expiration",
    "interval",
    "policy",
    "rotation",
    "type",
    "format",
    "url",
    "uri",
    "endpoint",
    "enabled",
    "required",
    "name",
    "env",
];

/// Whether an object key names a credential slot: a value the item legitimately needs, which a listing stores
/// as [`crate::PLACEHOLDER`] for each workspace to fill in.
///
/// By the key's words (split at `_`, `-`, `.`, spaces and lower-to-upper case changes): any of `secret`,
/// `token`, `password`, `passwd`, `pwd`, `passphrase`, `credential(s)`, `apikey`, `privatekey`,
/// `authorization`, `bearer`, `cookie`; the pairs `api key`, `private key`, `access key`, `secret key`,
/// `session id`; the whole keys `key` and `auth`; and `pass` or `refresh` as the last word. A key whose last
/// word names a setting (`length`, `limit`, `type`, `url`, `name`, `env`, … see `SETTINGS`) is not a slot,
/// whatever it mentions, except `session_id`. Counts and settings that merely contain a word (`max_tokens`,
/// `tokenizer`, `session_timeout`, `passthrough`) are not slots either.
pub fn is_credential_key(key: &str) -> bool {
    if !may_name_credential(key) {
        return false;
    }
    let words = words(key);
    let pair =
        |first: &str, second: &str| words.windows(2).any(|w| w[0] == first && w[1] == second);
    if pair("session", "id") {
        return true;
    }
    if words
        .last()
        .is_some_and(|last| SETTINGS.contains(&last.as_str()))
    {
        return false;
    }
    words.iter().any(|word| WORDS.contains(&word.as_str()))
        || words
            .last()
            .is_some_and(|last| LAST_WORDS.contains(&last.as_str()))
        || pair("api", "key")
        || pair("private", "key")
        || pair("access", "key")
        || pair("secret", "key")
        || words == ["key"]
        || words == ["auth"]
}

/// Qualifiers that make a `…_key` a key of data, not a credential (`idempotency_key`, `s3_key`, `sort_key`).
const DATA_KEYS: [&str; 48] = [
    "blob",
    "cache",
    "column",
    "composite",
    "config",
    "cursor",
    "dedup",
    "dedupe",
    "deduplication",
    "entity",
    "event",
    "field",
    "file",
    "filter",
    "foreign",
    "group",
    "hash",
    "hot",
    "i18n",
    "idempotency",
    "index",
    "item",
    "keyboard",
    "list",
    "locale",
    "lookup",
    "map",
    "message",
    "music",
    "node",
    "object",
    "partition",
    "primary",
    "property",
    "query",
    "range",
    "record",
    "routing",
    "row",
    "s3",
    "search",
    "sequence",
    "shard",
    "short",
    "sort",
    "table",
    "translation",
    "unique",
];

/// Whether a key, or a name in text, *mentions* a credential without being a setting about one: the context
/// in which a random-looking value is taken for a credential (the `generic-credential` rule). By words,
/// plurals included: any credential word of [`is_credential_key`]; `pass`, `auth` or `key` as the last word,
/// `key` unless a data qualifier comes before it (`cohere_key`, `DD_API_KEY`, `api_keys`, `x_auth` mention a
/// credential; `idempotency_key`, `sort_key`, `auth_provider`, `signing_key_id` do not).
pub(crate) fn mentions_credential(name: &str) -> bool {
    if !may_name_credential(name) {
        return false;
    }
    let words: Vec<String> = words(name)
        .into_iter()
        .map(|word| match word.strip_suffix('s') {
            Some(singular) if singular.len() > 2 && !word.ends_with("ss") => singular.to_owned(),
            _ => word,
        })
        .collect();
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let before_last = words.len().checked_sub(2).map(|i| words[i].as_str());
    let data_key = before_last.is_some_and(|word| DATA_KEYS.contains(&word));
    !SETTINGS.contains(&last)
        && (words.iter().any(|word| WORDS.contains(&word.as_str()))
            || matches!(last, "pass" | "auth" | "refresh")
            || (last == "key" && !data_key))
}

/// Whether a key holds, in any case, one of the fragments that every credential word above contains: a
/// check without allocation that settles most keys (`model`, `temperature`, `system_prompt`) at once.
fn may_name_credential(key: &str) -> bool {
    static FRAGMENTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "secret",
                "token",
                "pass",
                "pwd",
                "credential",
                "key",
                "auth",
                "bearer",
                "cookie",
                "refresh",
                "session",
            ])
            .expect("eleven short words fit an automaton")
    });
    FRAGMENTS.is_match(key)
}

/// A key's words, lowercase: split at `_`, `-`, `.`, spaces and lower-to-upper case changes.
pub(crate) fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_keys_that_name_a_credential() {
        for key in [
            // As in the catalog's storage policy.
            "access_token",
            "accessToken",
            "token",
            "client_secret",
            "api_key",
            "apiKey",
            "API-KEY",
            "privateKey",
            "db_password",
            "pwd",
            "Authorization",
            "session_id",
            "key",
            "aws_secret_access_key",
            // And the short words.
            "pass",
            "db_pass",
            "SMTP_PASS",
            "refresh",
            "oauth_refresh",
            "refresh_token",
            "x-api-key",
            "secretKey",
            "Cookie",
            "auth",
        ] {
            assert!(is_credential_key(key), "{key}");
        }
    }

    #[test]
    fn counts_and_settings_that_mention_a_credential_are_not_slots() {
        for key in [
            "max_tokens",
            "maxTokens",
            "max_output_tokens",
            "tokenizer",
            "session_timeout",
            "keys",
            "monkey",
            "api_url",
            "passthrough",
            "pass_through",
            "refresh_interval",
            "password_min_length",
            "passwordPolicy",
            "token_limit",
            "token_type",
            "token_url",
            "secret_name",
            "api_key_env",
            "name",
            "model",
            "temperature",
            "keyboard",
            "author",
        ] {
            assert!(!is_credential_key(key), "{key}");
        }
    }

    #[test]
    fn mentions_cover_plurals_and_last_words_but_not_settings_or_data_keys() {
        for key in [
            "api_keys",
            "tokens",
            "db_pass",
            "passwords",
            "auth",
            "x_auth",
            "Password",
            "cohere_key",
            "DD_API_KEY",
            "my password",
        ] {
            assert!(mentions_credential(key), "{key}");
        }
        for key in [
            "tokenizer",
            "secret_name",
            "token_url",
            "address",
            "keyboard",
            "pass_count",
            "pass_rate",
            "auth_provider",
            "idempotency_key",
            "sort_key",
            "s3_key",
            "signing_key_id",
            "primary key",
        ] {
            assert!(!mentions_credential(key), "{key}");
        }
    }

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
        assert_eq!(words("dbPassword2"), ["db", "password2"]);
        assert_eq!(words("SMTP_PASS"), ["smtp", "pass"]);
    }
}
