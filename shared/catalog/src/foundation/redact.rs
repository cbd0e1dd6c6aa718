use serde_json::Value;

/// What a secret's value is replaced with in every response.
pub const REDACTED: &str = "[redacted]";

/// Whether a configuration key names a secret: docs/api.md's
/// `secret|token|password|passwd|api[_-]?key|credential|private[_-]?key` (case-insensitive, anywhere in the
/// key), and also keys that name a key or an authorisation header (`key`, `access_key`, `signingKey`,
/// `authorization`, `auth`, `bearer`, `cookie`): a false positive hides a harmless value, a false negative
/// leaks a live one.
pub fn is_secret_key(key: &str) -> bool {
    const CONTAINED: [&str; 12] = [
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "privatekey",
        "private_key",
        "private-key",
        "authorization",
    ];
    const WHOLE: [&str; 5] = ["key", "auth", "bearer", "cookie", "session"];
    let lower = key.to_ascii_lowercase();
    CONTAINED.iter().any(|word| lower.contains(word))
        || WHOLE.contains(&lower.as_str())
        || lower.ends_with("_key")
        || lower.ends_with("-key")
        || (key.ends_with("Key") && key.len() > 3)
}

/// Whether a configuration key names a credential slot, word by word (`access_token`, `client_secret`,
/// `api_key`, `db_pass`, `refresh`): what is taken out of content before it is stored in a listing, a version
/// or an installed copy (the credentials crate's rule). Unlike [`is_secret_key`] it leaves counts and
/// settings that merely contain such a word (`max_tokens`, `tokenizer`, `session_timeout`) alone, so an
/// installed copy keeps working.
pub use marketplace_credentials::is_credential_key;

/// Whether a string value looks like a credential whatever its key: the published prefixes of common API
/// keys and tokens, a bearer or basic authorisation header, a JWT, or a URL with a password in it.
pub fn looks_like_secret(value: &str) -> bool {
    const PREFIXES: [&str; 16] = [
        "sk-",
        "sk_live_",
        "sk_test_",
        "rk_live_",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "AKIA",
        "ASIA",
        "AIza",
    ];
    let value = value.trim();
    let is_token_text = value.len() >= 16
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.=+/".contains(c));
    let authorization = |scheme: &str| {
        value
            .get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    };
    let url_password = value.split_once("://").is_some_and(|(_, rest)| {
        rest.split(['/', '?', '#'])
            .next()
            .is_some_and(|authority| authority.contains('@') && authority.contains(':'))
    });
    (is_token_text && PREFIXES.iter().any(|prefix| value.starts_with(prefix)))
        || (is_token_text && value.starts_with("eyJ") && value.matches('.').count() == 2)
        || authorization("bearer ")
        || authorization("basic ")
        || url_password
        || !marketplace_credentials::scan_text(value).is_empty()
}

/// A name from an item's configuration, as a warning may show it: not at all if it holds anything that looks
/// like a credential.
pub(crate) fn shown(name: &str) -> &str {
    let pieces = name.split(|c: char| c.is_whitespace() || "\"'(){}[],;=:".contains(c));
    if looks_like_secret(name) || pieces.into_iter().any(looks_like_secret) {
        REDACTED
    } else {
        name
    }
}

/// The display policy, applied wherever item JSON is built for a response: the value of every secret-named
/// key ([`is_secret_key`]), of a `value` beside a secret `name` (`{"name": "X-Api-Key", "value": …}`), and every
/// secret-looking string, at any depth (arrays of objects included), becomes [`REDACTED`].
pub fn redact_secrets(value: &mut Value) {
    redact(value, is_secret_key);
}

/// [`redact_secrets`] for each field of an object the service built itself (an item's content, keyed by
/// column, or a summary's metadata): those field names are not configuration keys.
pub fn redact_fields(value: &mut Value) {
    each_field(value, redact_secrets);
}

/// The storage policy: like [`redact_secrets`] with [`is_credential_key`], so that what a listing, a version
/// snapshot or an installed copy stores holds no credential and still works.
pub(crate) fn strip_credentials(value: &mut Value) {
    each_field(value, |field| redact(field, is_credential_key));
}

fn each_field(value: &mut Value, mut apply: impl FnMut(&mut Value)) {
    match value {
        Value::Object(fields) => fields.values_mut().for_each(apply),
        other => apply(other),
    }
}

