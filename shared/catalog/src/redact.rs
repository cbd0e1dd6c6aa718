use serde_json::Value;

/// What a secret's value is replaced with in every response.
pub const REDACTED: &str = "[redacted]";

/// Whether a configuration key names a secret:
/// `secret|token|password|passwd|api[_-]?key|credential|private[_-]?key`, case-insensitive, anywhere in the key.
pub fn is_secret_key(key: &str) -> bool {
    const WORDS: [&str; 5] = ["secret", "token", "password", "passwd", "credential"];
    const SEPARATED: [&str; 6] = [
        "apikey",
        "api_key",
        "api-key",
        "privatekey",
        "private_key",
        "private-key",
    ];
    let key = key.to_ascii_lowercase();
    WORDS
        .iter()
        .chain(&SEPARATED)
        .any(|word| key.contains(word))
}

/// Replaces the value of every secret-named key, at any depth, with [`REDACTED`].
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
}
