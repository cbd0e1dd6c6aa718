-- 5274 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, NULL::integer AS tier, w.created_at, w.m AS matched FROM (
SELECT t.kind, t.id, search_matches(t.name, t.description, t.search_words, $3, $5) AS m, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY t.created_at DESC, t.id DESC LIMIT $10) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $6 AS filled FROM read_0 WHERE matched),
read_2 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, NULL::integer AS tier, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY ROW(t.created_at, t.id) DESC LIMIT greatest($6, 1001)),
read_3 AS MATERIALIZED (SELECT 'recipe'::text AS kind, t.id, NULL::integer AS tier, t.created_at, true AS matched,
false AS region_end
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY ROW(t.created_at, t.id) DESC LIMIT greatest($6, 1001)),
read_4 AS MATERIALIZED (SELECT 'skill'::text AS kind, t.id, NULL::integer AS tier, t.created_at, true AS matched,
false AS region_end
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY ROW(t.created_at, t.id) DESC LIMIT greatest($6, 1001)),
read_5 AS MATERIALIZED (SELECT 'llm'::text AS kind, t.id, NULL::integer AS tier, t.created_at, true AS matched,
false AS region_end
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY ROW(t.created_at, t.id) DESC LIMIT greatest($6, 1001)),
read_6 AS MATERIALIZED (SELECT 'tool'::text AS kind, t.id, NULL::integer AS tier, t.created_at, true AS matched,
false AS region_end
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) AND (t.created_at, t.id) < ((timestamptz 'epoch' + $1 * interval '1 microsecond'), $2)
ORDER BY ROW(t.created_at, t.id) DESC LIMIT greatest($6, 1001)),
read_7 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) LIKE lower($4) LIMIT 1001) p),
read_8 AS MATERIALIZED (SELECT least(count(*), 1000) AS total, count(*) <= 1000 AS total_exact
FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $3, $5) LIMIT 1001) matching),
branches AS ((SELECT *, false AS region_end FROM (
SELECT * FROM read_0 WHERE matched ORDER BY created_at DESC, id DESC LIMIT $6) w
WHERE (SELECT filled FROM read_1))
UNION ALL
(SELECT * FROM ((SELECT * FROM read_2 ORDER BY created_at DESC, id DESC LIMIT $6) UNION ALL (SELECT * FROM read_3 ORDER BY created_at DESC, id DESC LIMIT $6) UNION ALL (SELECT * FROM read_4 ORDER BY created_at DESC, id DESC LIMIT $6) UNION ALL (SELECT * FROM read_5 ORDER BY created_at DESC, id DESC LIMIT $6) UNION ALL (SELECT * FROM read_6 ORDER BY created_at DESC, id DESC LIMIT $6)) c WHERE NOT (SELECT filled FROM read_1))),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $6
ORDER BY created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array((extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY created_at DESC, id DESC OFFSET $8 LIMIT $9) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array((extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_7) > 1000 THEN 1000 ELSE (SELECT total FROM read_8) END)::bigint AS total, CASE WHEN (SELECT n FROM read_7) > 1000 THEN false ELSE (SELECT total_exact FROM read_8) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
