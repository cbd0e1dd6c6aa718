-- 8380 bytes
WITH read_0 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $6, $8) THEN NULL ELSE search_tier(t.name, t.name_words, $8, $7, $6) END AS m, t.install_count, t.created_at
FROM (SELECT 'agent'::text AS kind, k.id, k.catalog_id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $13) w),
read_1 AS MATERIALIZED (SELECT count(*) >= $9 AS filled FROM read_0 WHERE matched AND tier <= 2),
read_2 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_3 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_0 WHERE matched AND tier <= 2
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) w
WHERE (SELECT filled FROM read_1)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_2) c WHERE tier <= 2 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE) UNION ALL (SELECT * FROM (SELECT t.kind, t.id, CASE WHEN lower(t.name) = lower($8) THEN 0 WHEN lower(t.name) LIKE lower($7) THEN 1 ELSE 2 END AS tier, t.install_count, t.created_at, true AS matched, false AS region_end
FROM (SELECT 'agent'::text AS kind, k.id, k.catalog_id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8)) AND NOT lower(t.name) LIKE lower($7) AND (t.install_count, t.created_at, t.id) < ($1, (timestamptz 'epoch' + $2 * interval '1 microsecond'), $3) AND (t.kind = 'agent' AND (SELECT count(*) FROM read_2) > 1000
AND (SELECT count(*) FROM read_2 WHERE tier <= 2) < $9)
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_1)) IS NOT FALSE)) r WHERE true),
read_4 AS MATERIALIZED (SELECT w.kind, w.id, w.m AS tier, w.install_count, w.created_at, w.m IS NOT NULL AS matched FROM (
SELECT t.kind, t.id, CASE WHEN NOT search_matches(t.name, t.description, t.search_words, $6, $8) THEN NULL ELSE search_tier(t.name, t.name_words, $8, $7, $6) END AS m, t.install_count, t.created_at
FROM (SELECT 'agent'::text AS kind, k.id, k.catalog_id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY t.install_count DESC, t.created_at DESC, t.id DESC LIMIT $13) w),
read_5 AS MATERIALIZED (SELECT count(*) >= $9 AS filled FROM read_4 WHERE matched AND tier <= 3),
read_6 AS MATERIALIZED (SELECT 'agent'::text AS kind, t.id, search_tier(t.name, t.name_words, $8, $7, $6) AS tier, t.install_count, t.created_at, true AS matched,
false AS region_end
FROM agents t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) AND NOT (t.name ILIKE $6 OR t.name_words @@ plainto_tsquery('english', $8))
ORDER BY ROW(t.install_count, t.created_at, t.id) DESC LIMIT greatest($9, 1001)),
read_7 AS MATERIALIZED (SELECT * FROM ((SELECT * FROM (SELECT *, false AS region_end FROM read_4 WHERE matched AND tier <= 3
ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) w
WHERE (SELECT filled FROM read_5)) UNION ALL (SELECT * FROM (SELECT * FROM (SELECT * FROM read_6) c WHERE tier <= 3 ORDER BY install_count DESC, created_at DESC, id DESC LIMIT $9) f WHERE (NOT (SELECT filled FROM read_5)) IS NOT FALSE)) r WHERE ((SELECT count(DISTINCT (kind, id)) FROM read_3 WHERE matched) < $9) IS NOT FALSE),
read_8 AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT 'agent'::text AS kind, k.id, k.catalog_id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND lower(t.name) LIKE lower($7) LIMIT 1001) p),
read_9 AS MATERIALIZED (SELECT least(count(*), 1000) AS total, count(*) <= 1000 AS total_exact
FROM (SELECT 1 FROM (SELECT 'agent'::text AS kind, k.id, k.catalog_id, k.owner_type, k.delisted_at, k.is_approved, k.is_featured, k.marketplace_category, k.tags, k.name, k.description, k.name_words, k.search_words, k.install_count, k.created_at, k.updated_at, k.rating_score, k.trending_installs, k.workspace_count FROM agents k) t WHERE t.owner_type = 'marketplace' AND t.delisted_at IS NULL AND lower(t.marketplace_category) = lower($4) AND NOT t.is_featured AND lower_tags(t.tags) @> lower_tags(to_jsonb($5::text[])) AND search_matches(t.name, t.description, t.search_words, $6, $8) LIMIT 1001) matching),
branches AS (SELECT * FROM read_3 UNION SELECT * FROM read_7),
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
FROM (SELECT (CASE WHEN (SELECT n FROM read_8) > 1000 THEN 1000 ELSE (SELECT total FROM read_9) END)::bigint AS total, CASE WHEN (SELECT n FROM read_8) > 1000 THEN false ELSE (SELECT total_exact FROM read_9) END AS total_exact) counted)
SELECT total.*, rows.*, u.display_name AS creator_name
FROM total
LEFT JOIN rows ON true
LEFT JOIN users u ON u.id = rows.original_creator_id
ORDER BY rows.pos
