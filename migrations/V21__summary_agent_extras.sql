-- A listing's summary carries what an agent's card shows beside its own columns: its tools (names and icons
-- from the apps cache) and how many of its skills are listed, so that a page of summaries is one statement.
-- `agent_skills_approved` counts the approved ones public or of the agent's own catalog: what anyone who sees
-- the agent sees of its skills (an agent is approved only with skills public or of its catalog);
-- `agent_skills_listed` counts every listed one, what a marketplace admin sees. NULL for other kinds.
-- The view's earlier columns are unchanged (V20); the new ones are appended.

CREATE OR REPLACE VIEW item_summaries AS
    SELECT 'agent'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon,
           t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count,
           t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id,
           t.created_at, t.updated_at, t.catalog_id,
           jsonb_build_object('model', t.model_config -> 'model', 'agent_type', t.agent_type) AS metadata,
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'slug', g.app_slug, 'name', coalesce(c.display_name, c.app_name, g.app_slug),
                       'icon_url', c.logo_url) ORDER BY g.app_slug), '[]')
            FROM agent_tools g LEFT JOIN composio_apps_cache c ON c.app_slug = g.app_slug
            WHERE g.agent_id = t.id) AS agent_tools,
           (SELECT count(*) FILTER (WHERE s.is_approved AND (s.catalog_id IS NULL OR s.catalog_id = t.catalog_id))
            FROM agent_skills l JOIN skills s ON s.id = l.skill_id
            WHERE l.agent_id = t.id AND s.owner_type = 'marketplace' AND s.delisted_at IS NULL) AS agent_skills_approved,
           (SELECT count(*)
            FROM agent_skills l JOIN skills s ON s.id = l.skill_id
            WHERE l.agent_id = t.id AND s.owner_type = 'marketplace' AND s.delisted_at IS NULL) AS agent_skills_listed
    FROM agents t
    UNION ALL
    SELECT 'recipe'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon,
           t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count,
           t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id,
           t.created_at, t.updated_at, t.catalog_id,
           jsonb_build_object('steps_count', jsonb_array_length(t.steps),
                              'required_tools', t.required_tools, 'recommended_agents', t.recommended_agents) AS metadata,
           NULL::jsonb AS agent_tools, NULL::bigint AS agent_skills_approved, NULL::bigint AS agent_skills_listed
    FROM workflow_templates t
    UNION ALL
    SELECT 'skill'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon,
           t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count,
           t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id,
           t.created_at, t.updated_at, t.catalog_id,
           jsonb_build_object('skill_type', t.skill_type) AS metadata,
           NULL::jsonb AS agent_tools, NULL::bigint AS agent_skills_approved, NULL::bigint AS agent_skills_listed
    FROM skills t
    UNION ALL
    SELECT 'llm'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon,
           t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count,
           t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id,
           t.created_at, t.updated_at, t.catalog_id,
           jsonb_build_object('provider', t.provider, 'model_id', t.model_id,
                              'context_window', t.context_window, 'max_output_tokens', t.max_output_tokens,
                              'capabilities', t.capabilities) AS metadata,
           NULL::jsonb AS agent_tools, NULL::bigint AS agent_skills_approved, NULL::bigint AS agent_skills_listed
    FROM llm_models t
    UNION ALL
    SELECT 'tool'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon,
           t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count,
           t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id,
           t.created_at, t.updated_at, t.catalog_id,
           jsonb_build_object('app_slug', t.app_slug) AS metadata,
           NULL::jsonb AS agent_tools, NULL::bigint AS agent_skills_approved, NULL::bigint AS agent_skills_listed
    FROM tools t;
