//! A planted credential put in the content of each kind of item, at each position a publisher could put one:
//! a bare value, a sentence of a prompt, an array of header strings, an object key, nested one to four deep,
//! the `value` of a name/value pair.

use serde_json::{json, Map, Value};

use super::Planted;

/// Content of one kind with one credential in it, and the finding it must give.
#[derive(Debug, Clone)]
pub struct Placed {
    /// `agent`, `recipe`, `skill`, `llm` or `tool`.
    pub kind: &'static str,
    /// Where the credential is, for messages: `bare`, `sentence`, `header`, `depth-3`, …
    pub position: &'static str,
    pub content: Value,
    /// The pointer the finding must have, from the content's root.
    pub field: String,
    pub rule: &'static str,
}

/// The content of an item of each kind with the credential at each position.
pub fn placed(planted: &Planted) -> Vec<Placed> {
    let mut placed = Vec::new();
    for (index, (position, key, value, relative)) in
        positions(&planted.secret).into_iter().enumerate()
    {
        for kind in ["agent", "recipe", "skill", "llm", "tool"] {
            let mut members = Map::new();
            members.insert(key.to_owned(), value.clone());
            let (content, container) = frame(kind, members, index % 2 == 1);
            let field = match relative.as_str() {
                "" => container.to_owned(),
                relative => format!("{container}/{relative}"),
            };
            placed.push(Placed {
                kind,
                position,
                content,
                field,
                rule: planted.format,
            });
        }
    }
    placed
}

/// (position, key, value, pointer below the container) for each position that fits the secret.
fn positions(secret: &str) -> Vec<(&'static str, &'static str, Value, String)> {
    let one_line = !secret.contains('\n');
    let token = !secret.chars().any(char::is_whitespace);
    let mut positions = vec![
        ("bare", "note", json!(secret), "note".to_owned()),
        (
            "escaped-key",
            "notes/v1~draft",
            json!(secret),
            "notes~1v1~0draft".to_owned(),
        ),
        (
            "sentence",
            "prompt",
            json!(format!("Call the API with {secret} and report the result.")),
            "prompt".to_owned(),
        ),
        (
            "pair",
            "params",
            json!([{"name": "X-Request-Source", "value": secret}]),
            "params/0/value".to_owned(),
        ),
        (
            "depth-1",
            "options",
            json!({"extra": secret}),
            "options/extra".to_owned(),
        ),
        (
            "depth-2",
            "options",
            json!({"extra": [secret]}),
            "options/extra/0".to_owned(),
        ),
        (
            "depth-3",
            "options",
            json!({"extra": [{"detail": secret}]}),
            "options/extra/0/detail".to_owned(),
        ),
        (
            "depth-4",
            "options",
            json!({"extra": [{"detail": ["ok", secret]}]}),
            "options/extra/0/detail/1".to_owned(),
        ),
    ];
    let header = if secret.starts_with("Bearer ") || secret.starts_with("Basic ") {
        Some(format!("Authorization: {secret}"))
    } else if token && !secret.contains("://") && !secret.contains([';', '"']) {
        Some(format!("Authorization: Bearer {secret}"))
    } else {
        one_line.then(|| secret.to_owned())
    };
    if let Some(header) = header {
        let headers = json!(["Accept: application/json", header]);
        positions.push(("header", "headers", headers, "headers/1".to_owned()));
    }
    if token {
        // A credential used as a key is reported at the object that holds it.
        positions.push((
            "key",
            "labels",
            json!({secret: "primary"}),
            "labels".to_owned(),
        ));
    }
    positions
}

/// The content of an item of `kind` with `members` in one of its configuration objects (the other one of an
/// agent's when `alternate`), and the pointer to that object.
fn frame(kind: &str, members: Map<String, Value>, alternate: bool) -> (Value, &'static str) {
    // The container's own fields, with the planted members added.
    let with = |fields: Value| {
        let mut object = members.clone();
        if let Value::Object(fields) = fields {
            object.extend(fields);
        }
        Value::Object(object)
    };
    let configuration = json!({"system_prompt": "You are a concise assistant."});
    let model_config = json!({"model": "gpt-4.1", "temperature": 0.2, "max_tokens": 1024});
    match kind {
        "agent" if alternate => (
            json!({
                "agent_type": "assistant",
                "configuration": configuration,
                "model_config": with(model_config),
            }),
            "model_config",
        ),
        "agent" => (
            json!({
                "agent_type": "assistant",
                "configuration": with(configuration),
                "model_config": model_config,
            }),
            "configuration",
        ),
        "recipe" => (
            json!({
                "definition": {"description": "Nightly triage of new issues"},
                "steps": [{
                    "id": "triage",
                    "agent_id": "8d0f4c1e-2b7a-4e3d-9c55-1f2e3d4c5b6a",
                    "with": with(json!({"label": "needs-triage"})),
                }],
                "required_tools": ["github"],
                "recommended_agents": [],
            }),
            "steps/0/with",
        ),
        "skill" => (
            json!({
                "skill_type": "prompt",
                "content": with(json!({"instructions": "Write release notes from the merged pull requests."})),
            }),
            "content",
        ),
        "llm" => (
            json!({
                "provider": "openai",
                "model_id": "gpt-4.1-mini",
                "context_window": 128000,
                "config": with(json!({"temperature": 0.7})),
            }),
            "config",
        ),
        _ => (
            json!({"app_slug": "github", "config": with(json!({"base_url": "https://api.github.com"}))}),
            "config",
        ),
    }
}
