-- What keeps listings honest: forks of another publisher's listing say so, a version string has a length
-- bound, and an install remembers the skill links it brought so an update can tell local changes.

-- The listing a submitted workspace copy was installed from (a fork of it), shown in the fork's detail.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format(
            'ALTER TABLE %1$I ADD COLUMN forked_from_id bigint REFERENCES %1$I (id) ON DELETE SET NULL', t);
    END LOOP;
END
$$;

-- Versions are index keys (item_versions' unique (item_id, version)): a bound well under the index row
-- limit, and what the API accepts.
ALTER DOMAIN semver ADD CONSTRAINT semver_length CHECK (length(VALUE) <= 100);

-- The skill ids an agent's copy was linked to when installed or last updated (sorted; NULL for other
-- kinds). Links that differ now were changed in the workspace.
ALTER TABLE marketplace_installs ADD COLUMN linked_skill_ids bigint[];
UPDATE marketplace_installs i
SET linked_skill_ids = coalesce(
    (SELECT array_agg(l.skill_id ORDER BY l.skill_id) FROM agent_skills l WHERE l.agent_id = i.installed_item_id),
    '{}')
WHERE i.item_kind = 'agent';

-- Submitting a workspace item looks up the install that created it (an unmodified copy is refused).
CREATE INDEX marketplace_installs_installed_item_idx ON marketplace_installs (installed_item_id);
