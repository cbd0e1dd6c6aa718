-- GET /stats's install totals are no longer one row every install touches.
--
-- The totals (live installs and installing workspaces over the public marketplace) lived in V9's single
-- row, which every workspace's first install updated at its commit and every fold updated when it moved a
-- listing's active_installs. Installs from many workspaces at once, a viral listing's above all, queued on
-- that row one commit at a time. They are now kept in 16 shard rows; each transaction adds its deltas to the
-- one shard its transaction id picks, at commit as before (deferred), so a transaction still takes exactly
-- one totals row and takes it last: no deadlock through the totals, and concurrent transactions mostly meet
-- on none. `marketplace_install_totals` becomes the view that sums the shards, so GET /stats reads it as
-- before; setting it (V20's repair) collapses the shards into the first.

CREATE TABLE marketplace_install_total_shards (
    shard           smallint PRIMARY KEY CHECK (shard >= 0 AND shard < 16),
    active_installs bigint   NOT NULL DEFAULT 0,
    workspaces      bigint   NOT NULL DEFAULT 0
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

INSERT INTO marketplace_install_total_shards (shard, active_installs, workspaces)
SELECT s, CASE WHEN s = 0 THEN t.active_installs ELSE 0 END, CASE WHEN s = 0 THEN t.workspaces ELSE 0 END
FROM generate_series(0, 15) AS s, marketplace_install_totals t;

DROP TABLE marketplace_install_totals;

CREATE VIEW marketplace_install_totals AS
    SELECT sum(active_installs)::bigint AS active_installs, sum(workspaces)::bigint AS workspaces
    FROM marketplace_install_total_shards;

-- The shard a transaction adds its deltas to.
CREATE FUNCTION marketplace_install_total_shard() RETURNS smallint LANGUAGE sql VOLATILE AS $$
    SELECT (txid_current() % 16)::smallint
$$;

CREATE OR REPLACE FUNCTION marketplace_install_totals_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.catalog_id IS NULL THEN
        UPDATE marketplace_install_total_shards
        SET active_installs = active_installs + (NEW.active_installs - OLD.active_installs)
        WHERE shard = marketplace_install_total_shard();
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION marketplace_install_totals_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE marketplace_install_total_shards SET workspaces = workspaces + 1
    WHERE shard = marketplace_install_total_shard();
    RETURN NULL;
END
$$;

-- Setting the totals (the repair sets them from the records) puts them in the first shard and empties the
-- others, taking the shards in their order.
CREATE FUNCTION marketplace_install_totals_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM marketplace_install_total_shards ORDER BY shard FOR UPDATE;
    UPDATE marketplace_install_total_shards
    SET active_installs = CASE WHEN shard = 0 THEN NEW.active_installs ELSE 0 END,
        workspaces = CASE WHEN shard = 0 THEN NEW.workspaces ELSE 0 END;
    RETURN NEW;
END
$$;

CREATE TRIGGER marketplace_install_totals_set INSTEAD OF UPDATE ON marketplace_install_totals
    FOR EACH ROW EXECUTE FUNCTION marketplace_install_totals_set();