fn redact(value: &mut Value, names_secret: fn(&str) -> bool) {
    match value {
        Value::Object(map) => {
            let named_secret = ["name", "key", "header"].iter().any(|field| {
                map.get(*field)
                    .and_then(Value::as_str)
                    .is_some_and(names_secret)
            });
            for (key, inner) in map.iter_mut() {
                let paired = named_secret && matches!(key.as_str(), "value" | "val");
                if names_secret(key) || paired {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact(inner, names_secret);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(item, names_secret)),
        Value::String(text) if looks_like_secret(text) => *text = REDACTED.to_owned(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_holding_a_credential_are_not_shown() {
        assert_eq!(shown("gpt-4.1"), "gpt-4.1");
        assert_eq!(shown("Support Bot"), "Support Bot");
        assert_eq!(shown("sk-live-4f7d2b9c1e8a6b3d"), REDACTED);
        assert_eq!(shown("model sk-live-4f7d2b9c1e8a6b3d please"), REDACTED);
        assert_eq!(
            shown("{\"api_key\": \"sk-live-4f7d2b9c1e8a6b3d\"}"),
            REDACTED
        );
    }

    #[test]
    fn recognises_secret_keys() {
        for key in [
            "secret",
            "client_secret",
            "TOKEN",
            "accessToken",
            "password",
            "db_passwd",
            "apiKey",
            "api_key",
            "API-KEY",
            "credentials",
            "privateKey",
            "private_key",
            "private-key",
            "key",
            "Authorization",
            "access_key",
            "signingKey",
            "x-api-key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "name",
            "model",
            "api",
            "keys",
            "private",
            "pass",
            "temperature",
            "api_url",
            "keyboard",
            "monkey",
            "K",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn redacts_at_every_depth_including_arrays_and_whole_subtrees() {
        let mut config = json!({
            "model": "gpt",
            "api_key": "sk-live-123",
            "nested": {"deeper": [{"Password": "hunter2", "user": "ada"}], "credentials": {"a": 1}},
        });
        redact_secrets(&mut config);
        assert_eq!(
            config,
            json!({
                "model": "gpt",
                "api_key": REDACTED,
                "nested": {"deeper": [{"Password": REDACTED, "user": "ada"}], "credentials": REDACTED},
            })
        );
    }

    #[test]
    fn storage_takes_out_credentials_but_keeps_settings_that_contain_their_words() {
        // Which keys are slots is the credentials crate's rule, tested there (shared/credentials/src/key.rs).
        let mut content = json!({
            "max_output_tokens": 4096,
            "model_config": {"max_tokens": 1000, "api_key": "abc", "headers": [{"name": "X-Api-Key", "value": "v"}]},
            "dsn": "postgres://app:hunter2@db/prod",
        });
        strip_credentials(&mut content);
        assert_eq!(
            content,
            json!({
                "max_output_tokens": 4096,
                "model_config": {"max_tokens": 1000, "api_key": REDACTED,
                                 "headers": [{"name": "X-Api-Key", "value": REDACTED}]},
                "dsn": REDACTED,
            })
        );
    }

    #[test]
    fn display_names_its_own_fields_freely_and_redacts_what_the_contract_names() {
        let mut metadata =
            json!({"max_output_tokens": 4096, "model": {"max_tokens": 10, "auth": "x"}});
        redact_fields(&mut metadata);
        assert_eq!(
            metadata,
            json!({"max_output_tokens": 4096, "model": {"max_tokens": REDACTED, "auth": REDACTED}})
        );
    }

    #[test]
    fn redacts_secret_looking_values_under_any_key() {
        let mut config = json!({
            "model": {"name": "x", "endpoint": "sk-live-0123456789abcdef"},
            "headers": [{"name": "Authorization", "value": "Bearer abc.def"}],
            "steps": [{"with": ["ghp_0123456789abcdefghij", "plain text", "sk-short"]}],
            "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        });
        redact_secrets(&mut config);
        assert_eq!(
            config,
            json!({
                "model": {"name": "x", "endpoint": REDACTED},
                "headers": [{"name": "Authorization", "value": REDACTED}],
                "steps": [{"with": [REDACTED, "plain text", "sk-short"]}],
                "jwt": REDACTED,
            })
        );
    }
}
