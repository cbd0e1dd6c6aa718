use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::foundation::text_column::text_column;

/// The five kinds of marketplace item. Each has its own table; ids are unique across all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Agent,
    Recipe,
    Skill,
    Llm,
    Tool,
}

impl ItemKind {
    pub const ALL: [ItemKind; 5] = [
        Self::Agent,
        Self::Recipe,
        Self::Skill,
        Self::Llm,
        Self::Tool,
    ];

    pub fn parse(value: &str) -> Result<Self, UnknownKind> {
        value.parse()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Recipe => "recipe",
            Self::Skill => "skill",
            Self::Llm => "llm",
            Self::Tool => "tool",
        }
    }

    /// Where this kind's rows come in the one order every write locks listings in (docs/architecture.md,
    /// "Lock order"): recipes, then agents, then LLMs, skills and tools; by id within a kind. A dependency
    /// always comes after what depends on it, so an install locking its plan from the item down follows it.
    pub(crate) fn lock_rank(self) -> u8 {
        match self {
            Self::Recipe => 0,
            Self::Agent => 1,
            Self::Llm => 2,
            Self::Skill => 3,
            Self::Tool => 4,
        }
    }

    /// Whether a listing of this kind pins dependencies (V14): an agent its LLM, a recipe its agents.
    pub(crate) fn pins_dependencies(self) -> bool {
        matches!(self, Self::Agent | Self::Recipe)
    }

    /// The table holding this kind's marketplace and workspace rows.
    pub fn table(self) -> &'static str {
        match self {
            Self::Agent => "agents",
            Self::Recipe => "workflow_templates",
            Self::Skill => "skills",
            Self::Llm => "llm_models",
            Self::Tool => "tools",
        }
    }

    /// The kind's own columns: what an install copies, an update brings and a version snapshots.
    pub(crate) fn content_columns(self) -> &'static [&'static str] {
        match self {
            Self::Agent => &["agent_type", "configuration", "model_config"],
            Self::Recipe => &[
                "definition",
                "steps",
                "required_tools",
                "recommended_agents",
            ],
            Self::Skill => &["skill_type", "content"],
            Self::Llm => &[
                "provider",
                "model_id",
                "context_window",
                "max_output_tokens",
                "input_cost_per_mtok",
                "output_cost_per_mtok",
                "capabilities",
                "config",
            ],
            Self::Tool => &["app_slug", "config"],
        }
    }

    /// The tool assignments of a row `alias` as a sorted `text[]` (a SQL expression): an agent's, none for
    /// the other kinds. They live beside the content and belong to the listing, not to a version.
    pub(crate) fn tool_slugs_sql(self, alias: &str) -> String {
        match self {
            Self::Agent => format!(
                "ARRAY(SELECT g.app_slug FROM agent_tools g WHERE g.agent_id = {alias}.id ORDER BY 1)"
            ),
            _ => "'{}'::text[]".to_owned(),
        }
    }

    /// The kind-specific content of a row `alias` as one JSON object (a SQL expression): what a version
    /// snapshots.
    pub fn content_sql(self, alias: &str) -> String {
        let fields = self
            .content_columns()
            .iter()
            .map(|column| format!("'{column}', {alias}.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("jsonb_build_object({fields})")
    }
}

/// One SELECT per kind, joined with UNION ALL: how a query spans the five item tables.
pub(crate) fn union_all(kinds: &[ItemKind], branch: impl Fn(ItemKind) -> String) -> String {
    kinds
        .iter()
        .map(|&kind| branch(kind))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

text_column!(ItemKind, |kind| kind.as_str());

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of agent, recipe, skill, llm, tool")]
pub struct UnknownKind;

impl FromStr for ItemKind {
    type Err = UnknownKind;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .ok_or(UnknownKind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_nothing_else() {
        for kind in ItemKind::ALL {
            assert_eq!(ItemKind::parse(kind.as_str()), Ok(kind));
        }
        for bad in ["", "Agent", "agents", "workflow", "llm ", "model"] {
            assert_eq!(ItemKind::parse(bad), Err(UnknownKind), "{bad:?}");
        }
    }
}
