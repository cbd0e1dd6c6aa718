-- The one statement of an install (install/single.rs) read its plan before it takes its lanes. A lane held
-- by another install of the same listing into the same workspace means that install is about to take the
-- names and copies this plan counted on, so waiting for it only to find the plan stale is time spent holding
-- up the rest of the queue: the statement gives way instead (lock_timeout 20 ms, for this function alone:
-- nothing is set on the session, so no proxy session is pinned), and the install runs as a transaction,
-- which waits on the lane under the session's bound and reads its plan under it. Same arguments and results
-- as V25's marketplace_lock_plan, with no record ids drawn.
CREATE FUNCTION marketplace_lock_plan_or_give_way(p_workspace uuid, p_kinds text[], p_items bigint[],
                                                  p_insert boolean[], OUT first bigint[], OUT copies bigint[])
LANGUAGE plpgsql SET lock_timeout = '20ms' AS $$
BEGIN
    SELECT l.first, l.copies INTO first, copies
    FROM marketplace_lock_plan(p_workspace, p_kinds, p_items, p_insert, 0) l;
END
$$;
