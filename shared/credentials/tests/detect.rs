//! Walking content: what is a slot, what is a finding and at which pointer, what filling and scrubbing do.

use marketplace_credentials::{
    fill_slots_with_placeholder, find_credentials, is_credential_key, scrub, slot_names, Finding,
    PLACEHOLDER,
};
use serde_json::{json, Value};

const GHP: &str = "ghp_q8ZkT2vN7xLp4RbW9mYc3HsJ6dFg1KtQe5Ua";
const AKIA: &str = "AKIAJ7QZ2X5VB3N6K4LM";
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

fn finding(field: &str, rule: &'static str) -> Finding {
    Finding {
        field: field.to_owned(),
        rule,
    }
}

#[test]
fn findings_by_position() {
    let cases: Vec<(&str, Value, Vec<Finding>)> = vec![
        (
            "a slot's value",
            json!({"api_key": GHP, "password": "hunter2"}),
            vec![],
        ),
        (
            "a value paired with a slot name",
            json!({"headers": [{"name": "X-Api-Key", "value": GHP}, {"header": "Authorization", "val": JWT}]}),
            vec![],
        ),
        (
            "tool config pass and refresh",
            json!({"config": {"db_pass": "hunter2-secret", "refresh": "1//0gXk9mq2vLp7RzT4", "pass": GHP}}),
            vec![],
        ),
        (
            "a slot's whole subtree",
            json!({"credentials": {"github": GHP}}),
            vec![],
        ),
        (
            "the placeholder",
            json!({"note": PLACEHOLDER, "list": [PLACEHOLDER]}),
            vec![],
        ),
        (
            "numbers, booleans, nulls",
            json!({"n": 1234567890, "b": true, "z": null}),
            vec![],
        ),
        (
            "an unknown key's value",
            json!({"x": GHP}),
            vec![finding("x", "github-pat")],
        ),
        (
            "an array of header strings",
            json!({"configuration": {"headers": ["Accept: */*", format!("Authorization: Bearer {JWT}")]}}),
            vec![finding("configuration/headers/1", "jwt")],
        ),
        (
            "a value paired with a name that is no slot",
            json!({"params": [{"name": "X-Trace", "value": GHP}]}),
            vec![finding("params/0/value", "github-pat")],
        ),
        (
            "a sentence in a prompt",
            json!({"prompt": format!("Use {GHP} for the repo")}),
            vec![finding("prompt", "github-pat")],
        ),
        (
            "two credentials in one string",
            json!({"prompt": format!("{GHP} and {AKIA}")}),
            vec![
                finding("prompt", "github-pat"),
                finding("prompt", "aws-access-key-id"),
            ],
        ),
        (
            "a credential used as a key, reported at its object",
            json!({"labels": {GHP: {"inner": AKIA}}}),
            vec![finding("labels", "github-pat")],
        ),
        (
            "two credentials of one rule used as keys of one object",
            json!({"labels": {GHP: 1, "ghp_Zx81kQ9vLp2MnB7cT4wR6yU3iO5pA1sD2fG4": 2}}),
            vec![finding("labels", "github-pat")],
        ),
        (
            "keys escaped as RFC 6901 says",
            json!({"a/b": {"c~d": [GHP]}}),
            vec![finding("a~1b/c~0d/0", "github-pat")],
        ),
        (
            "a random value under a key that mentions a credential",
            json!({"api_keys": ["9f8e7d6c5b4a39281726354a"], "tokens": ["<|eot_id|>", "</s>"]}),
            vec![finding("api_keys/0", "generic-credential")],
        ),
        (
            "settings about credentials",
            json!({"token_url": "https://oauth2.googleapis.com/token", "secret_name": "prod/openai-key-2025",
                   "api_key_env": "OPENAI_API_KEY", "token_limit": 4096, "token_type": "Bearer"}),
            vec![],
        ),
        (
            "a URL whose password holds a slash",
            json!({"remote": "https://user:pa/ss@git.example.com/org/repo.git"}),
            vec![finding("remote", "url-credentials")],
        ),
    ];
    for (case, content, expected) in cases {
        assert_eq!(find_credentials(&content, ""), expected, "{case}");
    }
}

#[test]
fn a_base_prefixes_pointers_and_names_a_bare_string() {
    assert_eq!(
        find_credentials(&json!({"headers": [GHP]}), "configuration"),
        [finding("configuration/headers/0", "github-pat")]
    );
    assert_eq!(
        find_credentials(&json!(GHP), "name"),
        [finding("name", "github-pat")]
    );
    assert_eq!(
        find_credentials(&json!(GHP), ""),
        [finding("", "github-pat")]
    );
}

#[test]
fn filling_slots_replaces_credentials_and_counts_them() {
    let mut content = json!({
        "model_config": {"max_tokens": 1000, "api_key": "abc", "headers": [{"name": "X-Api-Key", "value": "v"}]},
        "tools": [{"config": {"db_pass": "hunter2", "refresh": "r", "auth": null, "token": PLACEHOLDER}}],
        "credentials": {"a": 1},
        "password_min_length": 12,
        "passthrough": true,
    });
    assert_eq!(fill_slots_with_placeholder(&mut content), 5);
    assert_eq!(
        content,
        json!({
            "model_config": {"max_tokens": 1000, "api_key": PLACEHOLDER,
                             "headers": [{"name": "X-Api-Key", "value": PLACEHOLDER}]},
            "tools": [{"config": {"db_pass": PLACEHOLDER, "refresh": PLACEHOLDER, "auth": null, "token": PLACEHOLDER}}],
            "credentials": PLACEHOLDER,
            "password_min_length": 12,
            "passthrough": true,
        })
    );
    assert_eq!(fill_slots_with_placeholder(&mut content), 0, "idempotent");
    assert_eq!(find_credentials(&content, ""), []);
}

#[test]
fn scrubbing_replaces_reported_strings_fills_slots_and_drops_credential_keys() {
    let mut content = json!({
        "prompt": format!("Use {GHP} for the repo"),
        "headers": ["Accept: */*", format!("Authorization: Bearer {JWT}")],
        "api_key": "abc",
        "labels": {AKIA: "primary", "team": "core"},
        "model": "gpt-4.1",
    });
    assert_eq!(scrub(&mut content), 4);
    assert_eq!(
        content,
        json!({
            "prompt": PLACEHOLDER,
            "headers": ["Accept: */*", PLACEHOLDER],
            "api_key": PLACEHOLDER,
            "labels": {"team": "core"},
            "model": "gpt-4.1",
        })
    );
    assert_eq!(scrub(&mut content), 0, "idempotent");
}

#[test]
fn the_slot_rule_is_public() {
    assert!(is_credential_key("db_pass"));
    assert!(!is_credential_key("max_tokens"));
}

#[test]
fn slot_names_name_each_slot_a_workspace_fills() {
    let content = json!({
        "configuration": {
            "api_key": "[redacted]",
            "max_tokens": 500,
            "headers": [
                {"name": "X-Api-Key", "value": "[redacted]"},
                {"name": "Accept", "value": "application/json"}
            ],
            "nested": [{"db_pass": null}]
        }
    });
    assert_eq!(slot_names(&content), ["api_key", "X-Api-Key", "db_pass"]);
    assert!(slot_names(&json!({"prompt": "no slots here", "tokens": 3})).is_empty());
}
