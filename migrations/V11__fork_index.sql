-- Deleting an item checks that no other item names it in forked_from_id (V6's foreign key, ON DELETE SET
-- NULL); without an index that check reads the whole table: 118 ms for each uninstall at 1M items.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format(
            'CREATE INDEX %1$s_forked_from_idx ON %1$I (forked_from_id) WHERE forked_from_id IS NOT NULL', t);
    END LOOP;
END
$$;
