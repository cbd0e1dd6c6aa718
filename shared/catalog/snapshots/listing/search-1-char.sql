-- 8574 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT (t.name ILIKE $1 OR t.description ILIKE $1) THEN NULL ELSE CASE WHEN lower(t.name) = lower($3) THEN 0 WHEN lower(t.name) LIKE lower($2) THEN 1 ELSE 2 END END AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $8) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $4 AS filled FROM read_0 WHERE matched AND tier <= 0),
read_2 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 0
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $4) w
WHERE (SELECT filled FROM read_1)) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, 0 AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) = lower($3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $4) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE)) r WHERE true),
read_3 AS MATERIALIZED (SELECT count(*) >= $4 AS filled FROM read_0 WHERE matched AND tier <= 1),
read_4 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 1
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $4) w
WHERE (SELECT filled FROM read_3)) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, CASE WHEN lower(t.name) = lower($3) THEN 0 ELSE 1 END AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) LIKE lower($2)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $4) f WHERE (NOT (SELECT filled FROM read_3)) IS NOT FALSE)) r WHERE ((SELECT count(DISTINCT (kind, id)) FROM read_2 WHERE matched) < $4) IS NOT FALSE),
read_5 AS MATERIALIZED (SELECT count(*) >= $4 AS filled FROM read_0 WHERE matched AND tier <= 2),
read_6 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 2
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $4) w
WHERE (SELECT filled FROM read_5)) UNION ALL (SELECT * FROM ((SELECT *, false AS region_end FROM (SELECT 'agent'::text AS kind, t.id, 2 AS tier, t.install_count, t.created_at, true AS matched
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($2) AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE) UNION ALL (SELECT * FROM ((SELECT *, false AS region_end FROM (SELECT 'recipe'::text AS kind, t.id, 2 AS tier, t.install_count, t.created_at, true AS matched
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($2) AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE) UNION ALL (SELECT * FROM ((SELECT *, false AS region_end FROM (SELECT 'skill'::text AS kind, t.id, 2 AS tier, t.install_count, t.created_at, true AS matched
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($2) AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE) UNION ALL (SELECT * FROM ((SELECT *, false AS region_end FROM (SELECT 'llm'::text AS kind, t.id, 2 AS tier, t.install_count, t.created_at, true AS matched
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($2) AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE) UNION ALL (SELECT * FROM ((SELECT *, false AS region_end FROM (SELECT 'tool'::text AS kind, t.id, 2 AS tier, t.install_count, t.created_at, true AS matched
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($2) AND (t.name ILIKE $1 OR t.description ILIKE $1)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $4) r)) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE)) r WHERE CASE WHEN NOT ((SELECT count(DISTINCT (kind, id)) FROM read_2 WHERE matched) < $4) THEN false WHEN NOT ((SELECT count(DISTINCT (kind, id)) FROM read_4 WHERE matched) < $4) THEN false ELSE true END),
read_7 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) LIKE lower($2) LIMIT 1001) p),
read_8 AS MATERIALIZED (SELECT least(sum(matches), 1000)::bigint AS total,
bool_and(examined < 1000) AND sum(matches) <= 1000 AS total_exact
FROM (SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.id LIMIT 1000) r UNION ALL SELECT count(*) FILTER (WHERE m) AS matches, count(*) AS examined
FROM (SELECT (t.name ILIKE $1 OR t.description ILIKE $1) AS m FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL
ORDER BY t.id LIMIT 1000) r) regions),
branches AS (SELECT * FROM read_2 UNION SELECT * FROM read_4 UNION SELECT * FROM read_6),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $4
ORDER BY tier, install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.tier, p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY tier, install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched AND NOT EXISTS (SELECT 1 FROM boundary e WHERE NOT (b.tier < e.tier OR (b.tier = e.tier AND (b.install_count, b.created_at, b.id) >= (e.install_count, e.created_at, e.id))))
ORDER BY tier, install_count DESC, created_at DESC, id DESC OFFSET $6 LIMIT $7) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array(e.tier, e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_7) > 1000 THEN 1000 ELSE (SELECT total FROM read_8) END)::bigint AS total, CASE WHEN (SELECT n FROM read_7) > 1000 THEN false ELSE (SELECT total_exact FROM read_8) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
