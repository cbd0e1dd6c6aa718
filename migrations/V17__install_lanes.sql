-- A viral listing installs at full speed: no install holds its listing's row for the length of its
-- transaction any more.
--
-- Lanes. An install used to lock its listings' rows (FOR NO KEY UPDATE) for its whole transaction, so installs
-- of one listing queued behind each other even into different workspaces. What an install must keep stable is
-- narrower: the copies of its plan's listings in its own workspace. It now locks the (listing, workspace) rows
-- of marketplace_install_workspaces instead (V9's "ever installed" pairs, inserted by the first install),
-- and so does every uninstall; installs of one listing into different workspaces no longer meet.
--
-- Counters. install_count, active_installs, workspace_count, trending_installs, the trending buckets and the
-- counters the listing's triggers keep (marketplace_counts, marketplace_install_totals) are rows every install
-- of a listing touches. An install now records its counts as a pending row (insert-only, nothing shared) in
-- its transaction; right after it commits, it folds the pending rows of its listings into those counters with
-- one statement, marketplace_fold_counts, which holds the hot rows for that statement only. Folds batch: a
-- fold takes every pending row of its listings that no other fold is taking, so while one fold runs, the
-- installs finishing behind it leave their rows to the next one instead of queueing.
-- A pending row left behind (the request died between its commit and its fold) is folded by the next fold of
-- its listing, by any fold once it is a few seconds old, and by marketplace_fold_counts(NULL, ...).
CREATE TABLE marketplace_pending_counts (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id       bigint      NOT NULL,
    item_kind     item_kind   NOT NULL,
    installs      integer     NOT NULL,
    active        integer     NOT NULL,
    workspaces    integer     NOT NULL,
    -- The install moved its workspace to the bucket of trending_to; trending_from is the day it left (NULL: the
    -- workspace had no bucket for the listing).
    trending_from date,
    trending_to   date,
    recorded_at   timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
CREATE INDEX marketplace_pending_counts_item_idx ON marketplace_pending_counts (item_id);

-- The kinds' tables in lock order (docs/architecture.md, "Lock order"; ItemKind::lock_rank).
CREATE FUNCTION marketplace_kinds_in_lock_order(OUT tbl text, OUT kind item_kind) RETURNS SETOF record
LANGUAGE sql IMMUTABLE AS $$
    VALUES ('workflow_templates', 'recipe'::item_kind), ('agents', 'agent'), ('llm_models', 'llm'),
           ('skills', 'skill'), ('tools', 'tool')
$$;

-- Locks the lanes of `p_items` in `p_workspace`, in the order given (the lock order): a lane is inserted
-- where `p_insert` says so (the listing is cloned: its first install in the workspace makes the pair), and
-- only locked where it exists otherwise (a reused copy: an uninstall that could delete it holds its lane).
-- Returns the listings whose lane this call inserted: the workspace's first install of each.
CREATE FUNCTION marketplace_lock_lanes(p_workspace uuid, p_items bigint[], p_insert boolean[])
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    inserted bigint;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_items, 1), 0) LOOP
        IF p_insert[i] THEN
            inserted := NULL;
            INSERT INTO marketplace_install_workspaces AS w (item_id, workspace_id)
            VALUES (p_items[i], p_workspace)
            ON CONFLICT (item_id, workspace_id) DO UPDATE SET item_id = excluded.item_id WHERE false
            RETURNING w.item_id INTO inserted;
            IF inserted IS NOT NULL THEN
                RETURN NEXT inserted;
            END IF;
        ELSE
            PERFORM 1 FROM marketplace_install_workspaces
            WHERE item_id = p_items[i] AND workspace_id = p_workspace FOR UPDATE;
        END IF;
    END LOOP;
END
$$;

