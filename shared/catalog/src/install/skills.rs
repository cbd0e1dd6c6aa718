//! The skills an agent uses: read with the agent, and linked (the listed ones) to its copy.

use serde::Deserialize;
use serde_json::Value;

use crate::foundation::audience::Audience;
use crate::foundation::capabilities::Capabilities;
use crate::foundation::error::CatalogError;
use crate::foundation::kind::ItemKind;

/// A skill an agent uses, and whether a member may see it.
#[derive(Debug, Clone)]
pub(crate) struct AgentSkill {
    skill: (i64, String),
    listed: bool,
    /// What the skill's content reaches.
    reach: Capabilities,
}

/// The skills an agent row `alias` uses, by skill id, each with whether `audience` may see it and its
/// content, as a `jsonb` array (a SQL expression, read with the agent); `[]` for the other kinds.
pub(crate) fn skills_used_sql(kind: ItemKind, alias: &str, audience: Audience) -> String {
    if kind != ItemKind::Agent {
        return "'[]'::jsonb".to_owned();
    }
    format!(
        "(SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'name', s.name, 'listed', {listed},
                                                       'content', {content}) ORDER BY s.id), '[]')
          FROM agent_skills l JOIN skills s ON s.id = l.skill_id WHERE l.agent_id = {alias}.id)",
        listed = audience.listed("s"),
        content = ItemKind::Skill.content_sql("s"),
    )
}

/// The skills of a [`skills_used_sql`] value.
pub(crate) fn skills_used(value: Value) -> Result<Vec<AgentSkill>, CatalogError> {
    #[derive(Deserialize)]
    struct Used {
        id: i64,
        name: String,
        listed: bool,
        content: Value,
    }
    let used: Vec<Used> = serde_json::from_value(value)
        .map_err(|e| CatalogError::Unreadable(format!("skills used: {e}")))?;
    Ok(used
        .into_iter()
        .map(|used| AgentSkill {
            skill: (used.id, used.name),
            listed: used.listed,
            reach: Capabilities {
                creates: Default::default(),
                ..Capabilities::derive(ItemKind::Skill, &used.content, &[])
            },
        })
        .collect())
}

/// The listed skills of those an agent uses, which its copy links, their reach added to the agent's; the
/// others are counted in a warning that does not name them.
pub(crate) fn linked_skills(
    skills: Vec<AgentSkill>,
    warnings: &mut Vec<String>,
    reach: &mut Capabilities,
) -> Vec<(i64, String)> {
    let (linked, left_out): (Vec<_>, Vec<_>) = skills.into_iter().partition(|skill| skill.listed);
    if !left_out.is_empty() {
        warnings.push(format!(
            "{} skill(s) this agent uses are not available in the marketplace and were not linked.",
            left_out.len()
        ));
    }
    for skill in &linked {
        *reach = std::mem::take(reach).union(&skill.reach);
    }
    linked.into_iter().map(|linked| linked.skill).collect()
}
