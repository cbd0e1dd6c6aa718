-- 6026 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, NULL::integer AS tier, w.install_count, w.created_at, w.m AS matched FROM (
SELECT t.kind, t.id, search_matches(t.name, t.description, t.search_words, $2, $4) AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[]))
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $9) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $5 AS filled FROM read_0 WHERE matched),
read_2 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($5, 1001)),
read_3 AS MATERIALIZED (SELECT 'recipe'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($5, 1001)),
read_4 AS MATERIALIZED (SELECT 'skill'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($5, 1001)),
read_5 AS MATERIALIZED (SELECT 'llm'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($5, 1001)),
read_6 AS MATERIALIZED (SELECT 'tool'::text AS kind, t.id, NULL::integer AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($5, 1001)),
read_7 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND lower(t.name) LIKE lower($3) LIMIT 1001) p),
read_8 AS MATERIALIZED (SELECT (SELECT count(*) FROM read_2) + (SELECT count(*) FROM read_3) + (SELECT count(*) FROM read_4) + (SELECT count(*) FROM read_5) + (SELECT count(*) FROM read_6) AS n),
read_9 AS MATERIALIZED (SELECT least(count(*), 1000) AS total, count(*) <= 1000 AS total_exact
FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower_tags(t.tags) @> lower_tags(to_jsonb($1::text[])) AND search_matches(t.name, t.description, t.search_words, $2, $4) LIMIT 1001) matching),
branches AS ((SELECT *, false AS region_end FROM (
SELECT * FROM read_0 WHERE matched ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5) w
WHERE (SELECT filled FROM read_1))
UNION ALL
(SELECT * FROM ((SELECT * FROM read_2 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5) UNION ALL (SELECT * FROM read_3 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5) UNION ALL (SELECT * FROM read_4 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5) UNION ALL (SELECT * FROM read_5 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5) UNION ALL (SELECT * FROM read_6 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $5)) c WHERE NOT (SELECT filled FROM read_1))),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $5
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY install_count DESC, created_at DESC, id DESC OFFSET $7 LIMIT $8) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array(e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_7) > 1000 THEN 1000 WHEN NOT (SELECT filled FROM read_1) THEN least((SELECT n FROM read_8), 1000) ELSE (SELECT total FROM read_9) END)::bigint AS total, CASE WHEN (SELECT n FROM read_7) > 1000 THEN false WHEN NOT (SELECT filled FROM read_1) THEN (SELECT n FROM read_8) <= 1000 ELSE (SELECT total_exact FROM read_9) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
