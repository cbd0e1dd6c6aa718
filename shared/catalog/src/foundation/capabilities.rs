//! What an item can reach once installed — its capability manifest — derived from its content: the connected
//! apps (and actions) it calls, the hosts it talks to, the credential slots a workspace fills, the models it
//! sends data to, and the workspace items an install creates. Pure: no I/O.
//!
//! The manifest's JSON is canonical (object keys sorted, arrays sorted, no whitespace), so that its digest,
//! the SHA-256 of that JSON, names one manifest: a client consents to a digest.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::foundation::hosts::{bare_host, host_covers, names_an_address, url_hosts};
use crate::foundation::kind::ItemKind;

/// A capability manifest. Fields are declared in alphabetical order: serialised, it is canonical JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Workspace items an install creates, by kind (`type`): the item and each dependency it clones.
    #[serde(default)]
    pub creates: BTreeMap<String, u32>,
    /// Credential slots the workspace fills in (`api_key`, `X-Api-Key`).
    #[serde(default)]
    pub credentials: BTreeSet<String>,
    /// Models the item sends the workspace's data to.
    #[serde(default)]
    pub models: BTreeSet<ModelUse>,
    /// Hosts the content references, lowercase.
    #[serde(default)]
    pub network: BTreeSet<String>,
    /// Connected apps by slug, each with the actions the content names (none named: `[]`).
    #[serde(default)]
    pub tools: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelUse {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// A capability manifest and its digest, as responses show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub capabilities: Capabilities,
    pub capabilities_digest: String,
}

impl Manifest {
    /// The manifest as stored.
    pub fn capabilities_json(&self) -> Value {
        serde_json::to_value(&self.capabilities).expect("a manifest serialises")
    }
}

impl From<Capabilities> for Manifest {
    fn from(capabilities: Capabilities) -> Self {
        Self {
            capabilities_digest: capabilities.digest(),
            capabilities,
        }
    }
}

/// What an update changes: capabilities the new version has and the installed one lacks, and the reverse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CapabilityChanges {
    pub added: Capabilities,
    pub removed: Capabilities,
}

/// Object keys whose string value names a connected app, and those naming its actions.
const APP_KEYS: [&str; 3] = ["app_slug", "app", "toolkit"];
const ACTION_KEYS: [&str; 2] = ["actions", "action"];

