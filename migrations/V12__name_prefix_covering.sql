-- Relevance reads a search's exact and prefix name matches first (docs/architecture.md, "Search"). V7's
-- index finds them but sends every match to the table for its popularity: 6,000 matches of a common prefix
-- cost 13–29 ms a kind at 1M items. This index carries what those reads need, so they are index-only scans
-- (1–1.5 ms for the same prefix), and it replaces V7's.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['agents', 'workflow_templates', 'skills', 'llm_models', 'tools'] LOOP
        EXECUTE format($f$
            CREATE INDEX %1$s_name_prefix_covering_idx ON %1$I (lower(name) text_pattern_ops)
                INCLUDE (id, name, install_count, created_at, is_approved, is_featured)
                WHERE owner_type = 'marketplace' AND delisted_at IS NULL;
            DROP INDEX %1$s_name_prefix_idx;
        $f$, t);
    END LOOP;
END
$$;
