-- 2246 bytes
WITH branches AS (SELECT *, false AS region_end FROM (SELECT w.kind, w.id, NULL::integer AS tier, w.install_count, w.created_at, w.m AS matched FROM (
SELECT t.kind, t.id, true AS m, t.install_count, t.created_at
FROM (SELECT 'agent'::text AS kind, k.id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $1) w) r),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $1
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY install_count DESC, created_at DESC, id DESC OFFSET $3 LIMIT $4) p),
rows AS (SELECT p.pos, p.position, 'agent'::text AS kind, t.id, t.name, t.description, t.marketplace_category, t.marketplace_icon, t.tags, t.version::text AS version, t.install_count, t.active_installs, t.workspace_count, t.rating_sum, t.rating_count, t.is_featured, t.is_official, t.is_approved, t.original_creator_id, t.created_at, t.updated_at, jsonb_build_object('model', t.model_config -> 'model', 'agent_type', t.agent_type) AS metadata FROM page p JOIN agents t ON t.id = p.id WHERE p.kind = 'agent'),
total AS (SELECT counted.*, (SELECT json_build_array(e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (SELECT coalesce(sum(c.items), 0)::bigint AS total FROM marketplace_counts c WHERE c.kind IN ('agent') AND c.is_approved) AS total, true AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
