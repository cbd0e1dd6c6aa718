-- 1828 bytes
WITH branches AS (SELECT *, false AS region_end FROM (SELECT w.kind, w.id, NULL::integer AS tier, w.workspace_count, w.created_at, w.m AS matched FROM (
SELECT t.kind, t.id, true AS m, t.workspace_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND (t.workspace_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY t.workspace_count DESC, t.created_at DESC, t.id DESC LIMIT $4) w) r),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $4
ORDER BY workspace_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.workspace_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY workspace_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY workspace_count DESC, created_at DESC, id DESC OFFSET $6 LIMIT $7) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array(e.workspace_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (SELECT ((SELECT coalesce(sum(c.items), 0) FROM marketplace_counts c WHERE c.kind IN ('agent', 'recipe', 'skill', 'llm', 'tool') AND c.is_approved))::bigint AS total) AS total, true AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