-- Folds the pending counts of `p_items` (every listing when NULL) into the listings' counters and trending
-- buckets, then ages up to `p_age` trending buckets older than the window of `p_trending_days` days. With
-- `p_stale` > 0 (a request's fold after its commit), rows another fold is taking are skipped, and up to
-- `p_stale` rows pending for more than 5 seconds, whatever their listing, are taken along; with 0 (the
-- copy-deletion trigger), it waits for a fold taking its rows. Locks in the lock order: the pending rows it
-- takes, the listings by kind then id, their marketplace_counts rows, then the buckets. Returns how many
-- pending rows it folded.
CREATE FUNCTION marketplace_fold_counts(p_items bigint[], p_stale integer, p_trending_days integer, p_age integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    window_start date := (now() AT TIME ZONE 'UTC')::date - (p_trending_days - 1);
    taken        jsonb;
    stayed       jsonb;
    folded       integer;
    categories   text[] := '{}';
    kinds        item_kind[];
    found        text[];
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
        FOR t IN SELECT * FROM marketplace_kinds_in_lock_order() k WHERE k.kind = ANY (kinds) LOOP
            EXECUTE format(
                'SELECT array_agg(DISTINCT %1$L || '':'' || lower(coalesce(m.marketplace_category, '''')))
                 FROM (SELECT m.marketplace_category FROM %2$I m
                       WHERE m.id IN (SELECT p.item_id FROM jsonb_to_recordset($1) AS p(item_id bigint, item_kind item_kind)
                                      WHERE p.item_kind = %1$L)
                       ORDER BY m.id FOR NO KEY UPDATE) m', t.kind, t.tbl)
                INTO found USING taken;
            categories := categories || coalesce(found, '{}');
        END LOOP;
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

        FOR t IN SELECT * FROM marketplace_kinds_in_lock_order() k WHERE k.kind = ANY (kinds) LOOP
            EXECUTE format(
                'UPDATE %1$I m
                 SET install_count = m.install_count + d.installs,
                     active_installs = greatest(m.active_installs + d.active, 0),
                     workspace_count = greatest(m.workspace_count + d.workspaces, 0),
                     trending_installs = greatest(m.trending_installs + d.trending, 0)
                 FROM (SELECT p.item_id, sum(p.installs)::integer AS installs, sum(p.active)::integer AS active,
                              sum(p.workspaces)::integer AS workspaces,
                              (count(*) FILTER (WHERE p.trending_to IS NOT NULL)
                               - coalesce(min(($2 ->> p.item_id::text)::integer), 0))::integer AS trending
                       FROM jsonb_to_recordset($1) AS p(item_id bigint, item_kind item_kind, installs integer,
                                                       active integer, workspaces integer, trending_to date)
                       WHERE p.item_kind = %2$L
                       GROUP BY p.item_id) d
                 WHERE m.id = d.item_id', t.tbl, t.kind)
                USING taken, stayed;
        END LOOP;
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

-- A workspace copy deleted (by an uninstall, or by anyone): its listings' pending counts are folded first, in
-- the deleting transaction, so the copy leaves an active count that already holds its install. (7: the
-- trending window, TRENDING_DAYS in shared/catalog/src/install/trending.rs; this fold ages nothing.)
CREATE OR REPLACE FUNCTION marketplace_copy_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM marketplace_fold_counts(
        ARRAY(SELECT DISTINCT item_id FROM marketplace_installs
              WHERE installed_item_id = OLD.id AND workspace_id = OLD.workspace_id AND uninstalled_at IS NULL),
        0, 7, 0);
    EXECUTE format(
        'UPDATE %I m SET active_installs = greatest(m.active_installs - i.live, 0)
         FROM (SELECT item_id, count(*) AS live FROM marketplace_installs
               WHERE installed_item_id = $1 AND workspace_id = $2 AND uninstalled_at IS NULL
               GROUP BY item_id) i
         WHERE m.id = i.item_id', TG_TABLE_NAME)
        USING OLD.id, OLD.workspace_id;
    RETURN NULL;
END
$$;

-- The repair of V9, folding what is pending before it recomputes from the install records.
CREATE OR REPLACE FUNCTION marketplace_install_metrics_repair() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t       record;
    fixed   bigint := 0;
    changed bigint;
BEGIN
    -- What is pending is in the install records already: folded first, it cannot be counted twice.
    PERFORM marketplace_fold_counts(NULL, 0, 7, 0);
    INSERT INTO marketplace_install_workspaces (item_id, workspace_id)
    SELECT DISTINCT item_id, workspace_id FROM marketplace_installs
    ON CONFLICT DO NOTHING;
    DELETE FROM marketplace_install_workspaces w
    WHERE NOT EXISTS (SELECT 1 FROM marketplace_installs i
                      WHERE i.item_id = w.item_id AND i.workspace_id = w.workspace_id);
    INSERT INTO marketplace_installing_workspaces (workspace_id)
    SELECT DISTINCT workspace_id FROM marketplace_installs
    ON CONFLICT DO NOTHING;
    DELETE FROM marketplace_installing_workspaces w
    WHERE NOT EXISTS (SELECT 1 FROM marketplace_installs i WHERE i.workspace_id = w.workspace_id);

    FOR t IN SELECT * FROM (VALUES ('agents', 'agent'), ('workflow_templates', 'recipe'), ('skills', 'skill'),
                                   ('llm_models', 'llm'), ('tools', 'tool')) AS kinds (tbl, kind) LOOP
        EXECUTE format($f$
            UPDATE %1$I m
            SET active_installs = truth.active, workspace_count = truth.workspaces
            FROM (
                SELECT l.id, coalesce(a.active, 0) AS active, coalesce(a.workspaces, 0) AS workspaces
                FROM %1$I l
                LEFT JOIN (
                    SELECT i.item_id,
                           count(*) FILTER (WHERE i.uninstalled_at IS NULL AND c.id IS NOT NULL) AS active,
                           count(DISTINCT i.workspace_id) AS workspaces
                    FROM marketplace_installs i
                    LEFT JOIN %1$I c ON c.id = i.installed_item_id AND c.owner_id = i.workspace_id::text
                    WHERE i.item_kind = %2$L
                    GROUP BY i.item_id
                ) a ON a.item_id = l.id
                WHERE l.owner_type = 'marketplace'
            ) truth
            WHERE m.id = truth.id
              AND (m.active_installs, m.workspace_count) IS DISTINCT FROM (truth.active::int, truth.workspaces::int)
        $f$, t.tbl, t.kind);
        GET DIAGNOSTICS changed = ROW_COUNT;
        fixed := fixed + changed;
    END LOOP;

    -- The deferred totals triggers queued by the updates above would add their deltas at commit: run them
    -- now, then set the totals from the records.
    SET CONSTRAINTS marketplace_installing_workspaces_totals, agents_install_totals,
        workflow_templates_install_totals, skills_install_totals, llm_models_install_totals,
        tools_install_totals IMMEDIATE;
    UPDATE marketplace_install_totals SET
        active_installs = (SELECT coalesce(sum(active_installs), 0) FROM (
            SELECT active_installs FROM agents WHERE owner_type = 'marketplace'
            UNION ALL SELECT active_installs FROM workflow_templates WHERE owner_type = 'marketplace'
            UNION ALL SELECT active_installs FROM skills WHERE owner_type = 'marketplace'
            UNION ALL SELECT active_installs FROM llm_models WHERE owner_type = 'marketplace'
            UNION ALL SELECT active_installs FROM tools WHERE owner_type = 'marketplace') listed),
        workspaces = (SELECT count(*) FROM marketplace_installing_workspaces);
    RETURN fixed;
END
$$;
