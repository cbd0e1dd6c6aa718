-- 14522 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $6, $8) THEN NULL ELSE search_tier(t.name, t.name_words, $8, $7, $6) END AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $13) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $9 AS filled FROM read_0 WHERE matched AND tier <= 2),
read_2 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_3 AS MATERIALIZED (SELECT 'recipe'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_4 AS MATERIALIZED (SELECT 'skill'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_5 AS MATERIALIZED (SELECT 'llm'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_6 AS MATERIALIZED (SELECT 'tool'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_7 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 2
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) w
WHERE (SELECT filled FROM read_1)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_2 UNION ALL SELECT * FROM read_3 UNION ALL SELECT * FROM read_4 UNION ALL SELECT * FROM read_5 UNION ALL SELECT * FROM read_6) c WHERE tier <= 2 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, CASE WHEN lower(t.name) = lower($8) THEN 0 WHEN lower(t.name) LIKE lower($7) THEN 1 ELSE 2 END AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8)) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3) AND (t.kind = 'agent' AND (SELECT count(*) FROM read_2) > 1000
AND (SELECT count(*) FROM read_2 WHERE tier <= 2) < $9 OR t.kind = 'recipe' AND (SELECT count(*) FROM read_3) > 1000
AND (SELECT count(*) FROM read_3 WHERE tier <= 2) < $9 OR t.kind = 'skill' AND (SELECT count(*) FROM read_4) > 1000
AND (SELECT count(*) FROM read_4 WHERE tier <= 2) < $9 OR t.kind = 'llm' AND (SELECT count(*) FROM read_5) > 1000
AND (SELECT count(*) FROM read_5 WHERE tier <= 2) < $9 OR t.kind = 'tool' AND (SELECT count(*) FROM read_6) > 1000
AND (SELECT count(*) FROM read_6 WHERE tier <= 2) < $9)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE)) r WHERE true),
read_8 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $6, $8) THEN NULL ELSE search_tier(t.name, t.name_words, $8, $7, $6) END AS m, t.install_count, t.created_at
FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $13) w),
read_9 AS MATERIALIZED (SELECT count(*) >= $9 AS filled FROM read_8 WHERE matched AND tier <= 3),
read_10 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_11 AS MATERIALIZED (SELECT 'recipe'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM workflow_templates t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_12 AS MATERIALIZED (SELECT 'skill'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM skills t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_13 AS MATERIALIZED (SELECT 'llm'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM llm_models t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_14 AS MATERIALIZED (SELECT 'tool'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM tools t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_15 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_8 WHERE matched AND tier <= 3
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) w
WHERE (SELECT filled FROM read_9)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_10 UNION ALL SELECT * FROM read_11 UNION ALL SELECT * FROM read_12 UNION ALL SELECT * FROM read_13 UNION ALL SELECT * FROM read_14) c WHERE tier <= 3 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_9)) IS NOT FALSE)) r WHERE ((SELECT count(DISTINCT (kind, id)) FROM read_7 WHERE matched) < $9) IS NOT FALSE),
read_16 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND lower(t.name) LIKE lower($7) LIMIT 1001) p),
read_17 AS MATERIALIZED (SELECT least(count(*), 1000) AS total, count(*) <= 1000 AS total_exact
FROM (SELECT 1 FROM item_rows t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND t.catalog_id = 987654321 AND t.is_approved AND 987654321 IN (SELECT c FROM catalog_viewers WHERE u = 123456789) AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) LIMIT 1001) matching),
branches AS (SELECT * FROM read_7 UNION SELECT * FROM read_15),
boundary AS (
SELECT * FROM branches e
WHERE e.region_end
AND (SELECT count(*) FROM branches m WHERE m.kind = e.kind AND m.matched) < $9
ORDER BY tier, install_count DESC, created_at DESC, id DESC LIMIT 1),
page AS (
SELECT p.kind, p.id, p.pos, json_build_array(p.tier, p.install_count::bigint, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id) AS position FROM (
SELECT b.*, row_number() OVER (ORDER BY tier, install_count DESC, created_at DESC, id DESC) AS pos
FROM branches b WHERE b.matched
ORDER BY tier, install_count DESC, created_at DESC, id DESC OFFSET $11 LIMIT $12) p),
rows AS (SELECT p.pos, p.position, s.*, sc.name AS catalog_name FROM page p JOIN item_summaries s ON s.id = p.id AND s.kind = p.kind LEFT JOIN catalogs sc ON sc.id = s.catalog_id),
total AS (SELECT counted.*, (SELECT json_build_array(e.tier, e.install_count::bigint, (extract(epoch FROM e.created_at) * 1000000)::bigint, e.id) FROM boundary e) AS resume_at
FROM (SELECT (CASE WHEN (SELECT n FROM read_16) > 1000 THEN 1000 ELSE (SELECT total FROM read_17) END)::bigint AS total, CASE WHEN (SELECT n FROM read_16) > 1000 THEN false ELSE (SELECT total_exact FROM read_17) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
