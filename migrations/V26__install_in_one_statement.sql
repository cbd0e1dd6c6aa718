-- An install whose plan still holds is written by one statement, without BEGIN or COMMIT
-- (install/single.rs): its lanes, copies, skill links and records. The statement names its copies' ids, so
-- they are drawn before it, with the listing (V15 draws the install records' ids the same way).
--
-- A function, like marketplace_reserve_install_ids: a sequence function in a statement the request sends
-- would pin the RDS Proxy session.
CREATE FUNCTION marketplace_reserve_item_ids(p_count integer)
RETURNS SETOF bigint LANGUAGE sql AS $$
    SELECT nextval('item_id_seq') FROM generate_series(1, p_count) n ORDER BY n;
$$;

-- What the statement calls when the plan it was built from no longer holds (a copy appeared or went, a name
-- was taken, a listing changed since it was read): everything the statement wrote is undone, and the
-- install runs again as a transaction. Volatile, so that it runs only when called.
CREATE FUNCTION marketplace_plan_changed()
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'the install plan no longer holds' USING ERRCODE = 'MP001';
END
$$;
