-- 7419 bytes
WITH read_0 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND lower(t.name) LIKE lower($2) LIMIT 1001) p),
read_1 AS MATERIALIZED (SELECT least(sum(matches), 1000)::bigint AS total,
bool_and(examined < 1000) AND sum(matches) <= 1000 AS total_exact
FROM (SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.id LIMIT 1000) r) regions),
branches AS (((SELECT *, false AS region_end FROM (SELECT 'agent'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) UNION ALL ((SELECT *, false AS region_end FROM (SELECT 'recipe'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) UNION ALL ((SELECT *, false AS region_end FROM (SELECT 'skill'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) UNION ALL ((SELECT *, false AS region_end FROM (SELECT 'llm'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) UNION ALL ((SELECT *, false AS region_end FROM (SELECT 'tool'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r))),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $4
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched AND NOT EXISTS (SELECT 1 FROM boundary e WHERE NOT (b.install_count, b.created_at, b.id) >= (e.install_count, e.created_at, e.id))
ORDER BY install_count DESC, created_at DESC, id DESC OFFSET $6 LIMIT $7) p),
rows AS (SELECT p.pos, p.position, 'agent'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('model', t.model_config -> 'model', 'agent_type', t.agent_type) AS metadata FROM page p JOIN agents t ON t.id = p.id WHERE p.kind = 'agent' UNION ALL SELECT p.pos, p.position, 'recipe'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('steps_count', jsonb_array_length(t.steps), 'required_tools', t.required_tools, 'recommended_agents', t.recommended_agents) AS metadata FROM page p JOIN workflow_templates t ON t.id = p.id WHERE p.kind = 'recipe' UNION ALL SELECT p.pos, p.position, 'skill'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('skill_type', t.skill_type) AS metadata FROM page p JOIN skills t ON t.id = p.id WHERE p.kind = 'skill' UNION ALL SELECT p.pos, p.position, 'llm'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('provider', t.provider, 'model_id', t.model_id, 'context_window', t.context_window, 'max_output_tokens', t.max_output_tokens, 'capabilities', t.capabilities) AS metadata FROM page p JOIN llm_models t ON t.id = p.id WHERE p.kind = 'llm' UNION ALL SELECT p.pos, p.position, 'tool'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('app_slug', t.app_slug) AS metadata FROM page p JOIN tools t ON t.id = p.id WHERE p.kind = 'tool'),
total AS (SELECT counted.*, (SELECT json_build_array(e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_0) > 1000 THEN 1000 ELSE (SELECT total FROM read_1) END)::bigint AS total, CASE WHEN (SELECT n FROM read_0) > 1000 THEN false ELSE (SELECT total_exact FROM read_1) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
