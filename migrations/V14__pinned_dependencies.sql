-- Dependencies are pinned, never chosen at install. Until now an agent's LLM was "the listed LLM with that
-- model_id with the most installs" and a recipe's agents "the listed agent of that name with the most
-- installs", whoever published them: a stranger could take over another publisher's dependency by inflating
-- a count. Now a version's dependencies are resolved once, when it is submitted (shown to the admin in the
-- queue), from the same publisher's listings or listings an admin marked official, and frozen onto the
-- listing when the version is approved. Installs follow the frozen ids only.

-- Official: vouched for by a marketplace admin. The LLM catalog the service seeds is official.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN is_official boolean NOT NULL DEFAULT false', t);
    END LOOP;
END
$$;
UPDATE llm_models SET is_official = true WHERE owner_type = 'marketplace' AND from_catalog;

ALTER TABLE admin_actions DROP CONSTRAINT admin_actions_action_check;
ALTER TABLE admin_actions ADD CONSTRAINT admin_actions_action_check
    CHECK (action IN ('approve', 'reject', 'feature', 'unfeature', 'delist', 'hide_review', 'unhide_review',
                      'official', 'unofficial'));

-- What a submitted version depends on, resolved at submit:
-- [{"type", "item_id", "name", "version", "requested_as"}].
-- NULL for versions submitted before this migration (their dependencies are resolved when approved).
ALTER TABLE item_versions ADD COLUMN dependencies jsonb
    CHECK (dependencies IS NULL OR jsonb_typeof(dependencies) = 'array');

-- The dependencies of each listing's live version: what its installs bring.
CREATE TABLE listing_dependencies (
    listing_id         bigint    NOT NULL,
    dependency_id      bigint    NOT NULL,
    dependency_kind    item_kind NOT NULL,
    -- The dependency's version when it was pinned (installs clone its live version).
    dependency_version semver    NOT NULL,
    -- What the listing asked for: an agent's model id, or a recipe's recommended agent names (lowercase).
    requested_as       text[]    NOT NULL,
    PRIMARY KEY (listing_id, dependency_id)
);
CREATE INDEX listing_dependencies_dependency_idx ON listing_dependencies (dependency_id);