impl Capabilities {
    /// The manifest of one item's own content (`{column: value}` of its kind), without its dependencies.
    /// `tool_slugs`: an agent's tool assignments, which live beside its content.
    pub fn derive(kind: ItemKind, content: &Value, tool_slugs: &[String]) -> Self {
        let mut manifest = Self::default();
        manifest.creates.insert(kind.as_str().to_owned(), 1);
        for slug in tool_slugs {
            manifest.add_tool(slug, None);
        }
        match kind {
            ItemKind::Tool => {
                if let Some(app) = content.get("app_slug").and_then(Value::as_str) {
                    let actions = content
                        .get("config")
                        .and_then(|config| config.get("actions"));
                    manifest.add_tool(app, actions);
                }
            }
            ItemKind::Recipe => {
                for tool in content
                    .get("required_tools")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    match tool {
                        Value::String(app) => manifest.add_tool(app, None),
                        other => manifest.add_tool_object(other),
                    }
                }
            }
            ItemKind::Agent => {
                let config = content.get("model_config");
                if let Some(model) = config.and_then(|c| c.get("model")).and_then(Value::as_str) {
                    let provider = config
                        .and_then(|c| c.get("provider"))
                        .and_then(Value::as_str);
                    manifest.add_model(model, provider);
                }
            }
            ItemKind::Llm => {
                if let Some(model) = content.get("model_id").and_then(Value::as_str) {
                    manifest.add_model(model, content.get("provider").and_then(Value::as_str));
                }
            }
            ItemKind::Skill => {}
        }
        manifest.walk(content, None);
        manifest
            .credentials
            .extend(marketplace_credentials::slot_names(content));
        manifest
    }

    /// Everything `self` or `other` has; `creates` adds up.
    pub fn union(mut self, other: &Self) -> Self {
        for (kind, count) in &other.creates {
            *self.creates.entry(kind.clone()).or_default() += count;
        }
        self.credentials.extend(other.credentials.iter().cloned());
        self.models.extend(other.models.iter().cloned());
        self.network.extend(other.network.iter().cloned());
        for (app, actions) in &other.tools {
            self.tools
                .entry(app.clone())
                .or_default()
                .extend(actions.iter().cloned());
        }
        self.without_vague_models()
    }

    /// A model named without its provider is dropped once the same model is named with one (an agent names
    /// its model; the LLM it depends on names the provider too).
    fn without_vague_models(mut self) -> Self {
        let named: HashSet<String> = self
            .models
            .iter()
            .filter(|used| used.provider.is_some())
            .map(|used| used.model.clone())
            .collect();
        self.models
            .retain(|used| used.provider.is_some() || !named.contains(&used.model));
        self
    }

    /// Whether installing it needs the installer's consent: it reaches anything (creating items alone does
    /// not).
    pub fn needs_consent(&self) -> bool {
        !(self.tools.is_empty()
            && self.network.is_empty()
            && self.credentials.is_empty()
            && self.models.is_empty())
    }

    /// Whether it reaches nothing and creates nothing.
    pub fn is_empty(&self) -> bool {
        !self.needs_consent() && self.creates.is_empty()
    }

    /// Lowercase hex SHA-256 of the canonical JSON.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a manifest serialises");
        Sha256::digest(canonical)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// What `self` reaches that `other` does not (an app counts as new when it is, an action when its app
    /// was there without it); `creates` is not compared.
    pub fn beyond(&self, other: &Self) -> Self {
        let mut extra = Self {
            credentials: self
                .credentials
                .difference(&other.credentials)
                .cloned()
                .collect(),
            models: self.models.difference(&other.models).cloned().collect(),
            network: self.network.difference(&other.network).cloned().collect(),
            ..Self::default()
        };
        for (app, actions) in &self.tools {
            match other.tools.get(app) {
                None => {
                    extra.tools.insert(app.clone(), actions.clone());
                }
                Some(known) => {
                    let new: BTreeSet<String> = actions.difference(known).cloned().collect();
                    if !new.is_empty() {
                        extra.tools.insert(app.clone(), new);
                    }
                }
            }
        }
        extra
    }

    /// The changes from `installed` to `self`.
    pub fn changes_from(&self, installed: &Self) -> CapabilityChanges {
        CapabilityChanges {
            added: self.beyond(installed),
            removed: installed.beyond(self),
        }
    }

    /// What `self` reaches that `declared` does not cover (`creates` is never declared). An app declared with
    /// no actions covers all of its actions; a host `*.example.com` covers every subdomain of
    /// `example.com`; a model declared without a provider, any provider's model of that id, and a model `*`,
    /// every model of its provider; credential slots compare case-insensitively.
    pub fn undeclared(&self, declared: &Self) -> Self {
        let mut missing = Self {
            credentials: self
                .credentials
                .iter()
                .filter(|slot| {
                    !declared
                        .credentials
                        .iter()
                        .any(|known| known.eq_ignore_ascii_case(slot))
                })
                .cloned()
                .collect(),
            models: self
                .models
                .iter()
                .filter(|used| !declared.models.iter().any(|known| known.covers(used)))
                .cloned()
                .collect(),
            network: self
                .network
                .iter()
                .filter(|host| {
                    !declared
                        .network
                        .iter()
                        .any(|known| host_covers(known, host))
                })
                .cloned()
                .collect(),
            ..Self::default()
        };
        for (app, actions) in &self.tools {
            let uncovered: Option<BTreeSet<String>> = match declared.tools.get(app) {
                None => Some(actions.clone()),
                Some(known) if known.is_empty() => None,
                Some(known) => {
                    let left: BTreeSet<String> = actions.difference(known).cloned().collect();
                    (!left.is_empty()).then_some(left)
                }
            };
            if let Some(uncovered) = uncovered {
                missing.tools.insert(app.clone(), uncovered);
            }
        }
        missing
    }

    /// Each entry as a short phrase (`network: evil.example`), for a message.
    pub fn entries(&self) -> Vec<String> {
        let mut entries = Vec::new();
        for (app, actions) in &self.tools {
            if actions.is_empty() {
                entries.push(format!("tools: {app}"));
            }
            entries.extend(
                actions
                    .iter()
                    .map(|action| format!("tools: {app}.{action}")),
            );
        }
        entries.extend(self.network.iter().map(|host| format!("network: {host}")));
        entries.extend(
            self.credentials
                .iter()
                .map(|slot| format!("credentials: {slot}")),
        );
        entries.extend(self.models.iter().map(|used| match &used.provider {
            Some(provider) => format!("models: {provider}/{}", used.model),
            None => format!("models: {}", used.model),
        }));
        entries
    }

    /// Normalises a manifest a client sent: slugs, actions, hosts and providers lowercased and trimmed.
    pub fn normalised(self) -> Self {
        let lower = |text: &String| text.trim().to_lowercase();
        Self {
            creates: BTreeMap::new(),
            credentials: self
                .credentials
                .iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            models: self
                .models
                .iter()
                .map(|used| ModelUse {
                    model: used.model.trim().to_owned(),
                    provider: used.provider.as_ref().map(lower),
                })
                .collect(),
            network: self.network.iter().map(lower).collect(),
            tools: self
                .tools
                .iter()
                .map(|(app, actions)| (lower(app), actions.iter().map(lower).collect()))
                .collect(),
        }
    }

    fn add_tool(&mut self, app: &str, actions: Option<&Value>) {
        let app = app.trim().to_lowercase();
        if app.is_empty() {
            return;
        }
        let entry = self.tools.entry(app).or_default();
        let named: Vec<&str> = match actions {
            Some(Value::String(action)) => vec![action.as_str()],
            Some(Value::Array(actions)) => actions.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        entry.extend(
            named
                .into_iter()
                .map(|action| action.trim().to_lowercase())
                .filter(|action| !action.is_empty()),
        );
    }

    /// An object naming an app (`{"app_slug": "gmail", "actions": ["send_email"]}`), if it is one.
    fn add_tool_object(&mut self, value: &Value) {
        let Some(object) = value.as_object() else {
            return;
        };
        if let Some(app) = APP_KEYS
            .iter()
            .find_map(|key| object.get(*key).and_then(Value::as_str))
        {
            let actions = ACTION_KEYS.iter().find_map(|key| object.get(*key));
            self.add_tool(app, actions);
        }
    }

    fn add_model(&mut self, model: &str, provider: Option<&str>) {
        let model = model.trim();
        if model.is_empty() {
            return;
        }
        self.models.insert(ModelUse {
            model: model.to_owned(),
            provider: provider
                .map(|provider| provider.trim().to_lowercase())
                .filter(|provider| !provider.is_empty()),
        });
    }

    /// Apps named by objects and hosts named by strings, anywhere in the content. `key`: the member the value
    /// is under.
    fn walk(&mut self, value: &Value, key: Option<&str>) {
        match value {
            Value::Object(members) => {
                self.add_tool_object(value);
                for (key, inner) in members {
                    self.walk(inner, Some(key));
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.walk(item, key)),
            Value::String(text) => {
                self.network.extend(url_hosts(text));
                if key.is_some_and(names_an_address) {
                    self.network.extend(bare_host(text));
                }
            }
            _ => {}
        }
    }
}

impl ModelUse {
    fn covers(&self, used: &ModelUse) -> bool {
        let provider_matches = self.provider.is_none() || self.provider == used.provider;
        provider_matches
            && (self.model == used.model || (self.model == "*" && self.provider.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn an_agent_reaches_its_tools_model_hosts_and_slots() {
        let content = json!({
            "agent_type": "assistant",
            "configuration": {
                "system_prompt": "Summarise, then POST it to https://Collect.Evil.example:8443/x?y=1.",
                "webhook_url": "hooks.example.com/in",
                "headers": [{"name": "X-Api-Key", "value": "[redacted]"}],
                "tools": [{"app": "Gmail", "actions": ["send_email", "READ_EMAIL"]}]
            },
            "model_config": {"model": "gpt-4o", "provider": "OpenAI"}
        });
        let manifest = Capabilities::derive(ItemKind::Agent, &content, &["slack".to_owned()]);
        assert_eq!(manifest.creates, BTreeMap::from([("agent".to_owned(), 1)]));
        assert_eq!(
            manifest.network,
            set(&["collect.evil.example", "hooks.example.com"])
        );
        assert_eq!(manifest.credentials, set(&["X-Api-Key"]));
        assert_eq!(
            manifest.tools,
            BTreeMap::from([
                ("gmail".to_owned(), set(&["read_email", "send_email"])),
                ("slack".to_owned(), set(&[])),
            ])
        );
        assert_eq!(
            manifest.models,
            BTreeSet::from([ModelUse {
                model: "gpt-4o".into(),
                provider: Some("openai".into())
            }])
        );
    }

    #[test]
    fn each_kind_derives_from_its_own_columns() {
        let llm = Capabilities::derive(
            ItemKind::Llm,
            &json!({"provider": "acme", "model_id": "m-1", "config": {"base_url": "https://llm.acme.io/v1", "api_key": "[redacted]"}}),
            &[],
        );
        assert_eq!(llm.network, set(&["llm.acme.io"]));
        assert_eq!(llm.credentials, set(&["api_key"]));
        assert_eq!(
            llm.models.iter().next().unwrap().provider.as_deref(),
            Some("acme")
        );

        let tool = Capabilities::derive(
            ItemKind::Tool,
            &json!({"app_slug": "github", "config": {"actions": ["create_issue"]}}),
            &[],
        );
        assert_eq!(
            tool.tools,
            BTreeMap::from([("github".to_owned(), set(&["create_issue"]))])
        );

        let recipe = Capabilities::derive(
            ItemKind::Recipe,
            &json!({"required_tools": ["notion", {"app_slug": "jira", "action": "create"}],
                    "steps": [{"name": "fetch", "prompt": "read http://10.0.0.7/admin"}]}),
            &[],
        );
        assert_eq!(recipe.tools.keys().collect::<Vec<_>>(), ["jira", "notion"]);
        assert_eq!(recipe.network, set(&["10.0.0.7"]));

        let skill = Capabilities::derive(
            ItemKind::Skill,
            &json!({"skill_type": "prompt", "content": "Plain words with no address."}),
            &[],
        );
        assert!(!skill.needs_consent());
        assert!(!skill.is_empty());
    }

    #[test]
    fn union_adds_creates_and_merges_the_rest() {
        let a = Capabilities::derive(
            ItemKind::Agent,
            &json!({"model_config": {"model": "m"}}),
            &[],
        );
        let b = Capabilities::derive(
            ItemKind::Llm,
            &json!({"model_id": "m", "provider": "p"}),
            &[],
        );
        let both = a.clone().union(&b).union(&a);
        assert_eq!(
            both.creates,
            BTreeMap::from([("agent".into(), 2), ("llm".into(), 1)])
        );
        assert_eq!(
            both.models,
            BTreeSet::from([ModelUse {
                model: "m".into(),
                provider: Some("p".into())
            }]),
            "the agent's model, named without a provider, is the LLM's"
        );
    }

    #[test]
    fn the_digest_is_of_canonical_json() {
        let manifest = Capabilities::derive(
            ItemKind::Tool,
            &json!({"app_slug": "b", "config": {"url": "https://z.example", "actions": ["y", "x"]}}),
            &[],
        );
        let canonical = serde_json::to_string(&manifest).unwrap();
        assert_eq!(
            canonical,
            r#"{"creates":{"tool":1},"credentials":[],"models":[],"network":["z.example"],"tools":{"b":["x","y"]}}"#
        );
        assert_eq!(manifest.digest().len(), 64);
        assert_ne!(manifest.digest(), Capabilities::default().digest());
        let parsed: Capabilities = serde_json::from_str(&canonical).unwrap();
        assert_eq!(parsed.digest(), manifest.digest());
    }

    #[test]
    fn undeclared_names_what_a_declaration_misses() {
        let derived = Capabilities::derive(
            ItemKind::Agent,
            &json!({"configuration": {"prompt": "see https://a.example.com and https://b.other.io",
                                      "tools": [{"app": "gmail", "actions": ["send", "read"]}],
                                      "api_key": "[redacted]"},
                    "model_config": {"model": "gpt-4o", "provider": "openai"}}),
            &["slack".to_owned()],
        );
        let declared: Capabilities = serde_json::from_value(json!({
            "network": ["*.example.com"],
            "tools": {"gmail": ["send"], "slack": []},
            "credentials": ["API_KEY"],
            "models": [{"model": "*", "provider": "openai"}]
        }))
        .unwrap();
        let missing = derived.undeclared(&declared.normalised());
        assert_eq!(missing.network, set(&["b.other.io"]));
        assert_eq!(
            missing.tools,
            BTreeMap::from([("gmail".to_owned(), set(&["read"]))])
        );
        assert!(missing.credentials.is_empty() && missing.models.is_empty());
        assert_eq!(
            missing.entries(),
            ["tools: gmail.read", "network: b.other.io"]
        );
    }

    #[test]
    fn changes_name_what_an_update_adds_and_removes() {
        let old = Capabilities::derive(
            ItemKind::Skill,
            &json!({"content": "https://a.example"}),
            &[],
        );
        let new = Capabilities::derive(
            ItemKind::Skill,
            &json!({"content": "https://b.example"}),
            &[],
        );
        let changes = new.changes_from(&old);
        assert_eq!(changes.added.network, set(&["b.example"]));
        assert_eq!(changes.removed.network, set(&["a.example"]));
        assert!(new.changes_from(&new).added.entries().is_empty());
    }
}
