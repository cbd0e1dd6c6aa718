-- Installs that bring their dependencies, uninstall, and honest install metrics.
--
-- Every listing carries, next to install_count (all-time installs):
--   active_installs: install records not uninstalled whose workspace copy still exists;
--   workspace_count: distinct workspaces that ever installed it.
-- Both are kept in the writing transaction (install and uninstall in the service; the trigger below when a
-- copy is deleted any other way); marketplace_install_metrics_repair() recomputes them from the records.

-- A dependency installed with another install names it; uninstall marks the record instead of deleting it.
ALTER TABLE marketplace_installs
    ADD COLUMN parent_install_id bigint REFERENCES marketplace_installs (id) ON DELETE SET NULL,
    ADD COLUMN uninstalled_at    timestamptz;
CREATE INDEX marketplace_installs_parent_idx ON marketplace_installs (parent_install_id)
    WHERE parent_install_id IS NOT NULL;
-- GET /installs: a workspace's installs newest first, keyset-paginated on (installed_at, id).
CREATE INDEX marketplace_installs_workspace_page_idx
    ON marketplace_installs (workspace_id, installed_at DESC, id DESC);
DROP INDEX marketplace_installs_workspace_idx;

-- Which installs each install relies on (the dependencies it cloned or reused): an uninstall with its
-- dependencies keeps those another live install still relies on.
CREATE TABLE marketplace_install_dependencies (
    install_id    bigint NOT NULL REFERENCES marketplace_installs (id) ON DELETE CASCADE,
    dependency_id bigint NOT NULL REFERENCES marketplace_installs (id) ON DELETE CASCADE,
    PRIMARY KEY (install_id, dependency_id)
);
CREATE INDEX marketplace_install_dependencies_dependency_idx
    ON marketplace_install_dependencies (dependency_id);

-- Each (listing, workspace) pair that ever installed, and each workspace that ever installed anything: the
-- database decides which install is the first, whatever runs concurrently.
CREATE TABLE marketplace_install_workspaces (
    item_id      bigint NOT NULL,
    workspace_id uuid   NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, workspace_id)
);
CREATE TABLE marketplace_installing_workspaces (
    workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE
);

-- GET /stats: live installs and installing workspaces over the whole marketplace, O(1).
CREATE TABLE marketplace_install_totals (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    active_installs bigint  NOT NULL DEFAULT 0,
    workspaces      bigint  NOT NULL DEFAULT 0
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
INSERT INTO marketplace_install_totals DEFAULT VALUES;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format($f$
            ALTER TABLE %1$I
                ADD COLUMN active_installs integer NOT NULL DEFAULT 0 CHECK (active_installs >= 0),
                ADD COLUMN workspace_count integer NOT NULL DEFAULT 0 CHECK (workspace_count >= 0);
            -- sort=workspaces, shaped like V2's listing indexes.
            CREATE INDEX %1$s_workspaces_idx ON %1$I (workspace_count DESC, created_at DESC, id DESC)
                INCLUDE (is_approved, is_featured) WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            -- An install plan reuses a workspace's live copy of a listing.
            CREATE INDEX %1$s_workspace_copy_idx ON %1$I (workspace_id, cloned_from_id)
                WHERE owner_type = 'workspace' AND cloned_from_id IS NOT NULL;
        $f$, t);
    END LOOP;
END
$$;

-- A workspace copy deleted, by the service or by anyone else: its live install records stop counting as
-- active installs of their listing (which lives in the same table).
CREATE FUNCTION marketplace_copy_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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

-- The totals follow the listings' active_installs and the first install of each workspace. They run at
-- commit (deferred), so the one totals row is the last lock any transaction takes: no deadlock through it.
CREATE FUNCTION marketplace_install_totals_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE marketplace_install_totals SET active_installs = active_installs + (NEW.active_installs - OLD.active_installs);
    RETURN NULL;
END
$$;

CREATE FUNCTION marketplace_install_totals_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE marketplace_install_totals SET workspaces = workspaces + 1;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER marketplace_installing_workspaces_totals
    AFTER INSERT ON marketplace_installing_workspaces DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION marketplace_install_totals_workspace();

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format($f$
            CREATE TRIGGER %1$s_copy_deleted AFTER DELETE ON %1$I FOR EACH ROW
                WHEN (OLD.owner_type = 'workspace' AND OLD.cloned_from_id IS NOT NULL)
                EXECUTE FUNCTION marketplace_copy_deleted();
            CREATE CONSTRAINT TRIGGER %1$s_install_totals AFTER UPDATE OF active_installs ON %1$I
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                WHEN (NEW.active_installs <> OLD.active_installs)
                EXECUTE FUNCTION marketplace_install_totals_active();
        $f$, t);
    END LOOP;
END
$$;

-- Recomputes every install metric from the install records: the listings' active_installs and
-- workspace_count, the first-install tables and the totals. Returns how many listings were corrected.
-- For repair after a drift, and after bulk loads that bypass the service.
CREATE FUNCTION marketplace_install_metrics_repair() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t       record;
    fixed   bigint := 0;
    changed bigint;
BEGIN
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

SELECT marketplace_install_metrics_repair();