-- The dependencies content of `p_kind` asks for, resolved among listed, approved listings that are official
-- or published by `p_creator` (theirs first, then the lowest id): an agent's model (`model_config.model`, by
-- `model_id`) and a recipe's recommended agents (by name, case-insensitive). Never by a count.
CREATE FUNCTION marketplace_resolve_dependencies(p_kind item_kind, p_content jsonb, p_creator bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(d.dependency ORDER BY d.dependency ->> 'type', (d.dependency ->> 'item_id')::bigint),
                    '[]'::jsonb)
    FROM (
        SELECT jsonb_build_object('type', 'llm', 'item_id', l.id, 'name', l.name, 'version', l.version::text,
                                  'requested_as', jsonb_build_array(m.model)) AS dependency
        FROM (SELECT p_content -> 'model_config' ->> 'model' AS model
              WHERE p_kind = 'agent' AND jsonb_typeof(p_content -> 'model_config' -> 'model') = 'string') m
        CROSS JOIN LATERAL (
            SELECT t.id, t.name, t.version FROM llm_models t
            WHERE t.model_id = m.model AND t.owner_type = 'marketplace' AND t.is_approved
              AND t.delisted_at IS NULL AND (t.is_official OR t.original_creator_id = p_creator)
            ORDER BY t.original_creator_id IS NOT DISTINCT FROM p_creator DESC, t.id
            LIMIT 1) l
        UNION ALL
        SELECT jsonb_build_object('type', 'agent', 'item_id', a.id, 'name', a.name, 'version', a.version::text,
                                  'requested_as', jsonb_agg(w.wanted ORDER BY w.wanted))
        FROM (SELECT DISTINCT lower(btrim(e #>> '{}')) AS wanted
              FROM jsonb_array_elements(CASE WHEN p_kind = 'recipe'
                                              AND jsonb_typeof(p_content -> 'recommended_agents') = 'array'
                                             THEN p_content -> 'recommended_agents' ELSE '[]'::jsonb END) e
              WHERE jsonb_typeof(e) = 'string' AND btrim(e #>> '{}') <> '') w
        CROSS JOIN LATERAL (
            SELECT t.id, t.name, t.version FROM agents t
            WHERE lower(t.name) = w.wanted AND t.owner_type = 'marketplace' AND t.is_approved
              AND t.delisted_at IS NULL AND (t.is_official OR t.original_creator_id = p_creator)
            ORDER BY t.original_creator_id IS NOT DISTINCT FROM p_creator DESC, t.id
            LIMIT 1) a
        GROUP BY a.id, a.name, a.version
    ) d
$$;

-- Makes `p_dependencies` (a resolution) the pins of listing `p_listing`.
CREATE FUNCTION marketplace_pin_dependencies(p_listing bigint, p_dependencies jsonb)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM listing_dependencies WHERE listing_id = p_listing;
    INSERT INTO listing_dependencies (listing_id, dependency_id, dependency_kind, dependency_version, requested_as)
    SELECT p_listing, (d ->> 'item_id')::bigint, (d ->> 'type')::item_kind, (d ->> 'version')::semver,
           ARRAY(SELECT jsonb_array_elements_text(d -> 'requested_as'))
    FROM jsonb_array_elements(coalesce(p_dependencies, '[]'::jsonb)) d;
$$;

-- Pins the approved agents and recipes that no reviewed version pinned: every listing approved before this
-- migration, and listings loaded in bulk (demo data, fixtures, benchmark catalogs). One statement for all of
-- them; returns how many listings it pinned.
CREATE FUNCTION marketplace_pin_unreviewed() RETURNS bigint LANGUAGE sql AS $$
    WITH unreviewed AS (
        SELECT 'agent'::item_kind AS kind, t.id, t.original_creator_id,
               jsonb_build_object('model_config', t.model_config) AS content
        FROM agents t
        WHERE t.owner_type = 'marketplace' AND t.is_approved AND t.delisted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM item_versions v WHERE v.item_id = t.id AND v.dependencies IS NOT NULL)
        UNION ALL
        SELECT 'recipe'::item_kind, t.id, t.original_creator_id,
               jsonb_build_object('recommended_agents', t.recommended_agents)
        FROM workflow_templates t
        WHERE t.owner_type = 'marketplace' AND t.is_approved AND t.delisted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM item_versions v WHERE v.item_id = t.id AND v.dependencies IS NOT NULL)
    ),
    resolved AS (
        SELECT u.id AS listing_id, (d ->> 'item_id')::bigint AS dependency_id,
               (d ->> 'type')::item_kind AS dependency_kind, (d ->> 'version')::semver AS dependency_version,
               ARRAY(SELECT jsonb_array_elements_text(d -> 'requested_as')) AS requested_as
        FROM unreviewed u
        CROSS JOIN LATERAL jsonb_array_elements(
            marketplace_resolve_dependencies(u.kind, u.content, u.original_creator_id)) d
    ),
    -- No row is both deleted and upserted: one statement cannot touch a row twice.
    cleared AS (
        DELETE FROM listing_dependencies l USING unreviewed u
        WHERE l.listing_id = u.id
          AND NOT EXISTS (SELECT 1 FROM resolved r
                          WHERE r.listing_id = l.listing_id AND r.dependency_id = l.dependency_id)
    ),
    pinned AS (
        INSERT INTO listing_dependencies (listing_id, dependency_id, dependency_kind, dependency_version,
                                          requested_as)
        SELECT * FROM resolved
        ON CONFLICT (listing_id, dependency_id) DO UPDATE
            SET dependency_kind = excluded.dependency_kind, dependency_version = excluded.dependency_version,
                requested_as = excluded.requested_as
    )
    SELECT count(*) FROM unreviewed
$$;

SELECT marketplace_pin_unreviewed();
