-- An install's hold on its plan's dependencies, in one statement (install/locks.rs): the lanes of
-- `p_items` (of kinds `p_kinds`, in the lock order) locked in workspace `p_workspace` by
-- marketplace_lock_lanes (V17), then `p_records` install record ids drawn, then, under those locks, the
-- workspace's first copy of each item (NULL where it has none), which the install checks its plan against
-- (install/existing.rs). Each of the three is a statement of this volatile function, so the copies are read
-- with a snapshot taken after the lanes were locked: a copy a concurrent install committed while this one
-- waited on a lane is seen. Static SQL, so the plans are kept for the connection.
CREATE FUNCTION marketplace_lock_plan(p_workspace uuid, p_kinds text[], p_items bigint[], p_insert boolean[],
                                      p_records integer,
                                      OUT first bigint[], OUT ids bigint[], OUT copies bigint[])
LANGUAGE plpgsql AS $$
BEGIN
    SELECT ARRAY(SELECT l FROM marketplace_lock_lanes(p_workspace, p_items, p_insert) AS l) INTO first;
    SELECT ARRAY(SELECT r FROM marketplace_reserve_install_ids(p_records) WITH ORDINALITY AS r(r, n) ORDER BY n)
    INTO ids;
    SELECT ARRAY(
        SELECT CASE i.kind
            WHEN 'agent' THEN (SELECT w.id FROM agents w
                               WHERE w.workspace_id = p_workspace AND w.cloned_from_id = i.id
                                 AND w.owner_type = 'workspace' ORDER BY w.id LIMIT 1)
            WHEN 'recipe' THEN (SELECT w.id FROM workflow_templates w
                                WHERE w.workspace_id = p_workspace AND w.cloned_from_id = i.id
                                  AND w.owner_type = 'workspace' ORDER BY w.id LIMIT 1)
            WHEN 'skill' THEN (SELECT w.id FROM skills w
                               WHERE w.workspace_id = p_workspace AND w.cloned_from_id = i.id
                                 AND w.owner_type = 'workspace' ORDER BY w.id LIMIT 1)
            WHEN 'llm' THEN (SELECT w.id FROM llm_models w
                             WHERE w.workspace_id = p_workspace AND w.cloned_from_id = i.id
                               AND w.owner_type = 'workspace' ORDER BY w.id LIMIT 1)
            WHEN 'tool' THEN (SELECT w.id FROM tools w
                              WHERE w.workspace_id = p_workspace AND w.cloned_from_id = i.id
                                AND w.owner_type = 'workspace' ORDER BY w.id LIMIT 1)
        END
        FROM unnest(p_kinds, p_items) WITH ORDINALITY AS i(kind, id, n)
        ORDER BY i.n)
    INTO copies;
END
$$;
