-- 9343 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $4, $6) THEN NULL ELSE search_tier(t.name, t.name_words, $6, $5, $4) END AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) = lower($6) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $11) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $7 AS filled FROM read_0 WHERE matched AND tier <= 1),
read_2 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 1
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $7) w
WHERE (SELECT filled FROM read_1)) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, CASE WHEN lower(t.name) = lower($6) THEN 0 ELSE 1 END AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) LIKE lower($5) AND NOT lower(t.name) = lower($6) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $7) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE)) r WHERE true),
read_3 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $4, $6) THEN NULL ELSE search_tier(t.name, t.name_words, $6, $5, $4) END AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND NOT lower(t.name) LIKE lower($5)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $11) w),
read_4 AS MATERIALIZED (SELECT count(*) >= $7 AS filled FROM read_3 WHERE matched AND tier <= 2),
read_5 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, search_tier(t.name, t.name_words, $6, $5, $4) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) AND NOT lower(t.name) LIKE lower($5)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($7, 1001)),
read_6 AS MATERIALIZED (SELECT 'recipe'::text AS kind, t.id, search_tier(t.name, t.name_words, $6, $5, $4) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) AND NOT lower(t.name) LIKE lower($5)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($7, 1001)),
read_7 AS MATERIALIZED (SELECT 'skill'::text AS kind, t.id, search_tier(t.name, t.name_words, $6, $5, $4) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) AND NOT lower(t.name) LIKE lower($5)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($7, 1001)),
read_8 AS MATERIALIZED (SELECT 'llm'::text AS kind, t.id, search_tier(t.name, t.name_words, $6, $5, $4) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) AND NOT lower(t.name) LIKE lower($5)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($7, 1001)),
read_9 AS MATERIALIZED (SELECT 'tool'::text AS kind, t.id, search_tier(t.name, t.name_words, $6, $5, $4) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) AND NOT lower(t.name) LIKE lower($5)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($7, 1001)),
read_10 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_3 WHERE matched AND tier <= 2
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $7) w
WHERE (SELECT filled FROM read_4)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_5 UNION ALL SELECT * FROM read_6 UNION ALL SELECT * FROM read_7 UNION ALL SELECT * FROM read_8 UNION ALL SELECT * FROM read_9) c WHERE tier <= 2 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $7) f WHERE (NOT (SELECT filled FROM read_4)) IS NOT FALSE) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, CASE WHEN lower(t.name) = lower($6) THEN 0 WHEN lower(t.name) LIKE lower($5) THEN 1 ELSE 2 END AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND (t.name ILIKE $4 OR t.name_words @@ plainto_tsquery('english', $6)) AND NOT lower(t.name) LIKE lower($5) AND (t.kind = 'agent' AND (SELECT count(*) FROM read_5) > 1000
AND (SELECT count(*) FROM read_5 WHERE tier <= 2) < $7 OR t.kind = 'recipe' AND (SELECT count(*) FROM read_6) > 1000
AND (SELECT count(*) FROM read_6 WHERE tier <= 2) < $7 OR t.kind = 'skill' AND (SELECT count(*) FROM read_7) > 1000
AND (SELECT count(*) FROM read_7 WHERE tier <= 2) < $7 OR t.kind = 'llm' AND (SELECT count(*) FROM read_8) > 1000
AND (SELECT count(*) FROM read_8 WHERE tier <= 2) < $7 OR t.kind = 'tool' AND (SELECT count(*) FROM read_9) > 1000
AND (SELECT count(*) FROM read_9 WHERE tier <= 2) < $7)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $7) f WHERE (NOT (SELECT filled FROM read_4)) IS NOT FALSE)) r WHERE ((SELECT count(DISTINCT (kind, id)) FROM read_2 WHERE matched) < $7) IS NOT FALSE),
read_11 AS MATERIALIZED (SELECT count(*) >= $7 AS filled FROM read_3 WHERE matched AND tier <= 3),
read_12 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_3 WHERE matched AND tier <= 3
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $7) w
WHERE (SELECT filled FROM read_11)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_5 UNION ALL SELECT * FROM read_6 UNION ALL SELECT * FROM read_7 UNION ALL SELECT * FROM read_8 UNION ALL SELECT * FROM read_9) c WHERE tier <= 3 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $7) f WHERE (NOT (SELECT filled FROM read_11)) IS NOT FALSE)) r WHERE CASE WHEN NOT ((SELECT count(DISTINCT (kind, id)) FROM read_2 WHERE matched) < $7) THEN false WHEN NOT ((SELECT count(DISTINCT (kind, id)) FROM read_10 WHERE matched) < $7) THEN false ELSE true END),
read_13 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND lower(t.name) LIKE lower($5) LIMIT 1001) p),
read_14 AS MATERIALIZED (SELECT least(count(*), 1000) AS total, count(*) <= 1000 AS total_exact
FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.is_approved AND t.catalog_id IS NULL AND search_matches(t.name, t.description, t.search_words, $4, $6) LIMIT 1001) matching),
branches AS (SELECT * FROM read_2 UNION SELECT * FROM read_10 UNION SELECT * FROM read_12),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $7
ORDER BY tier, install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.tier, p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY tier, install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY tier, install_count DESC, created_at DESC, id DESC OFFSET $9 LIMIT $10) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array(e.tier, e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_13) > 1000 THEN 1000 ELSE (SELECT total FROM read_14) END)::bigint AS total, CASE WHEN (SELECT n FROM read_13) > 1000 THEN false ELSE (SELECT total_exact FROM read_14) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
