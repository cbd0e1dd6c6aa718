-- The fold every install runs after its commit (V17's marketplace_fold_counts) without dynamic SQL where it
-- runs on every call: a statement run by EXECUTE is planned on every call, a static one once per connection.
-- The fold holds its listings' rows while it runs, so a viral listing's installs fold one after another;
-- its planning was most of that time. Each kind's statements are now written out (the kinds in the lock
-- order, as before); only the aging of expired trending buckets, which runs about once a day per listing,
-- still builds its statement. Same arguments, same locks in the same order, same result.
CREATE OR REPLACE FUNCTION marketplace_fold_counts(p_items bigint[], p_stale integer, p_trending_days integer, p_age integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    window_start date := (now() AT TIME ZONE 'UTC')::date - (p_trending_days - 1);
    taken        jsonb;
    stayed       jsonb;
    deltas       jsonb;
    folded       integer;
    categories   text[] := '{}';
    kinds        item_kind[];
    t            record;
BEGIN
    IF p_items IS NULL THEN
        WITH d AS (
            DELETE FROM marketplace_pending_counts p
            RETURNING p.item_id, p.item_kind, p.installs, p.active, p.workspaces, p.trending_from, p.trending_to)
        SELECT coalesce(jsonb_agg(d), '[]'), count(*) INTO taken, folded FROM d;
    ELSIF p_stale = 0 THEN
        -- Waits for a fold taking the same rows, so that they are counted when this returns.
        WITH d AS (
            DELETE FROM marketplace_pending_counts p WHERE p.item_id = ANY (p_items)
            RETURNING p.item_id, p.item_kind, p.installs, p.active, p.workspaces, p.trending_from, p.trending_to)
        SELECT coalesce(jsonb_agg(d), '[]'), count(*) INTO taken, folded FROM d;
    ELSE
        -- Skips the rows another fold is taking: that fold counts them, and a request's fold with nothing
        -- left to take returns without waiting on the listing.
        WITH mine AS (
            SELECT s.id FROM marketplace_pending_counts s WHERE s.item_id = ANY (p_items)
            FOR UPDATE SKIP LOCKED),
        stale AS (
            SELECT s.id FROM marketplace_pending_counts s WHERE s.recorded_at < now() - interval '5 seconds'
            ORDER BY s.id LIMIT p_stale FOR UPDATE SKIP LOCKED),
        d AS (
            DELETE FROM marketplace_pending_counts p
            WHERE p.id IN (SELECT id FROM mine UNION SELECT id FROM stale)
            RETURNING p.item_id, p.item_kind, p.installs, p.active, p.workspaces, p.trending_from, p.trending_to)
        SELECT coalesce(jsonb_agg(d), '[]'), count(*) INTO taken, folded FROM d;
    END IF;
    SELECT array_agg(DISTINCT p.item_kind) INTO kinds FROM jsonb_to_recordset(taken) AS p(item_kind item_kind);

    IF folded > 0 THEN
        -- The listings, locked kind by kind in the lock order, and their categories.
        IF 'recipe' = ANY (kinds) THEN
            SELECT categories || coalesce(array_agg(DISTINCT 'recipe:' || lower(coalesce(m.marketplace_category, ''))), '{}')
            INTO categories
            FROM (SELECT m.marketplace_category FROM workflow_templates m
                  WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind)
                                 WHERE p.item_kind = 'recipe')
                  ORDER BY m.id FOR NO KEY UPDATE) m;
        END IF;
        IF 'agent' = ANY (kinds) THEN
            SELECT categories || coalesce(array_agg(DISTINCT 'agent:' || lower(coalesce(m.marketplace_category, ''))), '{}')
            INTO categories
            FROM (SELECT m.marketplace_category FROM agents m
                  WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind)
                                 WHERE p.item_kind = 'agent')
                  ORDER BY m.id FOR NO KEY UPDATE) m;
        END IF;
        IF 'llm' = ANY (kinds) THEN
            SELECT categories || coalesce(array_agg(DISTINCT 'llm:' || lower(coalesce(m.marketplace_category, ''))), '{}')
            INTO categories
            FROM (SELECT m.marketplace_category FROM llm_models m
                  WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind)
                                 WHERE p.item_kind = 'llm')
                  ORDER BY m.id FOR NO KEY UPDATE) m;
        END IF;
        IF 'skill' = ANY (kinds) THEN
            SELECT categories || coalesce(array_agg(DISTINCT 'skill:' || lower(coalesce(m.marketplace_category, ''))), '{}')
            INTO categories
            FROM (SELECT m.marketplace_category FROM skills m
                  WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind)
                                 WHERE p.item_kind = 'skill')
                  ORDER BY m.id FOR NO KEY UPDATE) m;
        END IF;
        IF 'tool' = ANY (kinds) THEN
            SELECT categories || coalesce(array_agg(DISTINCT 'tool:' || lower(coalesce(m.marketplace_category, ''))), '{}')
            INTO categories
            FROM (SELECT m.marketplace_category FROM tools m
                  WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind)
                                 WHERE p.item_kind = 'tool')
                  ORDER BY m.id FOR NO KEY UPDATE) m;
        END IF;
        PERFORM 1 FROM marketplace_counts c
        WHERE c.kind::text || ':' || c.category_key = ANY (categories)
        ORDER BY c.kind, c.category_key, c.is_approved FOR UPDATE;

        -- Workspaces join their new buckets first, then leave their old ones: a workspace whose earlier move
        -- is folded in the same call leaves the bucket it joined. One that leaves a bucket still in the window
        -- already counted for the listing.
        INSERT INTO trending_days AS d (item_id, item_kind, day, workspaces)
        SELECT p.item_id, p.item_kind, p.trending_to, count(*)
        FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind, trending_to date)
        WHERE p.trending_to IS NOT NULL
        GROUP BY 1, 2, 3 ORDER BY 1, 3
        ON CONFLICT (item_id, day) DO UPDATE SET workspaces = d.workspaces + excluded.workspaces;
        WITH moves AS (
            SELECT p.item_id, p.trending_from AS day, count(*)::integer AS n
            FROM jsonb_to_recordset(taken) AS p(item_id bigint, trending_from date, trending_to date)
            WHERE p.trending_to IS NOT NULL AND p.trending_from >= window_start
            GROUP BY 1, 2),
        left_bucket AS (
            UPDATE trending_days d SET workspaces = d.workspaces - m.n
            FROM moves m WHERE d.item_id = m.item_id AND d.day = m.day
            RETURNING d.item_id, m.n)
        SELECT coalesce(jsonb_object_agg(item_id, n), '{}') INTO stayed
        FROM (SELECT item_id, sum(n) AS n FROM left_bucket GROUP BY item_id) s;

        -- Each listing's deltas, added kind by kind in the lock order.
        SELECT jsonb_agg(d) INTO deltas FROM (
            SELECT p.item_id, p.item_kind, sum(p.installs)::integer AS installs, sum(p.active)::integer AS active,
                   sum(p.workspaces)::integer AS workspaces,
                   (count(*) FILTER (WHERE p.trending_to IS NOT NULL)
                    - coalesce(min((stayed ->> p.item_id::text)::integer), 0))::integer AS trending
            FROM jsonb_to_recordset(taken) AS p(item_id bigint, item_kind item_kind, installs integer,
                                                active integer, workspaces integer, trending_to date)
            GROUP BY p.item_id, p.item_kind) d;
        IF 'recipe' = ANY (kinds) THEN
            UPDATE workflow_templates m
            SET install_count = m.install_count + d.installs, active_installs = greatest(m.active_installs + d.active, 0),
                workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                trending_installs = greatest(m.trending_installs + d.trending, 0)
            FROM jsonb_to_recordset(deltas) AS d(item_id bigint, item_kind item_kind, installs integer, active integer,
                                                 workspaces integer, trending integer)
            WHERE d.item_kind = 'recipe' AND m.id = d.item_id;
        END IF;
        IF 'agent' = ANY (kinds) THEN
            UPDATE agents m
            SET install_count = m.install_count + d.installs, active_installs = greatest(m.active_installs + d.active, 0),
                workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                trending_installs = greatest(m.trending_installs + d.trending, 0)
            FROM jsonb_to_recordset(deltas) AS d(item_id bigint, item_kind item_kind, installs integer, active integer,
                                                 workspaces integer, trending integer)
            WHERE d.item_kind = 'agent' AND m.id = d.item_id;
        END IF;
        IF 'llm' = ANY (kinds) THEN
            UPDATE llm_models m
            SET install_count = m.install_count + d.installs, active_installs = greatest(m.active_installs + d.active, 0),
                workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                trending_installs = greatest(m.trending_installs + d.trending, 0)
            FROM jsonb_to_recordset(deltas) AS d(item_id bigint, item_kind item_kind, installs integer, active integer,
                                                 workspaces integer, trending integer)
            WHERE d.item_kind = 'llm' AND m.id = d.item_id;
        END IF;
        IF 'skill' = ANY (kinds) THEN
            UPDATE skills m
            SET install_count = m.install_count + d.installs, active_installs = greatest(m.active_installs + d.active, 0),
                workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                trending_installs = greatest(m.trending_installs + d.trending, 0)
            FROM jsonb_to_recordset(deltas) AS d(item_id bigint, item_kind item_kind, installs integer, active integer,
                                                 workspaces integer, trending integer)
            WHERE d.item_kind = 'skill' AND m.id = d.item_id;
        END IF;
        IF 'tool' = ANY (kinds) THEN
            UPDATE tools m
            SET install_count = m.install_count + d.installs, active_installs = greatest(m.active_installs + d.active, 0),
                workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                trending_installs = greatest(m.trending_installs + d.trending, 0)
            FROM jsonb_to_recordset(deltas) AS d(item_id bigint, item_kind item_kind, installs integer, active integer,
                                                 workspaces integer, trending integer)
            WHERE d.item_kind = 'tool' AND m.id = d.item_id;
        END IF;
    END IF;

    -- Buckets that fell out of the window leave their listing's trending_installs; any another transaction
    -- holds (bucket or listing) are skipped, so aging never waits.
    IF p_age > 0 AND EXISTS (SELECT 1 FROM trending_days d WHERE d.day < window_start) THEN
        FOR t IN SELECT * FROM marketplace_kinds_in_lock_order() LOOP
            EXECUTE format(
                'WITH candidates AS (
                     SELECT d.item_id, d.day FROM trending_days d
                     WHERE d.day < $1 AND d.item_kind = $2
                     ORDER BY d.day, d.item_id LIMIT $3 FOR UPDATE SKIP LOCKED),
                 listings AS (
                     SELECT m.id FROM %1$I m WHERE m.id IN (SELECT item_id FROM candidates)
                     ORDER BY m.id FOR NO KEY UPDATE SKIP LOCKED),
                 aged AS (
                     DELETE FROM trending_days d USING candidates c
                     WHERE d.item_id = c.item_id AND d.day = c.day AND c.item_id IN (SELECT id FROM listings)
                     RETURNING d.item_id, d.workspaces)
                 UPDATE %1$I m SET trending_installs = greatest(m.trending_installs - a.workspaces, 0)
                 FROM (SELECT item_id, sum(workspaces)::integer AS workspaces FROM aged GROUP BY item_id) a
                 WHERE m.id = a.item_id', t.tbl)
                USING window_start, t.kind, p_age;
        END LOOP;
    END IF;
    RETURN folded;
END
$$;
