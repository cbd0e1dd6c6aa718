//! Benign content of every kind, as publishers write it: prompts about credentials, slots already holding the
//! placeholder, counts named after tokens, ids, hashes, URLs, schedules, schemas. None may be refused.

use serde_json::{json, Value};

use super::fake::{Fake, HEX};
use super::prose::{APPS, CRONS, MODELS, PROMPTS, PROVIDERS, TAGS};
use crate::PLACEHOLDER;

/// How many configurations of each kind.
const PER_KIND: usize = 45;

/// Realistic content of every kind (agent configuration and model config, recipe steps, skill content, LLM
/// config, tool config) without a credential outside its slots; always the same.
pub fn benign() -> Vec<Value> {
    let mut fake = Fake::new(0xBE_21_67);
    let builders: [fn(usize, &mut Fake) -> Value; 5] = [agent, recipe, skill, llm, tool];
    builders
        .iter()
        .flat_map(|build| {
            (0..PER_KIND)
                .map(|i| build(i, &mut fake))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn pick<T: Copy>(items: &[T], i: usize) -> T {
    items[i % items.len()]
}

fn agent(i: usize, fake: &mut Fake) -> Value {
    json!({
        "agent_type": pick(&["assistant", "classifier", "router"], i),
        "configuration": {
            "system_prompt": pick(PROMPTS, i),
            "greeting": pick(PROMPTS, i + 17),
            "tools": [pick(APPS, i).0, pick(APPS, i + 5).0],
            "headers": ["Accept: application/json", "Authorization: Bearer {{secrets.API_TOKEN}}"],
            "memory": {"kind": "window", "max_messages": 20 + i, "session_timeout": 1800},
            "api_key": PLACEHOLDER,
            "handoff": {"name": "Authorization", "value": PLACEHOLDER},
            "icon": format!("https://cdn.example.com/icons/agent-{i}.png"),
            "trace_id": fake.token(HEX, 32),
        },
        "model_config": {
            "model": pick(MODELS, i),
            "temperature": 0.1 * (i % 8) as f64,
            "max_tokens": 256 << (i % 5),
            "max_output_tokens": 4096,
            "tokenizer": "cl100k_base",
            "stop": ["</s>", "<|eot_id|>", "<|im_end|>"],
            "seed": 1000 + i,
        },
        "tags": [pick(TAGS, i), pick(TAGS, i + 3)],
        "version": format!("1.{}.{}", i % 7, i % 3),
    })
}

fn recipe(i: usize, fake: &mut Fake) -> Value {
    json!({
        "definition": {
            "description": pick(PROMPTS, i + 3),
            "schedule": pick(CRONS, i),
            "timezone": pick(&["Europe/Paris", "America/New_York", "UTC"], i),
            "inputs": {"repository": "acme/agents", "branch": "main", "since": "2025-01-31"},
        },
        "steps": [
            {
                "id": "fetch",
                "agent_id": fake.uuid(),
                "with": {
                    "url": format!("{}/repos/acme/agents/pulls?state=closed&page={i}", pick(APPS, 0).1),
                    "token": PLACEHOLDER,
                    "timeout_seconds": 30 + i,
                },
            },
            {
                "id": "summarise",
                "agent_id": fake.uuid(),
                "with": {
                    "prompt": pick(PROMPTS, i + 11),
                    "input": "{{steps.fetch.output}}",
                    "commit": fake.token(HEX, 40),
                    "max_tokens": 800,
                },
            },
            {
                "id": "notify",
                "agent_id": fake.uuid(),
                "with": {
                    "channel": pick(&["#eng-alerts", "#release-notes", "#support-escalations"], i),
                    "mention": "@oncall",
                    "color": format!("#{}", fake.token(HEX, 6)),
                },
            },
        ],
        "required_tools": [pick(APPS, i).0, "slack"],
        "recommended_agents": [fake.uuid()],
    })
}

fn skill(i: usize, fake: &mut Fake) -> Value {
    json!({
        "skill_type": pick(&["prompt", "function", "retrieval"], i),
        "content": {
            "instructions": pick(PROMPTS, i + 7),
            "examples": [
                {"input": pick(PROMPTS, i + 19), "output": "Done."},
                {"input": "What is my password?", "output": "I can't see or store passwords."},
            ],
            "parameters": {
                "type": "object",
                "properties": {
                    "password": {"type": "string", "minLength": 12},
                    "max_tokens": {"type": "integer", "default": 512},
                    "email": {"type": "string", "format": "email"},
                },
                "required": ["email"],
            },
            "checksum": format!("sha256:{}", fake.token(HEX, 64)),
            "source": format!("https://github.com/acme/skills/blob/{}/skill.md", fake.token(HEX, 40)),
            "password_policy": {"min_length": 12, "require_symbol": true},
            "updated_at": format!("2025-0{}-1{}T08:00:00Z", 1 + i % 9, i % 10),
        },
    })
}

fn llm(i: usize, fake: &mut Fake) -> Value {
    let (provider, base_url) = pick(PROVIDERS, i);
    json!({
        "provider": provider,
        "model_id": pick(MODELS, i + 2),
        "context_window": pick(&[8192, 32768, 128000, 200000], i),
        "pricing": {"input_per_million_tokens": 0.15 * (1 + i % 5) as f64, "output_per_million_tokens": 0.6},
        "config": {
            "base_url": base_url,
            "api_key_env": format!("{}_API_KEY", provider.to_uppercase().replace('-', "_")),
            "secret_name": format!("prod/{provider}-key-2025"),
            "token_limit": 100_000,
            "token_type": "Bearer",
            "auth": {"type": "api_key", "header": "X-Api-Key"},
            "organization": format!("org-{}", provider),
            "request_id": fake.uuid(),
            "retry": {"max_attempts": 3, "backoff": "exponential"},
            "system_prompt": pick(PROMPTS, i + 23),
        },
    })
}

fn tool(i: usize, fake: &mut Fake) -> Value {
    let (slug, base_url) = pick(APPS, i);
    json!({
        "app_slug": slug,
        "config": {
            "base_url": base_url,
            "auth_type": pick(&["oauth2", "api_key", "basic"], i),
            "token_url": "https://github.com/login/oauth/access_token",
            "scopes": ["repo", "read:org", "chat:write"],
            "client_id": format!("Iv1.{}", fake.token(HEX, 16)),
            "client_secret": PLACEHOLDER,
            "headers": [
                {"name": "X-Api-Key", "value": PLACEHOLDER},
                {"name": "User-Agent", "value": format!("acme-agent/{}.0", i % 4)},
            ],
            "webhook_path": format!("/hooks/{slug}/incoming"),
            "ssh_remote": "git@github.com:acme/agents.git",
            "database_url": "postgres://localhost:5432/app",
            "login_url": "https://user@example.com/sso",
            "etag": format!("W/\"{}\"", fake.token(HEX, 32)),
            "storage": {
                "object_key": format!("exports/{}/run-{}.csv", 2020 + i % 6, fake.token(HEX, 10)),
                "idempotency_key": fake.uuid(),
                "partition_key": format!("tenant_{}", fake.token(HEX, 12)),
                "cache_key": format!("user:{i}:profile"),
                "routing_key": "orders.created.v2",
                "signing_key_id": format!("kid_2025_{:02}", i % 12),
            },
            "auth_provider": format!("auth0|{}", fake.token(HEX, 24)),
            "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR8Rl+dYfNVTeSgQ==",
            "deploy_key_public": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@acme",
            "logo": "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNCAyNCI+PC9zdmc+",
            "page_token": PLACEHOLDER,
            "description": pick(PROMPTS, i + 29),
        },
    })
}
