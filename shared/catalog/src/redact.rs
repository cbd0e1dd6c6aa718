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

/// Whether a string value looks like a credential whatever its key: the published prefixes of common API
/// keys and tokens, a bearer header, or a JWT.
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
    (is_token_text && PREFIXES.iter().any(|prefix| value.starts_with(prefix)))
        || (is_token_text && value.starts_with("eyJ") && value.matches('.').count() == 2)
        || value
            .get(..7)
            .is_some_and(|start| start.eq_ignore_ascii_case("bearer "))
}

/// The one redaction policy, applied wherever item JSON is built: the value of every secret-named key, and
/// every secret-looking string, at any depth (arrays of objects included), becomes [`REDACTED`].
pub fn redact_secrets(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key) {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_secrets(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        Value::String(text) if looks_like_secret(text) => *text = REDACTED.to_owned(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
